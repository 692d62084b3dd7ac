// (model) How trusted code (the model's judges, the checks, the grader) looks
// at a value that came from learner code: a return value, an argument, a
// thrown value. No Linux counterpart: C hands back a register, and nothing
// about reading it runs the callee again.
//
// In JavaScript it can. String(x), `${x}`, x + '', Number(x), x == y, x < y
// and JSON.stringify(x) call x's toString / valueOf / Symbol.toPrimitive /
// toJSON; a property read calls a getter or a Proxy trap. Each runs the
// learner's code on the trusted side, after the call the checks judge: it
// can throw (crash a check or the grader), answer differently to the model
// and to the judge (a getter that flips), or make a message say anything.
// So trusted code describes a learner value by its type first and reads it
// at most once, here, with every read caught:
//   - model_describe_value: words for any value, without calling its code;
//   - model_read_fields: one read per named field into a plain snapshot of
//     primitives (the model and the judge then both use the snapshot).

/** The longest string quoted as it is; longer ones are cut (a message is not a channel). */
const MAX_QUOTED = 40;

/**
 * model_describe_value - @v in words, for a message: numbers, booleans,
 * null, undefined and BigInts as they print, short strings quoted, anything
 * else by its kind alone ("an object", "a function", "a symbol"). Never calls
 * code of @v's: only typeof looks at it.
 */
export function model_describe_value(v: unknown): string {
  switch (typeof v) {
    case 'number':
      return Object.is(v, -0) ? '0' : `${v}`; // a primitive: no code of the learner's runs
    case 'boolean':
      return v ? 'true' : 'false';
    case 'undefined':
      return 'undefined';
    case 'bigint':
      return `the BigInt ${v}n`;
    case 'string':
      // Control characters, bidi overrides and line separators become '?': a message is one plain line.
      return JSON.stringify((v.length > MAX_QUOTED ? `${v.slice(0, MAX_QUOTED)}…` : v).replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, '?'));
    case 'symbol':
      return 'a symbol';
    case 'function':
      return 'a function';
    default:
      return v === null ? 'null' : 'an object';
  }
}

/**
 * model_describe_kind - @v by its type alone (numbers as they print): "an
 * object", "a BigInt", "a string". For a report title that must not carry
 * any text of the callee's (model_describe_value quotes short strings).
 */
export function model_describe_kind(v: unknown): string {
  if (typeof v === 'number' || typeof v === 'boolean' || v === undefined || v === null) return model_describe_value(v);
  return typeof v === 'bigint' ? 'a BigInt' : typeof v === 'string' ? 'a string' : model_describe_value(v);
}

/** A field value trusted code may keep: a primitive that cannot run code when used. */
export type model_plain = number | boolean | string | bigint | undefined | null | symbol;

/** What model_read_fields saw: each named field's value, or why it could not be read. */
export type model_fields<K extends string> =
  | { ok: true; fields: Record<K, model_plain> }
  | { ok: false; why: string };

/**
 * model_read_fields - read each of @keys from @v exactly once (a getter or
 * a Proxy trap runs once, its exception caught) into a plain snapshot whose
 * values are primitives. A field holding an object or a function, a getter
 * that throws, or @v not an object gives { ok: false } with the reason in
 * words. Trusted code then uses the snapshot only, so no later read can
 * answer differently.
 */
export function model_read_fields<K extends string>(v: unknown, keys: readonly K[]): model_fields<K> {
  if (typeof v !== 'object' || v === null) return { ok: false, why: `${model_describe_value(v)}, not an object` };
  const fields = Object.create(null) as Record<K, model_plain>;
  for (const k of keys) {
    let x: unknown;
    try {
      x = (v as Record<string, unknown>)[k];
    } catch {
      return { ok: false, why: `an object whose field ${k} could not be read (it threw)` };
    }
    if ((typeof x === 'object' && x !== null) || typeof x === 'function') return { ok: false, why: `an object whose field ${k} is ${model_describe_value(x)}` };
    fields[k] = x as model_plain;
  }
  return { ok: true, fields };
}

/** model_number - @v when it is a primitive number, else null (no coercion: valueOf never runs). */
export function model_number(v: unknown): number | null {
  return typeof v === 'number' ? v : null;
}

/** What trusted code keeps of a thrown value: three strings, read once. */
export interface model_thrown {
  name: string;
  message: string;
  stack: string;
}

/**
 * model_read_thrown - @e (a thrown value, maybe the learner's) as name,
 * message and stack strings: a thrown string is its own message; an object's
 * name, message and stack are each read once (model_read_fields) and kept
 * only when they are strings. Never coerces: a toString, a getter that
 * throws or a Proxy cannot crash the reader or run twice.
 */
export function model_read_thrown(e: unknown): model_thrown {
  if (typeof e === 'string') return { name: 'Error', message: e, stack: '' };
  if (typeof e !== 'object' || e === null) return { name: 'Error', message: `${model_describe_value(e)} was thrown`, stack: '' };
  const field = (k: 'name' | 'message' | 'stack'): { ok: boolean; value: unknown } => {
    const r = model_read_fields(e, [k]);
    return r.ok ? { ok: true, value: r.fields[k] } : { ok: false, value: undefined };
  };
  const name = field('name');
  const message = field('message');
  const stack = field('stack');
  return {
    name: typeof name.value === 'string' ? name.value : 'Error',
    message: typeof message.value === 'string' ? message.value : message.ok ? '(a thrown value without a message)' : '(a thrown value that could not be read)',
    stack: typeof stack.value === 'string' ? stack.value : '',
  };
}
