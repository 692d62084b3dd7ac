// A grade does not depend on the machine or the run, even with the import
// policy off (issue #10, red team 7 #07): the grading realm's Date is a
// virtual clock, Math.random a seeded generator, its time zone UTC and its
// locale en-US whatever the host's (course/realm.ts DETERMINISM_SOURCE,
// course/worker.ts). A submission that branches on the clock and on random
// numbers, and prints them with the host's time zone and locale, gets the
// same report, byte for byte, in three runs and under another TZ and LANG.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { solution_dir } from '../../course/files';
import { grade_submission, prepare_base, release_base, type grading_base } from '../../grader/grade';
import { EX01, new_submission } from './fixtures';

const FILE = EX01.files[0]!;

/** 01's reference, but it answers 0 on some calls, chosen by the clock and by Math.random, and prints what the host would show. */
function wobbly(): string {
  const sol = readFileSync(join(solution_dir(EX01), FILE), 'utf8');
  const at = sol.indexOf('/**');
  const head = sol.slice(0, at);
  const body = sol.slice(at).replace('{\n  const { locked, unlock }', '{\n  if ((Date.now() + Math.floor(Math.random() * 1000)) % 3 === 0) return 0;\n  const { locked, unlock }');
  expect(body).toContain('Math.random()');
  const shown = '`host: ${Date.now()} ${String(new Date())} ${Date()} ${new Date(2017, 3, 30, 12).getHours()} ${new Date(0).getTimezoneOffset()} ${(1234.5).toLocaleString()} ${new Date(0).toLocaleString()} ${\'i\'.toLocaleUpperCase()} ${Math.random()} ${typeof (globalThis as Record<string, unknown>).Intl}`';
  return `${head}console.log(${shown});\n${body}`;
}

/** The parts of a graded exercise a run could change: everything but its duration. */
function verdict(base: grading_base, sub: string): Promise<string> {
  return grade_submission(base, { submission: sub, exercises: ['01'], policy: false, typecheck: false, starter_baseline: false }).then((r) => {
    const e = r.exercises[0]!;
    return JSON.stringify({ status: e.status, score: e.score, message: e.message, checks: e.checks, output: e.output });
  });
}

describe('the grading realm has no host clock, random numbers, time zone or locale', () => {
  let base: grading_base;
  beforeAll(() => {
    base = prepare_base();
  });
  afterAll(() => release_base(base));

  it('a submission that branches on Date.now() and Math.random() gets identical reports in 3 runs, and under another TZ and LANG', async () => {
    const sub = new_submission('wobbly');
    mkdirSync(join(sub, EX01.id), { recursive: true });
    writeFileSync(join(sub, EX01.id, FILE), wobbly());
    const runs = await Promise.all([verdict(base, sub), verdict(base, sub), verdict(base, sub)]);
    const saved = { TZ: process.env.TZ, LANG: process.env.LANG, LC_ALL: process.env.LC_ALL };
    let other = '';
    try {
      // The grading children inherit this environment.
      Object.assign(process.env, { TZ: 'Pacific/Chatham', LANG: 'de_DE.UTF-8', LC_ALL: 'de_DE.UTF-8' });
      other = await verdict(base, sub);
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
    const first = JSON.parse(runs[0]!) as { output: string; checks: { status: string }[] };
    // It ran, printed its line, and its answers were judged (some checks fail on the zero answers).
    expect(first.output).toMatch(/^host: 1493510400000 Sun Apr 30 2017 00:00:00 GMT\+0000 \(Coordinated Universal Time\) .* 12 0 1,234\.5 1\/1\/1970, 12:00:00 AM I 0\.\d+ undefined$/m);
    expect(first.checks.length).toBeGreaterThan(0);
    expect(runs[1]).toBe(runs[0]);
    expect(runs[2]).toBe(runs[0]);
    expect(other).toBe(runs[0]);
  });
});
