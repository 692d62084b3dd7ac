// "Your answer behaves like a known wrong answer": a learner whose file is
// one of the course's decoys is shown that decoy's reviewer note, and the
// signature that matches it ignores workload numbers and task names.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { check_result } from '../../course/checks';
import { read_manifest } from '../../course/files';
import { read_known_wrong, verdict_signature } from '../../course/known_wrong';
import { find_exercise } from '../../course/manifest';
import type { exercise_run } from '../../course/outcome';
import { render_run, verdict_notes } from '../../cli/report';
import { keep_starters } from '../../cli/starters';
import { cli, make_course_copy, remove_copy } from './course_copy';

const failed = (id: string, message: string): check_result => ({ id, name: id, status: 'failed', message });
const passed = (id: string): check_result => ({ id, name: id, status: 'passed', message: 'ok' });

describe('verdict signatures', () => {
  it('are the failing checks with their first message line, numbers and quoted names blanked', () => {
    const a = verdict_signature([passed('x'), failed('b', 'slept 3 time(s) while "kswapd0" held it\n  on the workload: 12 objects'), failed('a', 'returned 40, 12 expected')]);
    const b = verdict_signature([failed('a', 'returned 7, 9 expected'), failed('b', 'slept 1 time(s) while "Xorg" held it'), passed('x')]);
    expect(a).toBe(b);
    expect(a).toBe('a: returned #, # expected\nb: slept # time(s) while "…" held it');
    expect(verdict_signature([passed('x')])).toBe('');
  });
});

describe('the loop on a known wrong answer', () => {
  let root: string;
  beforeAll(() => {
    root = make_course_copy(true);
  });
  afterAll(() => remove_copy(root));

  it("shows the reviewer's note of the decoy the learner's answer behaves like", async () => {
    const e = find_exercise(read_manifest(root), '10');
    const decoy = read_known_wrong(e, root).find((k) => k.name === 'forget-the-early-return')!;
    expect(decoy, 'checks/10-….known-wrong.json records the decoy').toBeDefined();
    // The command runs once before any edit (`npm start` is the way in) and keeps the pristine starters: the
    // decoy written below is then an edited file, not the starter of a course copy that has no git.
    expect((await cli(root, ['list'])).code).toBe(0);
    // A decoy lives two folders deeper than the learner's file: its imports say so.
    const text = readFileSync(join(root, 'solutions', e.id, 'decoys', decoy.name, e.files[0]!), 'utf8').replaceAll('../../../../kernel/', '../../kernel/');
    writeFileSync(join(root, 'exercises', e.id, e.files[0]!), text);
    // The first screen names it; the full report gives the reviewer's whole note.
    const r = await cli(root, ['run', '10']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('A known wrong answer fails this way: “forget-the-early-return”');
    const full = await cli(root, ['run', '10', '--full']);
    expect(full.stdout).toContain('A known wrong answer fails exactly this way.');
    expect(full.stdout).toContain(decoy.why.slice(0, 60));
  });

  it("shows the starter's own story, not decoys' notes, on the untouched starter", async () => {
    const e = find_exercise(read_manifest(root), '11');
    const r = await cli(root, ['run', '11']);
    expect(r.code).toBe(1);
    expect(r.stdout).not.toContain('known wrong answer');
    expect(r.stdout).toContain('The starter, as shipped: ');
    expect(r.stdout.replace(/\s+/g, ' ')).toContain(e.starter_story!.slice(0, 40));
    // The first screen still fits 80x24 (+ the watch loop's progress and keys lines).
    const screen = r.stdout.trimEnd().split('\n');
    expect(screen.length).toBeLessThanOrEqual(22);
    expect(screen.filter((l) => [...l].length > 80)).toEqual([]);
  });
});

describe("the starter's story instead of known wrong answers", () => {
  let root: string;
  beforeAll(() => {
    root = make_course_copy(true);
  });
  afterAll(() => remove_copy(root));

  // A verdict that reproduces decoys' signatures exactly, built from the recorded signature (cheap: no checks run).
  const results_like = (signature: string): check_result[] =>
    signature.split('\n').map((line) => {
      const at = line.indexOf(': ');
      return failed(line.slice(0, at), line.slice(at + 2));
    });

  it('every exercise has a starter story, one that fits two lines of an 80-column screen', () => {
    for (const e of read_manifest(root).exercises) {
      expect(e.starter_story, `${e.id}: exercises/course.json "starter_story"`).toBeTruthy();
      expect(`The starter, as shipped: ${e.starter_story!}`.length, `${e.id}: the story is short`).toBeLessThanOrEqual(200);
    }
  });

  it('on the unmodified starter the story replaces the decoys a starter-like verdict matches; once edited, the decoys come back', () => {
    const e = find_exercise(read_manifest(root), '12');
    // 12's starter fails exactly as several decoys do (an annotation that never fires is silent everywhere).
    const sigs = new Map<string, number>();
    for (const k of read_known_wrong(e, root)) sigs.set(k.signature, (sigs.get(k.signature) ?? 0) + 1);
    const [signature] = [...sigs].sort((a, b) => b[1] - a[1])[0]!;
    const run: exercise_run = { exercise: e.id, status: 'failed', results: [...results_like(signature), passed('other')], diagnostics: [], message: '', ms: 1 };
    keep_starters(root, e, true); // the pristine copy the command takes on its first run
    const untouched = verdict_notes(root, e, run);
    expect(untouched).toEqual({ known_wrong: [], starter_story: e.starter_story });
    const screen = render_run(e, run, { ...untouched, root });
    expect(screen).toContain('The starter, as shipped:');
    expect(screen).not.toContain('known wrong answer');
    const full = render_run(e, run, { ...untouched, full: true });
    expect(full.replace(/\s+/g, ' ')).toContain(e.starter_story!);
    // The learner edits the file (here: one comment line): the same verdict now names the decoys it matches.
    const file = join(root, 'exercises', e.id, e.files[0]!);
    writeFileSync(file, `${readFileSync(file, 'utf8')}// my attempt\n`);
    const edited = verdict_notes(root, e, run);
    expect(edited.starter_story).toBeNull();
    expect(edited.known_wrong.length).toBe(sigs.get(signature));
    expect(render_run(e, run, { ...edited, root })).toMatch(/known wrong answers? fails?/);
  });
});
