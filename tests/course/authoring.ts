// Authoring checks for every exercise in the course manifest: the starter
// fails its checks, the reference solution (and every accepted alternative)
// passes them all, every decoy is rejected by the checks its notes name, and
// the manifest, lesson, hints and README are in place. A new exercise that
// breaks any of these fails here, with its id in the test name.
//
// The suite is split across two test files (authoring-even/-odd.test.ts)
// only so that vitest's two workers share the load on a two-core machine.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run_checks, type check_result } from '../../course/checks';
import {
  COURSE_ROOT,
  list_variants,
  load_impl,
  load_suite,
  read_decoys,
  read_manifest,
  starter_dir,
  variant_dir,
} from '../../course/files';
import { golden_is_current, record_golden } from '../../course/golden';
import { read_known_wrong, verdict_signature } from '../../course/known_wrong';
import type { manifest_exercise } from '../../course/manifest';
import { starter_record_is_current } from '../../course/starter_record';
import { untraced_failures } from './traced_failures';


/** What to do when an exercise's recorded decoy verdicts are out of date. */
const stale = (e: manifest_exercise): string => `${e.checks.replace(/\.checks\.ts$/, '.known-wrong.json')} is out of date: run npm run golden -- ${e.id.slice(0, 2)}`;

function failed(results: check_result[]): string[] {
  return results.filter((r) => r.status === 'failed').map((r) => r.id);
}

function explain(results: check_result[]): string {
  return results
    .filter((r) => r.status === 'failed')
    .map((r) => `  ✗ ${r.id}: ${r.message.split('\n').slice(0, 12).join('\n    ')}`)
    .join('\n');
}

/** authoring_suite - the authoring tests for every exercise whose position in the manifest has parity @parity. */
export function authoring_suite(parity: 0 | 1): void {
  const exercises = read_manifest().exercises.filter((_, i) => i % 2 === parity);
  describe.each(exercises)('exercise $id', (e) => {
    it('has its lesson (with front matter naming the exercise), its README, a TODO in the starter, and at least three hints', () => {
      const lesson = join(COURSE_ROOT, e.lesson);
      expect(existsSync(lesson), `${e.lesson} is missing`).toBe(true);
      const text = readFileSync(lesson, 'utf8');
      expect(text.startsWith('---\n'), `${e.lesson} must start with front matter`).toBe(true);
      expect(text).toMatch(new RegExp(`exercise:\\s*"?${e.id}"?`));
      expect(existsSync(join(starter_dir(e), 'README.md')), `exercises/${e.id}/README.md is missing`).toBe(true);
      const starter = e.files.map((f) => readFileSync(join(starter_dir(e), f), 'utf8')).join('\n');
      expect(starter).toContain('TODO');
      expect(e.hints.length).toBeGreaterThanOrEqual(3);
      const vitest_form = e.checks.replace(/\.checks\.ts$/, '.test.ts');
      expect(readFileSync(join(COURSE_ROOT, vitest_form), 'utf8'), `${vitest_form} runs the checks as vitest tests`).toContain(`vitest_checks('${e.id}')`);
    });

    it('lists in the manifest exactly the checks its suite defines', async () => {
      const suite = await load_suite(e);
      expect(suite.exercise).toBe(e.id);
      expect(e.tests.map((t) => t.check).sort()).toEqual(suite.checks.map((c) => c.id).sort());
    });

    it('starter fails its checks, each failure with a Call Trace into the starter\'s file and a trace window', async () => {
      const results = await run_checks(await load_suite(e), await load_impl(e, starter_dir(e)));
      expect(failed(results).length, 'the starter passes every check: the exercise teaches nothing').toBeGreaterThan(0);
      // The grader refuses a committed starter that fails other checks than these (course/starter_record.ts).
      expect(starter_record_is_current(e, results), `${e.checks.replace(/\.checks\.ts$/, '.starter.json')} is out of date: run npm run starters -- ${e.id.slice(0, 2)}`).toBe(true);
      // Issue #13: every failure leads from the kernel's report to the learner's line (tests/course/traced_failures.ts).
      expect(untraced_failures(e, results, starter_dir(e))).toEqual([]);
    });

    it('reference solution passes every check, and its recorded outcomes (the golden file) are current', async () => {
      const { data, results } = await record_golden(e);
      expect(failed(results), explain(results)).toEqual([]);
      expect(golden_is_current(e, data), `${e.checks.replace(/\.checks\.ts$/, '.golden.ts')} is out of date: run npm run golden -- ${e.id.slice(0, 2)}`).toBe(true);
    });

    it.each(list_variants(e, 'alternatives'))('accepted alternative "%s" passes every check', async (name) => {
      const results = await run_checks(await load_suite(e), await load_impl(e, variant_dir(e, 'alternatives', name)));
      expect(failed(results), explain(results)).toEqual([]);
    });

    it('has at least eight decoys, each with notes, and their verdicts recorded for the loop', () => {
      const notes = read_decoys(e).map((d) => d.name).sort();
      expect(notes.length).toBeGreaterThanOrEqual(8);
      expect(list_variants(e, 'decoys')).toEqual(notes);
      expect(read_known_wrong(e).map((k) => k.name).sort(), `${stale(e)}`).toEqual(notes);
    });

    it.each(read_decoys(e).map((d) => [d.name, d] as const))('rejects decoy "%s" for the right reason', async (_name, d) => {
      const results = await run_checks(await load_suite(e), await load_impl(e, variant_dir(e, 'decoys', d.name)));
      const rejected = failed(results);
      for (const id of d.rejected_by) expect(rejected, `decoy ${d.name} (${d.why}) should be rejected by ${id}`).toContain(id);
      // Issue #13, as for the starter: the first decoy's failures each carry a Call Trace into its file and a trace window
      // (one wrong answer per exercise besides the starter; its run is here anyway).
      if (d.name === read_decoys(e)[0]?.name) expect(untraced_failures(e, results, variant_dir(e, 'decoys', d.name))).toEqual([]);
      // The loop's "behaves like a known wrong answer" hint reads this decoy's recorded verdict and note.
      const known = read_known_wrong(e).find((k) => k.name === d.name);
      expect({ signature: known?.signature, why: known?.why }, stale(e)).toEqual({ signature: verdict_signature(results), why: d.why });
    });
  });
}
