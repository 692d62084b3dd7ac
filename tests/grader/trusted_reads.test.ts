// The class "trusted code coerces a learner value" (grader brief s7, item 2).
// String(x), `${x}`, JSON.stringify(x), instanceof and a property read run
// the learner's toString / Symbol.toPrimitive / toJSON / getters / Proxy
// traps on the trusted side, after the call the checks judge: they can crash
// a check, answer the judge and the model differently, or put any text in a
// message. Every such read goes through kernel/model_value.ts (typeof first,
// one read per field, never a coercion). One test per route: each fails
// without its fix (the hostile value's code runs: `ran` is not empty).
import { describe, expect, it } from 'vitest';
import { define_checks, fail, pass, run_checks, type exercise_impl } from '../../course/checks';
import { model_describe_kind, model_describe_value, model_read_fields, model_read_thrown } from '../../kernel/model_value';
import { start_kernel } from '../../kernel/init/main';
import { user_task } from '../../kernel/fork';
import { mutex_lock, mutex_unlock } from '../../kernel/locking/mutex';
import { judged_lock, first_violation } from '../../scenarios/shrinker_lock_contract';
import { gem_world } from '../../scenarios/i915_world';
import { msleep } from '../../kernel/sched/core';
import suite01 from '../../checks/01-count-must-not-hide-memory.checks';
import suite02 from '../../checks/02-scan-must-say-stop.checks';
import suite04 from '../../checks/04-owner-word.checks';
import suite06 from '../../checks/06-pin-before-alloc.checks';

const FORGED = 'PASS counts-exactly-unlocked 15/15';

/**
 * A value whose every conversion and every read runs code (recorded in @ran)
 * that answers FORGED: toString, valueOf, Symbol.toPrimitive, toJSON, and
 * name/message/stack getters.
 */
function hostile(ran: string[]): object {
  const forge = (what: string) => (): string => {
    ran.push(what);
    return FORGED;
  };
  return Object.defineProperties({}, {
    toString: { value: forge('toString') },
    valueOf: { value: forge('valueOf') },
    toJSON: { value: forge('toJSON') },
    [Symbol.toPrimitive]: { value: forge('Symbol.toPrimitive') },
    name: { get: forge('name getter') },
    message: { get: forge('message getter') },
    stack: { get: forge('stack getter') },
  });
}

/** A Proxy whose every trap records itself and throws. */
function trapped(ran: string[]): object {
  const handler = new Proxy({}, {
    get: (_t, trap) => (): never => {
      ran.push(`trap ${String(trap)}`);
      throw new Error('trap');
    },
  });
  return new Proxy({}, handler as ProxyHandler<object>);
}

describe('model_value: how trusted code looks at a learner value', () => {
  it('describes any value by its type, never running its code', () => {
    const ran: string[] = [];
    expect(model_describe_value(hostile(ran))).toBe('an object');
    expect(model_describe_value(trapped(ran))).toBe('an object');
    const revocable = Proxy.revocable({}, {});
    revocable.revoke();
    expect(model_describe_value(revocable.proxy)).toBe('an object');
    expect(model_describe_value(Object.assign(() => 0, { toString: () => FORGED }))).toBe('a function');
    expect(model_describe_value(5n)).toBe('the BigInt 5n');
    expect(model_describe_value(Symbol('x'))).toBe('a symbol');
    expect(model_describe_value(NaN)).toBe('NaN');
    expect(model_describe_value(-0)).toBe('0');
    expect(model_describe_value('\u001b[2J\u202eabc')).toBe('"?[2J?abc"');
    expect(model_describe_value('x'.repeat(100))).toBe(`"${'x'.repeat(40)}…"`);
    expect(model_describe_kind('64')).toBe('a string');
    expect(model_describe_kind(5n)).toBe('a BigInt');
    expect(ran).toEqual([]);
  });

  it('reads each field once into a snapshot of primitives, and refuses a field that throws or holds an object', () => {
    const ran: string[] = [];
    let reads = 0;
    const flipping = { get locked() { ran.push('locked'); return reads++ === 0; }, unlock: false };
    const r = model_read_fields(flipping, ['locked', 'unlock'] as const);
    expect(r).toEqual({ ok: true, fields: { locked: true, unlock: false } });
    expect(ran).toEqual(['locked']);
    expect(model_read_fields(trapped([]), ['locked'])).toEqual({ ok: false, why: 'an object whose field locked could not be read (it threw)' });
    expect(model_read_fields({ locked: hostile(ran) }, ['locked'])).toEqual({ ok: false, why: 'an object whose field locked is an object' });
    expect(model_read_fields(7, ['locked'])).toEqual({ ok: false, why: '7, not an object' });
    expect(ran).toEqual(['locked']);
  });

  it('reads a thrown value as three strings, whatever it is', () => {
    const ran: string[] = [];
    expect(model_read_thrown(trapped(ran))).toEqual({ name: 'Error', message: '(a thrown value that could not be read)', stack: '' });
    expect(model_read_thrown('boom')).toEqual({ name: 'Error', message: 'boom', stack: '' });
    expect(model_read_thrown(hostile([]))).toEqual({ name: FORGED, message: FORGED, stack: FORGED }); // strings, read once each
    expect(model_read_thrown({ name: hostile(ran), message: 1 })).toEqual({ name: 'Error', message: '(a thrown value without a message)', stack: '' });
    expect(ran.filter((r) => !r.startsWith('trap'))).toEqual([]);
  });
});

/** The suite's checks, one id, against @impl: the results and what the hostile value ran. */
async function one_check(suite: typeof suite01, id: string, impl: exercise_impl): Promise<{ status: string; message: string }> {
  const [r] = await run_checks(suite, impl, [id]);
  return { status: r!.status, message: r!.message };
}

describe('each route where a check describes a learner\'s answer', () => {
  it('01 count_contract: count returning an object is "an object", its toString never runs', async () => {
    const ran: string[] = [];
    const r = await one_check(suite01, 'counts-exactly-unlocked', { i915_gem_shrinker_count: async () => hostile(ran) });
    expect(r.status).toBe('failed');
    expect(r.message).toMatch(/count returned an object/);
    expect(r.message).not.toContain(FORGED);
    expect(ran).toEqual([]);
  });

  it('02 show: scan returning an object is "an object", its toString never runs', async () => {
    const ran: string[] = [];
    const r = await one_check(suite02, 'returns-pages-released', { i915_gem_shrinker_scan: async () => hostile(ran) });
    expect(r.status).toBe('failed');
    expect(r.message).not.toContain(FORGED);
    expect(ran).toEqual([]);
  });

  it('04 answer: mutex_trylock_recursive returning an object is "an object", its toString never runs', async () => {
    const ran: string[] = [];
    const r = await one_check(suite04, 'success-takes-lock', { mutex_trylock_recursive: () => hostile(ran) });
    expect(r.status).toBe('failed');
    expect(r.message).toMatch(/returned an object/);
    expect(r.message).not.toContain(FORGED);
    expect(ran).toEqual([]);
  });

  it('06: the relocation returning an object is "an object", its toString never runs', async () => {
    const ran: string[] = [];
    const r = await one_check(suite06, 'relocates-the-batch', { i915_gem_execbuffer_relocate: async () => hostile(ran) });
    expect(r.status).toBe('failed');
    expect(r.message).toMatch(/returned an object/);
    expect(r.message).not.toContain(FORGED);
    expect(ran).toEqual([]);
  });

  it('run_checks: a check that lets a hostile thrown value escape fails with its message read once, the grader goes on', async () => {
    const ran: string[] = [];
    const suite = define_checks({
      exercise: '01-count-must-not-hide-memory',
      exports: {},
      checks: [
        { id: 'throws-trapped', name: 'throws a Proxy', run: async () => { throw trapped(ran); } },
        { id: 'throws-forged', name: 'throws an object with forged fields', run: async () => { throw { name: 'Error', message: { toString: () => (ran.push('toString'), FORGED) } }; } },
        { id: 'after', name: 'runs after them', run: async () => pass() },
        { id: 'fails', name: 'fails', run: async () => fail('no') },
      ],
    });
    const rs = await run_checks(suite, {});
    expect(rs.map((r) => [r.id, r.status])).toEqual([['throws-trapped', 'failed'], ['throws-forged', 'failed'], ['after', 'passed'], ['fails', 'failed']]);
    expect(rs[0]!.message).toBe('the check crashed: Error: (a thrown value that could not be read)');
    expect(rs[1]!.message).toBe('the check crashed: Error: (a thrown value that could not be read)'); // its message is an object: not read as text
    expect(ran.filter((r) => !r.startsWith('trap'))).toEqual([]);
  });
});

describe('the shrinker lock contract reads the learner\'s answer once', () => {
  it('a getter that answers the judge "not locked" and the model "locked" is one answer: the model gets the snapshot', async () => {
    // Another task holds struct_mutex; the learner's lock answers { locked } through a getter that flips on every read.
    let model_saw: unknown;
    let judge_said: string | null = null;
    await start_kernel({ totalram_pages: 512 }, () => {
      const w = gem_world({ release: '4.12' });
      let reads = 0;
      const { lock, judge } = judged_lock(async () => ({
        get locked() {
          return reads++ >= 2; // the judge's reads (before the fix: two) hear the truth, the model's i915_gem_shrink the lie
        },
        unlock: false,
      }));
      user_task(async () => {
        await mutex_lock(w.i915.struct_mutex);
        user_task(async () => {
          const st = await lock(w.i915);
          model_saw = { locked: st.locked, unlock: st.unlock }; // as the model's i915_gem_shrink reads it, after the judge
          judge_said = first_violation(judge);
        }, 'kswapd0');
        await msleep(5);
        mutex_unlock(w.i915.struct_mutex);
      }, 'i915_ioctl');
    });
    expect(judge_said).toBeNull(); // the truth, read once: not locked
    expect(model_saw).toEqual({ locked: false, unlock: false }); // the same snapshot, not a second read of the getter
  });

  it('an answer whose fields throw or are objects is a violation in words, and the model gets "not locked"', async () => {
    const ran: string[] = [];
    let model_saw: unknown;
    let judge_said: string | null = null;
    await start_kernel({ totalram_pages: 512 }, () => {
      const w = gem_world({ release: '4.12' });
      const { lock, judge } = judged_lock(async () => hostile(ran) as never);
      user_task(async () => {
        const st = await lock(w.i915);
        model_saw = { ...st };
        judge_said = first_violation(judge);
      }, 'kswapd0');
    });
    expect(judge_said).toBe('the shrinker lock returned { locked: undefined, unlock: undefined }: it must return { locked: boolean, unlock: boolean }.');
    expect(model_saw).toEqual({ locked: false, unlock: false });
    expect(ran).toEqual([]);
  });
});
