// A list the kernel keeps inside a struct (a mutex's wait_list, an rwsem's
// waiters and readers) that code handed the struct may read, never change:
// grader red team 12 found mutex.wait_list a live array of task_structs, where
// a splice or an index accessor reorders or hides the waiters the unlock path
// hands the lock to. The model keeps the list beside the struct and works on
// it; the struct's field is a read-only accessor giving a frozen copy.

/**
 * model_embed_list - define @field of @o (before it is sealed) as a frozen copy of a list the model
 * keeps, each entry shown as @view makes it (default: itself); returns that list.
 */
export function model_embed_list<T>(o: object, field: string, view: (x: T) => unknown = (x) => x): T[] {
  const list: T[] = [];
  Object.defineProperty(o, field, { enumerable: true, configurable: false, get: () => Object.freeze(list.map(view)) });
  return list;
}
