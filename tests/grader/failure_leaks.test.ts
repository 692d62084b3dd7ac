// A grader that cannot run still writes results, and they must say nothing a
// student may not know (grader/failure.ts). Before, the error's own text went
// into every student-visible output: "the grader could not run: hidden suite
// 01-….checks.ts has no 01-….points.json", a points file's check ids, the
// hidden folder's path, a syntax error quoting a suite's source. Each kind of
// failure here, with the student's outputs searched for anything of the
// hidden folder, and the instructor's log searched for the detail.
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { COURSE_ROOT } from '../../course/files';
import { FAILURE_LOG, run_grade } from '../../grader/main';
import { make_temp } from '../../grader/tree';
import { add_starter_with, EX01, new_submission } from './fixtures';
import { HIDDEN_MARKER, hidden_dir } from './hidden';

/** Every file of @out a student may be shown, and what run_grade printed to stdout. */
function student_visible(out: string, stdout: string): string {
  const files = ['results.json', 'classroom.json', 'junit.xml', 'summary.txt'];
  const ex = join(out, 'exercism');
  const exercism = existsSync(ex) ? readdirSync(ex).map((d) => join('exercism', d, 'results.json')) : [];
  return [...files, ...exercism].map((f) => readFileSync(join(out, f), 'utf8')).join('\n') + stdout;
}

async function graded(opts: Parameters<typeof run_grade>[0]): Promise<{ shown: string; log: string; error: string }> {
  const out = make_temp('shrinker-out-');
  const logged: string[] = [];
  const errs: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void logged.push(a.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void errs.push(a.join(' ')));
  const r = await run_grade({ typecheck: false, ...opts }, out, false);
  vi.restoreAllMocks();
  const log = existsSync(join(out, FAILURE_LOG)) ? readFileSync(join(out, FAILURE_LOG), 'utf8') : '';
  return { shown: student_visible(out, logged.join('\n')), log: log + errs.join('\n'), error: r.error ?? '' };
}

afterEach(() => vi.restoreAllMocks());

/** A hidden folder with 01's suite, made wrong by @spoil. */
function spoiled(spoil: (dir: string) => void): string {
  const d = hidden_dir();
  spoil(d);
  return d;
}

const points = (d: string) => join(d, `${EX01.id}.points.json`);
const suite = (d: string) => join(d, `${EX01.id}.checks.ts`);

describe('a grader that cannot run tells the student a fixed sentence, and the instructor why', () => {
  const cases: [string, () => { hidden?: string; root?: string; secret: string[]; detail: string }][] = [
    ['a points file that is not JSON', () => {
      const d = spoiled((x) => writeFileSync(points(x), `{"points": {"${HIDDEN_MARKER}": `));
      return { hidden: d, secret: [d, HIDDEN_MARKER], detail: `${EX01.id}.points.json is not JSON` };
    }],
    ['no points file', () => {
      const d = spoiled((x) => rmSync(points(x)));
      return { hidden: d, secret: [d], detail: `has no ${EX01.id}.points.json` };
    }],
    ['a points file naming a check id that is not one', () => {
      const d = spoiled((x) => writeFileSync(points(x), JSON.stringify({ points: { [`Secret_${HIDDEN_MARKER}`]: 1 } })));
      return { hidden: d, secret: [d, HIDDEN_MARKER], detail: `Secret_${HIDDEN_MARKER}` };
    }],
    ['a hidden suite that does not compile', () => {
      const d = spoiled((x) => writeFileSync(suite(x), `${readFileSync(suite(x), 'utf8')}\nconst ${HIDDEN_MARKER.replaceAll('-', '_')} = ;\n`));
      return { hidden: d, secret: [d, HIDDEN_MARKER.replaceAll('-', '_')], detail: `${EX01.id}.checks.ts does not compile` };
    }],
    ['a hidden suite for an exercise the course does not have', () => {
      const d = spoiled((x) => {
        writeFileSync(join(x, `99-${HIDDEN_MARKER}.checks.ts`), 'export default {};\n');
        writeFileSync(join(x, `99-${HIDDEN_MARKER}.points.json`), '{"points": {"a": 1}}');
      });
      return { hidden: d, secret: [d, HIDDEN_MARKER], detail: HIDDEN_MARKER };
    }],
    ['a hidden folder that does not exist', () => {
      const d = join(make_temp('shrinker-gone-'), `hidden-${HIDDEN_MARKER}`);
      return { hidden: d, secret: [d, HIDDEN_MARKER], detail: d };
    }],
    ['a manifest that is not JSON, in a course whose path names the secret', () => {
      const root = join(make_temp('shrinker-broken-'), `course-${HIDDEN_MARKER}`);
      mkdirSync(join(root, 'exercises'), { recursive: true });
      writeFileSync(join(root, 'exercises/course.json'), `{ "${HIDDEN_MARKER}": `);
      return { root, secret: [root, HIDDEN_MARKER], detail: 'exercises/course.json: not valid JSON' };
    }],
  ];
  for (const [what, make] of cases) {
    it(what, async () => {
      const c = make();
      const sub = new_submission('failure');
      add_starter_with(sub, EX01, '\n// tried\n');
      const r = await graded({ hidden: c.hidden ?? null, root: c.root ?? COURSE_ROOT, submission: sub, exercises: c.root ? undefined : ['01'] });
      expect(r.error).toMatch(/^the grader could not run: /);
      expect(r.shown).toContain(r.error);
      for (const s of c.secret) expect(r.shown).not.toContain(s);
      // A hidden folder's file names (checks/NN-….checks.ts, the visible suites' paths, are the course's own).
      expect(r.shown).not.toMatch(/\.points\.json|(?<!checks\/)\b\d\d-[a-z0-9-]+\.checks\.ts|tests\/hidden/);
      // The instructor's log has the error itself.
      expect(r.log).toContain(c.detail);
    });
  }
});

describe('a hidden suite that crashes while a submission is graded', () => {
  it("scores the hidden checks 0 with a fixed sentence; the crash (its text, its path) is the instructor's incident", async () => {
    const d = spoiled((x) => writeFileSync(suite(x), `${readFileSync(suite(x), 'utf8')}\nthrow new Error('thrown by ${HIDDEN_MARKER}');\n`));
    const sub = new_submission('hidden-crash');
    add_starter_with(sub, EX01, '\n// tried\n');
    const out = make_temp('shrinker-out-');
    const logged: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void logged.push(a.join(' ')));
    // --visibility visible: the hidden checks' messages are shown at once, so they are student-visible too.
    const r = await run_grade({ submission: sub, hidden: d, exercises: ['01'], typecheck: false, starter_baseline: false, hidden_visibility: 'visible' }, out, false);
    vi.restoreAllMocks();
    const hidden = r.exercises[0]!.checks.filter((c) => c.hidden);
    expect(hidden.length).toBe(2);
    expect(hidden.every((c) => c.score === 0 && /^not run: the hidden checks' process failed/.test(c.message))).toBe(true);
    const shown = student_visible(out, logged.filter((l) => !l.startsWith('incident in')).join('\n'));
    expect(shown).not.toContain(HIDDEN_MARKER);
    expect(shown).not.toMatch(/tests\/hidden|\.checks\.js|\.checks\.ts:/);
    expect(shown).not.toContain(d);
    // The instructor sees the crash (incidents.txt, which no student-visible format carries).
    expect(readFileSync(join(out, 'incidents.txt'), 'utf8')).toContain(`thrown by ${HIDDEN_MARKER}`);
  });
});
