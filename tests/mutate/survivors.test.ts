// The survivors file (mutate/survivors.ts): judgements are kept across runs
// by key (not line), new survivors arrive as open, killed ones leave, and
// the score leaves out compile errors and equivalent mutants.
import { describe, expect, it } from 'vitest';
import { function_at, key_of, merge_survivors, score_of, text_between, type outcome, type survivors_file } from '../../mutate/survivors';

function o(over: Partial<outcome>): outcome {
  const base: Omit<outcome, 'key'> = { tool: 'kernel', target: 'solution', file: 'f.ts', line: 1, column: 1, operator: 'statement-delete', function_name: 'fn', original: 'mutex_unlock(l);', replacement: '', description: '', status: 'survived', failed: [], detail: '', ms: 0, ...over };
  return { ...base, key: over.key ?? key_of(base, new Map()) };
}

describe('survivors', () => {
  it('numbers repeated keys so that two identical edits in one function stay apart', () => {
    const seen = new Map<string, number>();
    const a = key_of(o({}), seen);
    const b = key_of(o({ line: 9 }), seen);
    expect(a).toBe('kernel/statement-delete in fn: mutex_unlock(l); -> ');
    expect(b).toBe(`${a} (#2)`);
  });

  it('keeps a judgement when the mutant moved to another line, adds new survivors as open, drops killed ones', () => {
    const old: survivors_file = {
      exercise: 'x',
      survivors: [
        { key: o({}).key, tool: 'kernel', file: 'f.ts', line: 1, status: 'equivalent', why: 'the outer frame unlocks' },
        { key: 'kernel/boundary in fn: < -> <=', tool: 'kernel', file: 'f.ts', line: 3, status: 'open', why: '' },
        { key: 'stryker/BlockStatement in fn: {} -> {}', tool: 'stryker', file: 'f.ts', line: 2, status: 'equivalent', why: 'kept: stryker did not run' },
      ],
      starter_passes: [],
    };
    const now = [o({ line: 7 }), o({ operator: 'await-drop', original: 'await x()', replacement: 'x()' }), o({ operator: 'boundary', original: '<', replacement: '<=', status: 'killed' })];
    const f = merge_survivors(old, now, { tools: ['kernel'], starter: false, solution: true });
    expect(f.survivors.map((s) => [s.key, s.status, s.line])).toEqual([
      ['kernel/await-drop in fn: await x() -> x()', 'open', 1],
      ['kernel/statement-delete in fn: mutex_unlock(l); -> ', 'equivalent', 7],
      ['stryker/BlockStatement in fn: {} -> {}', 'equivalent', 2],
    ]);
  });

  it('writes the entries in one order whichever tool ran last', () => {
    const k = o({ line: 5 });
    const st = o({ tool: 'stryker', operator: 'BlockStatement', original: '{ x(); }', replacement: '{}', line: 2 });
    const empty: survivors_file = { exercise: 'x', survivors: [], starter_passes: [] };
    const kernel_then_stryker = merge_survivors(merge_survivors(empty, [k], { tools: ['kernel'], starter: false, solution: true }), [st], { tools: ['stryker'], starter: false, solution: true });
    const stryker_then_kernel = merge_survivors(merge_survivors(empty, [st], { tools: ['stryker'], starter: false, solution: true }), [k], { tools: ['kernel'], starter: false, solution: true });
    expect(kernel_then_stryker).toEqual(stryker_then_kernel);
    expect(kernel_then_stryker.survivors.map((s) => s.tool)).toEqual(['kernel', 'stryker']);
  });

  it('scores killed / (total - compile errors - equivalent)', () => {
    const outcomes = [o({ status: 'killed', original: 'a' }), o({ status: 'timeout', original: 'b' }), o({ status: 'compile-error', original: 'c' }), o({ original: 'd' }), o({ original: 'e' })];
    const f: survivors_file = { exercise: 'x', survivors: [{ key: outcomes[3]!.key, tool: 'kernel', file: 'f.ts', line: 1, status: 'equivalent', why: 'w' }], starter_passes: [] };
    const s = score_of(outcomes, f, 'kernel');
    expect(s).toMatchObject({ total: 5, killed: 2, survived: 1, equivalent: 1, compile_errors: 1 });
    expect(s.score).toBeCloseTo(2 / 3);
  });

  it('finds the enclosing function and the replaced text of a Stryker location', () => {
    const text = 'export function f(a: number): number {\n  return a < 2 ? 1 : 0;\n}\n';
    expect(function_at(text, 2, 10)).toBe('f');
    expect(text_between(text, 2, 10, 2, 15)).toBe('a < 2');
  });
});
