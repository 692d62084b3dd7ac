// Issue 13's "first screen" and "beyond the anchors", checked as a learner
// meets them:
// - every starter's first screen (what `npx shrinker-lab run NN` prints)
//   fits 80x24: the exercise, the file to edit, the lesson, every check, the
//   first failure, and the starter's own story (never decoys' notes, which
//   would read as a list of answers), with no line wider than 80 columns;
// - `watch --edit-cmd` opens the exercise's file in the learner's editor;
// - on a terminal that takes them, the file to edit and the lesson are OSC 8
//   links to the file (at the TODO's line);
// - the checks also run as ordinary vitest tests, one test per check, with
//   the same verdict and message as the loop;
// - the loop never shows a solution before the exercise has passed.
// The starters' verdicts are computed in-process (the same checks the worker
// runs), then rendered by the command's own code.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run_checks } from '../../course/checks';
import { COURSE_ROOT, load_impl, load_suite, read_manifest, starter_dir } from '../../course/files';
import type { exercise_run } from '../../course/outcome';
import { run_verdict_rows } from '../../cli/commands/run';
import { exercise_header, render_run, rows_of, verdict_notes } from '../../cli/report';
import { read_known_wrong } from '../../course/known_wrong';
import { keep_starters } from '../../cli/starters';
import { cli, make_course_copy, remove_copy, solve, TINY } from './course_copy';

const manifest = read_manifest();

describe("every starter's first screen", () => {
  // A learner's fresh copy, whose kept starters are this tree's (cli/starters.ts): the main tree's own
  // .shrinker-lab/ may hold starters of an older course.
  let copy = '';
  beforeAll(() => {
    copy = make_course_copy(true);
    for (const e of read_manifest(copy).exercises) keep_starters(copy, e, true);
  });
  afterAll(() => remove_copy(copy));

  for (const e of manifest.exercises) {
    it(`${e.id}: fits 80x24 and tells the starter's story, not known wrong answers`, async () => {
      const results = await run_checks(await load_suite(e), await load_impl(e, starter_dir(e)));
      const run: exercise_run = { exercise: e.id, status: 'failed', results, diagnostics: [], message: '', ms: 1000 };
      expect(results.some((r) => r.status === 'failed'), `${e.id}: the starter fails`).toBe(true);
      const notes = verdict_notes(copy, e, run);
      expect(notes, `${e.id}: the starter is untouched in the tree, so its story is told`).toEqual({ known_wrong: [], starter_story: e.starter_story });
      // Paths as a learner in the course's folder sees them (the copy's files are this tree's).
      const screen = `${exercise_header(COURSE_ROOT, e)}\n\n${render_run(e, run, { ...notes, root: COURSE_ROOT })}`.split('\n');
      expect(screen.length, `${e.id}: the first screen\n${screen.join('\n')}`).toBeLessThanOrEqual(22); // + the watch loop's progress and keys lines
      expect(screen.filter((l) => [...l].length > 80), `${e.id}: lines wider than 80 columns`).toEqual([]);
      const text = screen.join('\n');
      expect(text).toContain(`exercises/${e.id}/`);
      expect(text).toContain(`lesson: ${e.lesson}`);
      expect(text).toMatch(/^First failure: /m);
      expect(text).toContain('The starter, as shipped: ');
      expect(text).not.toMatch(/known wrong answer|solutions\//);
    });
  }
});

// An edited file's verdicts, generated: which checks fail, failures whose message has every part a real
// one can have (a long first paragraph, the kernel's key lines, a Call Trace down to the learner's line,
// the schedule, a trace tail), one to six known wrong answers, the learner's own output. The first screen
// of `run` fits 80x24 with the shell's prompt under it, the watch loop's verdict the rows it leaves, and
// neither ever drops what leads to the code: the verdict, the first failure's name, the learner's line.
describe("every exercise's first screen once the file is edited (generated verdicts)", () => {
  const words = fc.array(fc.constantFrom('mutex_lock', 'struct_mutex', 'shrinker', 'i915_gem_shrinker_scan', 'returned', '0', 'pages', 'while', 'held', 'by', 'kswapd0:57', 'Xorg:12', 'nr_to_scan=128', 'SHRINK_STOP'), { minLength: 3, maxLength: 40 }).map((w) => w.join(' '));
  const message = (e: (typeof manifest.exercises)[number], file: string) =>
    fc.record({
      first: fc.array(words, { minLength: 1, maxLength: 4 }),
      kernel: fc.boolean(),
      mine: fc.boolean(),
      frames: fc.integer({ min: 1, max: 12 }),
      paragraphs: fc.array(fc.array(words, { minLength: 1, maxLength: 6 }), { maxLength: 4 }),
      replay: fc.boolean(),
      tail: fc.integer({ min: 0, max: 40 }),
      line: fc.integer({ min: 1, max: 400 }),
    }).map((m) => {
      const call_trace = ['Call Trace:', ...Array.from({ length: m.frames }, (_, i) => ` frame_${i} (kernel/mm/vmscan.ts:${100 + i})`)];
      if (m.mine) call_trace.splice(2, 0, ` i915_gem_shrinker_scan (exercises/${e.id}/${file}:${m.line})   <- your code`);
      return [
        m.first.join('\n') + '\n  found with 1 preemption; every interleaving with at most 2 preemptions covered',
        ...(m.kernel ? [['The kernel said:', '[    1.000002] ======================================================', '[    1.000003] WARNING: possible circular locking dependency detected', '[    1.000004] INFO: task Xorg:12 blocked for more than 120 seconds.', ...call_trace.map((l) => `  ${l}`)].join('\n')] : [["Your code's first traced call into the kernel in this run, at " + `exercises/${e.id}/${file}:${m.line}:`, ...call_trace.map((l) => `  ${l}`)].join('\n')]),
        ...m.paragraphs.map((p) => p.join('\n')),
        'The schedule, as departures from the default: at decision #12 run pid 3',
        ...(m.replay ? [`Replay it: sl1:${e.id.slice(0, 2)}-some-scenario-name:m7:12=3.40=2:ab12`] : []),
        ['End of the trace:', ...Array.from({ length: m.tail }, (_, i) => `[    1.00${i}] kswapd0-57 [000] sched_switch: prev_comm=kswapd0 ==> next_comm=Xorg`)].join('\n'),
      ].join('\n\n');
    });

  for (const e of manifest.exercises) {
    it(`${e.id}: the first screen fits 80x24 and keeps the learner's line`, async () => {
      const names = (await load_suite(e)).checks.map((c) => ({ id: c.id, name: c.name }));
      const known = read_known_wrong(e);
      const verdict = fc.record({
        failing: fc.subarray(names, { minLength: 1 }),
        messages: fc.array(message(e, e.files[0]!), { minLength: names.length, maxLength: names.length }),
        known: fc.subarray(known.length ? known : [{ name: 'x', why: 'A wrong answer. It is wrong.', signature: '' }], { maxLength: 6 }),
        output: fc.array(words, { maxLength: 30 }),
      });
      fc.assert(
        fc.property(verdict, (v) => {
          const results = names.map((c, i) => (v.failing.includes(c) ? { ...c, status: 'failed' as const, message: v.messages[i]!.replace('some-scenario-name', `scenario-of-check-${i}`) } : { ...c, status: 'passed' as const, message: 'ok' }));
          const run: exercise_run = { exercise: e.id, status: 'failed', results, diagnostics: [], message: '', ms: 1234 };
          const notes = { known_wrong: v.known, starter_story: null, output: v.output.join('\n') };
          const header = exercise_header(COURSE_ROOT, e);
          const screen = `${header}\n\n${render_run(e, run, { ...notes, root: COURSE_ROOT, max_rows: run_verdict_rows(header) })}`;
          const ctx = `${e.id}: the first screen\n${screen}`;
          expect(rows_of(screen, 80), ctx).toBeLessThanOrEqual(23); // the shell's prompt takes the 24th
          expect(screen.split('\n').filter((l) => [...l].length > 80), ctx).toEqual([]);
          const first = results.find((r) => r.status === 'failed')!;
          expect(screen, ctx).toContain(`${v.failing.length} OF ${names.length} CHECKS FAIL`);
          expect(screen, ctx).toContain(`First failure: ${first.name.slice(0, 20)}`);
          if (first.message.includes('<- your code')) expect(screen, ctx).toMatch(/^ {2}your code: \S+:\d+ in i915_gem_shrinker_scan/m);
          // The full trace offered is the trace of the failure shown, never another check's.
          const replay = /Replay it: (sl1:\S+)/.exec(first.message)?.[1];
          if (replay) expect(screen, ctx).toContain(`Full trace: npx shrinker-lab replay ${replay}`);
          else expect(screen, ctx).not.toContain('Full trace:');
          // The watch loop's verdict gets what its progress, site, header and keys rows leave: 15 rows.
          const watched = render_run(e, run, { ...notes, full_hint: 'press f', root: COURSE_ROOT, max_rows: 15 });
          expect(rows_of(watched, 80), `${e.id}: the watch loop's verdict\n${watched}`).toBeLessThanOrEqual(15);
        }),
        { seed: 13, numRuns: 60 },
      );
    });
  }
});

describe('the loop beyond the anchors', () => {
  let root = '';
  beforeAll(() => {
    root = make_course_copy();
  });
  afterAll(() => remove_copy(root));

  it('watch --edit-cmd opens the current exercise\'s file in the editor', async () => {
    const marker = join(root, 'editor-opened.txt');
    const editor = join(root, 'fake-editor.cjs');
    writeFileSync(editor, `require('node:fs').writeFileSync(${JSON.stringify(marker)}, process.argv.slice(2).join('\\n'));\n`);
    const r = await cli(root, ['watch', '02', '--once', '--no-site', '--edit-cmd', `${process.execPath} ${editor}`]);
    expect(r.code).toBe(1);
    // The editor is a process of its own: wait (in steps, a backstop of 5 min, not a deadline) until it has written.
    for (let i = 0; i < 3000 && !existsSync(marker); i++) await new Promise((res) => setTimeout(res, 100));
    expect(readFileSync(marker, 'utf8')).toBe(join(root, 'exercises', TINY, 'sum.ts'));
  });

  it('on a terminal that takes links, the file to edit and the lesson are OSC 8 links', async () => {
    const out = await new Promise<string>((res) => {
      execFile(process.execPath, [join(root, 'bin/shrinker-lab.js'), 'run', '02'], { cwd: root, env: { ...process.env, FORCE_COLOR: '1', NO_COLOR: '' } }, (_err, stdout) => res(stdout));
    });
    const link = (path: string, line?: number) => `\x1b]8;;file://${encodeURI(join(root, path))}${line ? `#L${line}` : ''}\x07`;
    expect(out).toContain(`${link(`exercises/${TINY}/sum.ts`, 2)}exercises/${TINY}/sum.ts:2\x1b]8;;\x07`);
    expect(out).toContain(`${link("lessons/00-introduction.md")}lessons/00-introduction.md\x1b]8;;\x07`);
  });

  it('the checks run as vitest tests, one per check, with the loop\'s verdict and message', async () => {
    writeFileSync(join(root, 'checks', `${TINY}.test.ts`), `import { vitest_checks } from '../course/vitest_checks';\n\nvitest_checks('${TINY}');\n`);
    const vitest = (): Promise<string> =>
      new Promise((res) => {
        execFile(process.execPath, [join(root, 'node_modules/vitest/vitest.mjs'), 'run', '--project', 'checks', `checks/${TINY}`], { cwd: root, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '' }, maxBuffer: 16 << 20 }, (_e, stdout, stderr) => res(stdout + stderr));
      });
    const loop = await cli(root, ['run', '02']);
    const failing = await vitest();
    expect(failing).toMatch(/adds two numbers/);
    expect(failing).toMatch(/1 failed/);
    expect(loop.stdout).toContain('returned -1, not 5');
    expect(failing).toContain('returned -1, not 5');
    solve(root, TINY, 'sum.ts');
    expect(await vitest()).toMatch(/1 passed/);
  });

  it('never shows a solution before the exercise has passed', async () => {
    const r = await cli(root, ['run', '01']);
    expect(r.code).toBe(1);
    expect(r.stdout).not.toMatch(/solutions\/|Reference solution/);
    const s = await cli(root, ['solution', '01']);
    expect(s.code).not.toBe(0);
    expect(s.stdout + s.stderr).not.toContain('Reference solution:');
  });
});
