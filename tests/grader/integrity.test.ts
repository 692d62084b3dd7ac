// Tamper evidence and the import policy.
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COURSE_ROOT, list_variants, solution_dir, starter_dir, variant_dir } from '../../course/files';
import { check_policy } from '../../grader/policy';
import { CHECKSUMS_PATH, compute_checksums, diff_checksums, make_temp, protected_files, read_checksums } from '../../grader/tree';
import { manifest, snippet } from './fixtures';

describe('the checksum manifest (grader/checksums.json)', () => {
  it('is up to date with the tests, model, harness and configuration', () => {
    const expected = read_checksums(COURSE_ROOT);
    expect(expected, `${CHECKSUMS_PATH} is missing. Generate it with: npm run grade -- checksums --write`).not.toBeNull();
    const d = diff_checksums(expected!, compute_checksums(COURSE_ROOT));
    const stale = [...d.modified.map((f) => `modified ${f}`), ...d.missing.map((f) => `removed ${f}`), ...d.added.map((f) => `new ${f}`)];
    expect(stale, `${CHECKSUMS_PATH} is stale (${stale.join(', ')}). Regenerate it with: npm run grade -- checksums --write`).toEqual([]);
  });

  it('covers the model, the explorer, the checks, the harness and the configuration, and never solutions or starters', () => {
    const files = protected_files(COURSE_ROOT);
    for (const f of ['kernel/init/main.ts', 'explorer/verdict.ts', 'course/checks.ts', 'course/worker.ts', 'grader/grade.ts', 'exercises/course.json', 'package.json', 'tsconfig.json', manifest.exercises[0]!.checks]) {
      expect(files).toContain(f);
    }
    expect(files.filter((f) => f.startsWith('solutions/') || (f.startsWith('exercises/') && f !== 'exercises/course.json'))).toEqual([]);
  });

  it('names a modified, a removed and a new file when a tree differs', () => {
    const root = make_temp('shrinker-sum-');
    for (const f of ['kernel/panic.ts', 'course/checks.ts', 'package.json']) cpSync(join(COURSE_ROOT, f), join(root, f), { recursive: true });
    const before = compute_checksums(root);
    writeFileSync(join(root, 'kernel/panic.ts'), '// patched\n');
    cpSync(join(COURSE_ROOT, 'course/files.ts'), join(root, 'course/files.ts'));
    writeFileSync(join(root, 'package.json'), readFileSync(join(COURSE_ROOT, 'package.json'), 'utf8').replace(/\n/g, '\r\n')); // CRLF only: not a change
    rmSync(join(root, 'course/checks.ts'));
    expect(diff_checksums(before, compute_checksums(root))).toEqual({ modified: ['kernel/panic.ts'], missing: ['course/checks.ts'], added: ['course/files.ts'] });
  });
});

describe('the import policy for graded files', () => {
  const all = manifest.exercises.flatMap((e) => [
    ...e.files.map((f) => ({ e, label: `starter ${e.id}/${f}`, dir: starter_dir(e), f })),
    ...e.files.map((f) => ({ e, label: `solution ${e.id}/${f}`, dir: solution_dir(e), f })),
    ...list_variants(e, 'alternatives').flatMap((a) => e.files.map((f) => ({ e, label: `alternative ${a} ${e.id}/${f}`, dir: variant_dir(e, 'alternatives', a), f }))),
  ]);
  it.each(all.map((x) => [x.label, x] as const))('accepts %s', (_label, x) => {
    // Alternatives live two folders deeper; the policy judges them where a learner would put them.
    const root = make_temp('shrinker-pol-');
    const target = join(root, 'exercises', x.e.id, x.f);
    mkdirSync(join(root, 'exercises', x.e.id), { recursive: true });
    writeFileSync(target, readFileSync(join(x.dir, x.f), 'utf8').replaceAll("'../../../../", "'../../"));
    expect(check_policy(root, target, x.label, x.e)).toEqual([]);
  });

  it('every name an allowlist lists is exported by its kernel module (a typo would refuse a correct fix)', async () => {
    for (const e of manifest.exercises) {
      for (const [mod, names] of Object.entries(e.imports?.allow ?? {})) {
        const ns = (await import(join(COURSE_ROOT, `${mod}.ts`))) as Record<string, unknown>;
        const source = readFileSync(join(COURSE_ROOT, `${mod}.ts`), 'utf8');
        // A listed type is harmless (types are always free) but found in the source, not at run time.
        const exported = (n: string) => n in ns || new RegExp(`^export (type|interface) ${n}\\b`, 'm').test(source);
        for (const n of names) expect(`${e.id} ${mod} ${n}: ${exported(n)}`).toBe(`${e.id} ${mod} ${n}: true`);
      }
    }
  });

  it('refuses each trick of the monkey-patch fixture, and escapes to Node', () => {
    const root = make_temp('shrinker-pol-');
    const target = join(root, 'exercises/01-x/f.ts');
    mkdirSync(join(root, 'exercises/01-x'), { recursive: true });
    const body = `import { mutex_lock } from '../../kernel/locking/mutex';
import { register_initcall } from '../../kernel/init/initcall';
import { readFileSync } from 'node:fs';
import type { check } from '../../course/checks';
${snippet('monkey-patch.txt')}
zone.free_pages = 1 << 30;
export async function f(): Promise<void> { const m = await import('../../kernel/panic'); ({} as any)['constructor']; eval('1'); }
`;
    writeFileSync(target, body);
    // Every violation, not the first MAX_VIOLATIONS a report shows: each trick must be refused by its own rule.
    const v = check_policy(root, target, 'f.ts', undefined, Infinity).map((x) => x.message);
    const has = (re: RegExp) => expect(v.some((m) => re.test(m)), `${re} in:\n${v.join('\n')}`).toBe(true);
    has(/uses 'register_initcall', a model internal that installs hooks/);
    has(/imports 'node:fs'/);
    has(/imports '\.\.\/\.\.\/checks\/01-count-must-not-hide-memory\.checks'/);
    has(/imports '\.\.\/\.\.\/scenarios\/i915_world'/);
    has(/imports '\.\.\/\.\.\/explorer\/verdict'/);
    has(/uses 'prototype'/);
    has(/uses 'globalThis'/);
    has(/uses 'process'/);
    has(/uses 'defineProperty'/);
    has(/code that runs when the file is imported is not allowed/);
    has(/dynamic import\(\) is not allowed/);
    has(/uses 'constructor'/);
    has(/uses 'eval'/);
    // A type-only import runs nothing, but the type check reads the file it names (red team 4, #16): outside kernel/ it is refused too.
    has(/imports '\.\.\/\.\.\/course\/checks' \(even for its types\)/);
    expect(v.some((m) => m.includes("'../../kernel/locking/mutex'"))).toBe(false);
  });

  it('refuses state kept in an exported array or an exported object holding one (red team 4: the course\'s own decoys, their state moved there, scored 10/10)', () => {
    const root = make_temp('shrinker-pol-');
    const target = join(root, 'exercises/01-x/f.ts');
    mkdirSync(join(root, 'exercises/01-x'), { recursive: true });
    writeFileSync(target, `export const seen: number[] = [];\nexport const book = { calls: [] as number[] };\nexport const policy = { lock: 'trylock', n: 1 };\nexport function f(): number { const a = seen; a.splice(0, 0, 1); return a.length + book.calls.length + policy.n; }\n`);
    const v = check_policy(root, target, 'f.ts');
    expect(v.filter((x) => /an exported array, or an exported object holding more than plain values/.test(x.message)).map((x) => x.where)).toEqual(['f.ts:1', 'f.ts:2']);
  });

  it('refuses state kept in the file between calls (course/module_state.ts): the red team\'s "every 16th call"', () => {
    const root = make_temp('shrinker-pol-');
    const target = join(root, 'exercises/09-x/f.ts');
    mkdirSync(join(root, 'exercises/09-x'), { recursive: true });
    writeFileSync(target, `let calls = 0;
export async function f(): Promise<number> {
  calls++;
  return calls % 16 === 0 ? 1 : 0;
}
`);
    const v = check_policy(root, target, 'f.ts');
    expect(v).toEqual([{ where: 'f.ts:1', message: expect.stringMatching(/^a top-level `let`: it keeps its value from one call to the next/) }]);
  });
});

describe("the learner's loop reports the allowlist too (course/typecheck.ts import_problems)", () => {
  it('names the refused import with file, line and the reason, and lets types and allowed names through', async () => {
    const { import_problems } = await import('../../course/typecheck');
    const e04 = manifest.exercises.find((e) => e.id.startsWith('04-'))!;
    const root = make_temp('shrinker-allow-');
    const file = join(root, 'exercises', e04.id, e04.files[0]!);
    mkdirSync(join(root, 'exercises', e04.id), { recursive: true });
    writeFileSync(file, "import type { mutex } from '../../kernel/locking/mutex';\nimport { mutex_trylock } from '../../kernel/locking/mutex';\nexport { mutex_trylock_recursive } from '../../kernel/locking/mutex';\nimport * as sched from '../../kernel/sched/core';\n");
    expect(import_problems(e04, root, [file]).map((d) => `${d.file}:${d.line} ${d.code} ${d.message}`)).toEqual([
      `exercises/${e04.id}/${e04.files[0]}:3 SL-IMPORT exercise 04 may not import mutex_trylock_recursive: implementing it is the exercise`,
      `exercises/${e04.id}/${e04.files[0]}:4 SL-IMPORT exercise 04 may not import all of kernel/sched/core: import the names you use (allowed: ${e04.imports!.allow['kernel/sched/core']!.join(', ')})`,
    ]);
  });
});
