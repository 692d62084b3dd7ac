// The kernel mutation operators (mutate/operators.ts) on a tiny fixture:
// each kind of mutant is generated where it should be, with the import it
// needs, and every mutant is still valid TypeScript syntax.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { generate_mutants, KERNEL_OPERATORS, type mutant } from '../../mutate/operators';

const FIXTURE = 'tests/mutate/fixtures/take-and-release/take_and_release.ts';
const text = readFileSync(join(import.meta.dirname, 'fixtures/take-and-release/take_and_release.ts'), 'utf8');
const mutants = generate_mutants(text, FIXTURE);

function find(operator: mutant['operator'], original: string, replacement: string): mutant | undefined {
  return mutants.find((m) => m.operator === operator && m.original === original && m.replacement === replacement);
}

describe('kernel mutation operators', () => {
  it('delete the unlock (and every other statement of a function body)', () => {
    const m = find('statement-delete', 'mutex_unlock(lock);', '');
    expect(m?.function_name).toBe('take_and_release');
    expect(m?.description).toContain('the release/wait is not done');
    expect(m?.text).not.toContain('  mutex_unlock(lock);\n  return true;');
    expect(mutants.filter((x) => x.operator === 'statement-delete' && x.original === 'mutex_unlock(lock);')).toHaveLength(2);
  });

  it('drop an await', () => {
    const m = find('await-drop', 'await kmalloc(64, GFP_KERNEL)', 'kmalloc(64, GFP_KERNEL)');
    expect(m?.text).toContain('const buf = kmalloc(64, GFP_KERNEL);');
  });

  it('swap mutex_trylock for a sleeping mutex_lock only where it can be awaited, adding the import', () => {
    const m = find('sibling-call', 'mutex_trylock(lock)', '(await mutex_lock(lock), true)');
    expect(m?.function_name).toBe('take_and_release');
    expect(m?.text).toContain("import { mutex_lock } from '../../../../kernel/locking/mutex';");
    const in_sync = mutants.filter((x) => x.function_name === 'owner_is_free' && x.replacement.includes('await'));
    expect(in_sync).toEqual([]);
    expect(mutants.some((x) => x.function_name === 'owner_is_free' && x.replacement === 'mutex_is_locked(lock)')).toBe(true);
  });

  it('swap GFP_KERNEL for its neighbours, importing them from gfp', () => {
    for (const to of ['GFP_NOFS', 'GFP_NOIO', 'GFP_NOWAIT', 'GFP_ATOMIC']) {
      const m = find('constant-swap', 'GFP_KERNEL', to);
      expect(m, to).toBeDefined();
      expect(m!.text).toContain(`import { ${to} } from '../../../../kernel/mm/gfp';`);
      expect(m!.text).toContain(`kmalloc(64, ${to})`);
    }
  });

  it('swap < and <=, remove a condition, replace a return and a whole body', () => {
    expect(find('boundary', '<', '<=')?.line).toBe(10);
    expect(find('condition', 'buf && budget < 4', 'true')).toBeDefined();
    expect(find('condition', 'buf && budget < 4', 'false')).toBeDefined();
    expect(find('return-constant', 'true', 'false')?.function_name).toBe('take_and_release');
    expect(find('body-return', text.slice(text.indexOf('{\n  if (!mutex_trylock')).split('\n}\n')[0]!.replace(/\s+/g, ' ') + ' }', '{ return true; }')).toBeDefined();
  });

  it('changes exactly one place per mutant, and every mutant still parses', () => {
    expect(new Set(mutants.map((m) => m.text)).size).toBe(mutants.length);
    for (const m of mutants) {
      expect(m.text).not.toBe(text);
      const sf = ts.createSourceFile('m.ts', m.text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
      const diags = (sf as unknown as { parseDiagnostics: ts.Diagnostic[] }).parseDiagnostics;
      expect(diags.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')), `${m.id} ${m.description}`).toEqual([]);
    }
  });

  it('calls a sibling that takes some of the arguments, in its own order, importing it', () => {
    const windup = [
      "import { atomic_long_add_return, atomic_long_xchg, type atomic_long_t } from '../../kernel/lib/atomic';",
      'export function take_and_give_back(deferred: atomic_long_t, next: number): number {',
      '  const nr = atomic_long_xchg(deferred, 0);',
      '  atomic_long_add_return(next, deferred);',
      '  return nr;',
      '}',
      '',
    ].join('\n');
    const ms = generate_mutants(windup, 'solutions/11-x/do_shrink_slab.ts', { operators: ['sibling-call'] });
    const read = ms.find((x) => x.original === 'atomic_long_xchg(deferred, 0)');
    expect(read?.replacement).toBe('atomic_long_read(deferred)');
    expect(read?.text).toContain("import { atomic_long_read } from '../../kernel/lib/atomic';");
    const set = ms.find((x) => x.original === 'atomic_long_add_return(next, deferred)');
    expect(set?.replacement).toBe('atomic_long_set(deferred, next)');
    expect(set?.text).toContain('  atomic_long_set(deferred, next);\n');
  });

  it('swaps memalloc_noreclaim_save for memalloc_noio_save and a killable sleep for an uninterruptible one', () => {
    const src = [
      "import { memalloc_noreclaim_restore, memalloc_noreclaim_save } from '../../kernel/sched/mm';",
      "import { schedule_timeout_killable } from '../../kernel/sched/core';",
      'export async function f(): Promise<void> {',
      '  const flags = memalloc_noreclaim_save();',
      '  await schedule_timeout_killable(1);',
      '  memalloc_noreclaim_restore(flags);',
      '}',
      '',
    ].join('\n');
    const ms = generate_mutants(src, 'solutions/10-x/w.ts', { operators: ['sibling-call'] });
    expect(ms.find((x) => x.replacement === 'memalloc_noio_save()')?.text).toContain("import { memalloc_noio_save } from '../../kernel/sched/mm';");
    expect(ms.find((x) => x.replacement === 'schedule_timeout_uninterruptible(1)')?.text).toContain('await schedule_timeout_uninterruptible(1);');
  });

  it("swaps an i915_gem_shrink() flag for its neighbours and a buffer's madvise state, importing them from i915_drv", () => {
    const src = [
      "import { I915_MADV_DONTNEED, I915_SHRINK_BOUND, I915_SHRINK_UNBOUND } from '../../kernel/drivers/gpu/drm/i915/i915_drv';",
      'export function flags(madv: number): number {',
      '  return madv === I915_MADV_DONTNEED ? I915_SHRINK_BOUND | I915_SHRINK_UNBOUND : 0;',
      '}',
      '',
    ].join('\n');
    const ms = generate_mutants(src, 'solutions/09-x/s.ts', { operators: ['constant-swap'] });
    expect(ms.filter((x) => x.original === 'I915_SHRINK_BOUND').map((x) => x.replacement).sort()).toEqual(['I915_SHRINK_ACTIVE', 'I915_SHRINK_PURGEABLE', 'I915_SHRINK_UNBOUND']);
    const willneed = ms.find((x) => x.replacement === 'I915_MADV_WILLNEED');
    expect(willneed?.text).toContain("import { I915_MADV_WILLNEED } from '../../kernel/drivers/gpu/drm/i915/i915_drv';");
    expect(willneed?.text).toContain('madv === I915_MADV_WILLNEED ?');
    expect(ms.some((x) => x.text.startsWith("import { I915_MADV_DONTNEED, I915_SHRINK_ACTIVE"))).toBe(false);
  });

  it('for starters, also negates a condition, turns a comparison round, swaps a mask operator and moves a number', () => {
    expect(find('condition-negate', 'buf && budget < 4', '!(buf && budget < 4)')?.function_name).toBe('take_and_release');
    expect(find('condition-negate', '!mutex_trylock(lock)', '!(!mutex_trylock(lock))')).toBeDefined();
    expect(find('relational-negate', '<', '>=')?.text).toContain('budget >= 4');
    expect(mutants.filter((m) => m.operator === 'literal' && m.original === '4').map((m) => m.replacement).sort()).toEqual(['0', '1', '3', '5']);
    expect(mutants.filter((m) => m.operator === 'literal' && m.original === '64').map((m) => m.replacement).sort()).toEqual(['0', '1', '63', '65']);
    const masks = generate_mutants('export function f(a: number, b: number): number {\n  return (a & b) | (a << 2);\n}\n', 'exercises/x/f.ts');
    expect(masks.filter((m) => m.operator === 'bitwise-swap').map((m) => `${m.original}->${m.replacement}`).sort()).toEqual(['&->|', '<<->>>', '|->&']);
    expect(masks.find((m) => m.operator === 'bitwise-swap' && m.original === '&')?.text).toContain('return (a | b) | (a << 2);');
  });

  it('leaves the generic operators out of the kernel set the reference solutions are graded with', () => {
    const kernel_only = generate_mutants(text, FIXTURE, { operators: KERNEL_OPERATORS });
    expect(kernel_only.some((m) => ['condition-negate', 'relational-negate', 'bitwise-swap', 'literal', 'logical-swap'].includes(m.operator))).toBe(false);
  });

  it('limits itself to the operators asked for', () => {
    const only = generate_mutants(text, FIXTURE, { operators: ['await-drop'] });
    expect(only.map((m) => m.operator)).toEqual(['await-drop']);
  });
});
