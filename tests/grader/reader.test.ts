// The grader's own process does no work whose cost a learner's text chooses
// (grader/read.ts): transpiling and parsing the graded files happens in a
// reader child of the one runner, under its CPU budget, and a file the
// compiler cannot read gets an error of its own. Costs are CPU time, never
// wall time: the claims hold on a quiet and on a saturated machine.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { starter_dir } from '../../course/files';
import { transpile_source } from '../../course/transpile';
import { grade_submission, prepare_base, release_base, type grade_report, type grading_base } from '../../grader/grade';
import { check_policy } from '../../grader/policy';
import { read_learner_files } from '../../grader/read';
import { make_temp } from '../../grader/tree';
import { RESULT_MARKER } from '../../course/outcome';
import { seal_epilogue } from '../../grader/transpile';
import { add_files, add_starter_with, EX01, manifest, new_submission } from './fixtures';

/** CPU time (user + system) this process spends in @f, ms. */
async function cpu_of(f: () => Promise<unknown>): Promise<number> {
  const c = process.cpuUsage();
  await f();
  const d = process.cpuUsage(c);
  return (d.user + d.system) / 1000;
}

/** @e's starter and @n lines of expando assignments (n = 0: as many as fit in the 64 KiB cap): TypeScript's binder is quadratic in them. */
function expando_file(e: (typeof manifest.exercises)[number], n = 0): string {
  const starter = readFileSync(join(starter_dir(e), e.files[0]!), 'utf8');
  const fn = /export (?:async )?function (\w+)/.exec(starter)![1]!;
  const line = `${fn}.a = ${fn}.a = ${fn}.a = 1;\n`;
  return `${starter}\n${line.repeat(n || Math.floor((64 * 1024 - starter.length - 2) / line.length))}`;
}

describe('the grader reads learner files in a child, never in its own process', () => {
  let base: grading_base;
  beforeAll(() => {
    base = prepare_base();
  });
  afterAll(() => release_base(base));

  it("a pathological file costs the grader's process no more CPU than an ordinary one", async () => {
    const EXS = manifest.exercises.filter((e) => /export (?:async )?function \w+/.test(readFileSync(join(starter_dir(e), e.files[0]!), 'utf8')));
    expect(EXS.length).toBeGreaterThanOrEqual(8);
    const slow = new_submission('expando-chains');
    const plain = new_submission('one-expando');
    for (const e of EXS) {
      add_files(slow, e, starter_dir(e));
      writeFileSync(join(slow, e.id, e.files[0]!), expando_file(e));
      // The same verdict (code at import) for one line: the two gradings differ only in what reading costs.
      add_files(plain, e, starter_dir(e));
      writeFileSync(join(plain, e.id, e.files[0]!), expando_file(e, 1));
    }
    // What reading those files costs when done here: the work the parent must not do.
    const in_process = await cpu_of(async () => {
      for (const e of EXS) {
        const file = join(slow, e.id, e.files[0]!);
        const text = readFileSync(file, 'utf8');
        transpile_source(file, text);
        seal_epilogue(text);
        check_policy(base.dir, file, 'f.ts', e);
      }
    });
    const opts = { exercises: EXS.map((e) => e.id.slice(0, 2)), typecheck: false, starter_baseline: false };
    let report = null as grade_report | null;
    const grading_slow = await cpu_of(async () => (report = await grade_submission(base, { ...opts, submission: slow })));
    let control = null as grade_report | null;
    const grading_plain = await cpu_of(async () => (control = await grade_submission(base, { ...opts, submission: plain })));
    // Each file is read (its expandos are code at import: the policy names them) and none is run.
    for (const e of [...report!.exercises, ...control!.exercises]) {
      expect(e.status).toBe('policy');
      expect(e.message).toMatch(/code that runs when the file is imported/);
    }
    // Without the reader the parent spent `in_process` on them (several seconds of CPU).
    console.log(`reading in this process: ${in_process.toFixed(0)} ms of CPU; grading them: ${grading_slow.toFixed(0)} ms, an ordinary edit: ${grading_plain.toFixed(0)} ms`);
    expect(in_process).toBeGreaterThan(1000);
    expect(grading_slow - grading_plain).toBeLessThan(in_process / 2);
  });

  it('a file the compiler cannot read (its parser overflows the stack) gets an error of its own; the other exercises are graded', async () => {
    const EX04 = manifest.exercises.find((e) => e.id.startsWith('04-'))!;
    const sub = new_submission('deep-nesting');
    const n = 30_000;
    add_starter_with(sub, EX01, `\nexport const deep = ${'('.repeat(n)}1${')'.repeat(n)};\n`);
    add_starter_with(sub, EX04, '\n// an edit\n');
    const r = await grade_submission(base, { submission: sub, exercises: ['01', '04'], typecheck: false, starter_baseline: false });
    const [e01, e04] = r.exercises;
    expect(e01!.status).toBe('compile_error');
    expect(e01!.message).toMatch(/^not graded: exercises\/01-[a-z-]+\/i915_gem_shrinker_count\.ts: the compiler could not read it: Maximum call stack size exceeded$/);
    expect(e04!.status).not.toBe('compile_error');
    expect(e04!.checks.length).toBeGreaterThan(0);
  });

  it('a reader out of CPU blames the file it was on, and a new reader goes on with the rest', async () => {
    // A stand-in reader (same channel, same runner), so that one file surely spins: it reads a file
    // by echoing it, and loops for ever on one named *loop*. The runner's CPU budget must stop it.
    const fake = make_temp('shrinker-fake-reader-');
    mkdirSync(join(fake, 'grader'), { recursive: true });
    writeFileSync(join(fake, 'package.json'), '{"type":"module"}');
    writeFileSync(
      join(fake, 'grader/read_child.js'),
      `import { writeSync, readFileSync } from 'node:fs';
const M = ${JSON.stringify(RESULT_MARKER)}, N = 'ab'.repeat(16);
writeSync(3, M + JSON.stringify({ nonce: N }) + '\\n');
const a = process.argv.slice(3);
for (let i = 0; i < a.length; i++) if (a[i] === '--file') {
  if (a[i + 1].includes('loop')) for (;;) {}
  writeSync(3, M + N + JSON.stringify({ file: a[i + 1], js: readFileSync(a[i + 1], 'utf8'), errors: [], violations: [] }) + '\\n');
}
`,
    );
    const dir = join(base.dir, 'exercises', EX01.id);
    const files = ['a_probe.ts', 'loop_probe.ts', 'c_probe.ts'].map((f) => join(dir, f));
    for (const f of files) writeFileSync(f, `export const x = ${JSON.stringify(f)};\n`);
    const out = await read_learner_files(fake, base.dir, files.map((f) => ({ file: f, display: f, exercise: EX01.id })), 1000);
    expect(out.map((r) => r.file)).toEqual(files);
    expect(out.map((r) => ('failure' in r ? r.failure : 'read'))).toEqual([
      'read',
      "reading it (the compiler's parse and transpile, before any of it runs) used more than 1 s of CPU time and was stopped",
      'read',
    ]);
    // The real reader reads them all, with their JavaScript.
    const real = await read_learner_files(base.reader_dir, base.dir, files.map((f) => ({ file: f, display: f, exercise: EX01.id })));
    expect(real.map((r) => ('js' in r ? r.js.trim() : r.failure))).toEqual(files.map((f) => `export const x = ${JSON.stringify(f)};`));
  });
});
