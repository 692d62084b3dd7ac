// Fields of a kernel struct that the kernel decides with and code handed the
// struct must not write: a GEM object's bind and pin counts, its activity,
// its framebuffer references, its refcount and madv. As plain writable
// numbers on the sealed object, `obj.vma_pin_count += 1` around a kmalloc()
// kept the shrinker off an unpinned batch and satisfied 06's judge, who read
// the same field: the starter scored 11/13 (grader red team 13 #06). Here
// such a field becomes an accessor over a store beside the struct: read as
// before, written only by the kernel (model_field_set); a write from code
// throws as a read-only field does, which kernel/sched/core.ts task_died
// names in kernel terms. Call before the struct is sealed (model_struct).

const stores = new WeakMap<object, Record<string, unknown>>();

/** model_kernel_fields - make @fields of @o the kernel's (see above). */
export function model_kernel_fields<T extends object>(o: T, fields: readonly (keyof T & string)[]): void {
  const store: Record<string, unknown> = stores.get(o) ?? {};
  stores.set(o, store);
  for (const field of fields) {
    store[field] = o[field];
    Object.defineProperty(o, field, {
      enumerable: true,
      configurable: false,
      get: () => store[field],
      set: () => {
        throw new TypeError(`Cannot assign to read only property '${field}' of object '#<Object>'`);
      },
    });
  }
}

/** model_has_kernel_field - is @field of @o already the kernel's (model_kernel_fields)? */
export function model_has_kernel_field(o: object, field: string): boolean {
  const store = stores.get(o);
  return !!store && field in store;
}

/** model_field_set - the kernel writes @field of @o (a plain write where @o has no kernel fields). */
export function model_field_set<T extends object, K extends keyof T & string>(o: T, field: K, value: T[K]): void {
  const store = stores.get(o);
  if (store && field in store) store[field] = value;
  else (o as Record<string, unknown>)[field] = value;
}

/** model_field_add - the kernel adds @n to the numeric @field of @o; returns the new value. */
export function model_field_add<T extends object, K extends keyof T & string>(o: T, field: K, n: number): number {
  const v = (o[field] as number) + n;
  model_field_set(o, field, v as T[K]);
  return v;
}

/**
 * model_embedded - @fields of @o hold what C embeds in the struct (`struct
 * mutex struct_mutex;`, `struct i915_gem_object_mm mm;`, `struct work_struct
 * free_work;`) or a pointer no kernel path reassigns after creation: make
 * them non-writable data fields. In C a pointer to the struct cannot make
 * the embedded one another; as plain fields, code handed the struct put a
 * copy in its place for the length of a kmalloc (`obj.mm = { ...obj.mm,
 * pages: null }`: 06's starter with no pin scored 13/13; `i915.mm = { ...,
 * bound_list: without the batch }`: 5/13; grader red team 15) and back
 * after. Reads stay plain data reads: no accessor on the model's hot path.
 * A write throws in strict code, as a read-only field does.
 */
export function model_embedded<T extends object>(o: T, fields: readonly (keyof T & string)[]): void {
  for (const field of fields) Object.defineProperty(o, field, { writable: false });
}
