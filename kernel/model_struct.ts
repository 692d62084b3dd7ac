// A C struct has the fields its header declares, held as plain fields: code
// handed one can write a field's value, never add a field, delete one, put a
// getter or setter over one (which answers each reader differently, the model
// during a call and the checks after it) or swap the object's prototype. The
// model's structs are sealed when made, so no spelling reaches past that:
// `Object[name]` with a name built at run time reaching defineProperty or
// setPrototypeOf (grader red team 11 #06) throws, as does a field added below
// the run-time watch's depth (#11). What the checks judge by stays in records
// beside the structs (model_task_sched, model_i915_object_freed, ...): a
// field's value is the one thing code handed a struct can still change.

/** model_struct - seal @o (its fields fixed, each still writable) and return it. */
export function model_struct<T extends object>(o: T): T {
  return Object.seal(o);
}
