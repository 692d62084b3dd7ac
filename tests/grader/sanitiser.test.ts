// Learner text reaches every output through one sanitiser (grader/text.ts
// strip_terminal, applied by grader/formats.ts shown_report to every format).
// Before, strip_terminal kept the zero-width and other format characters
// (\p{Cf}: "8/8\u200b" reads as "8/8"), lone surrogates (invalid XML) and
// tag characters, and results.json's check outputs, classroom.json's and
// Exercism's messages took learner text (a thrown message, console output,
// a reader or type-check diagnostic quoting the learner's identifiers) with
// no sanitiser at all: "\u202e" and ESC sequences went to Gradescope's page.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { batch_lines, gradebook_csv } from '../../grader/batch';
import { classroom_output_line, summary_text, to_classroom, to_exercism, to_gradescope, to_junit } from '../../grader/formats';
import type { grade_report } from '../../grader/grade';
import { run_grade } from '../../grader/main';
import { summary_table } from '../../grader/output';
import { strip_terminal } from '../../grader/text';
import { make_temp } from '../../grader/tree';
import { add_starter_with, EX01, new_submission } from './fixtures';
import { parse_xml } from './schemas';

/** One of each kind of character that is not shown as itself. */
const INVISIBLES = ['\u001b[2J', '\u001b]0;t\u0007', '\r', '\u0008', '\u009b31m', '\u200b', '\u200d', '\u2060', '\ufeff', '\u00ad', '\u202e', '\u2066', '\u061c', '\u2028', '\u2029', '\udc00', '\ud800', '\u{e0041}', '\u034f', '\ufe0f', '\u180e'];
/** What must be gone from every output: escapes, controls other than tab/newline, format characters, separators, default ignorables, lone surrogates. */
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\p{Cf}\p{Zl}\p{Zp}\p{Cs}\u034f\ufe00-\ufe0f\u{e0000}-\u{e0fff}]/u;
const poison = (s: string) => `${s}${INVISIBLES.join('')}-end`;

const report: grade_report = {
  submission: 'bob',
  score: 2,
  max_score: 4,
  modified: [],
  grader_modified: [],
  hidden_visibility: 'visible',
  execution_time: 1,
  error: poison('error'),
  exercises: [
    {
      id: '01-a', title: poison('title'), status: 'failed', message: poison('exercise message'), output: poison('printed'), ms: 1, score: 2, max_score: 4,
      incidents: [poison('incident')],
      checks: [
        { id: 'c1', name: poison('name one'), task: 1, score: 2, max_score: 2, status: 'passed', message: poison('passed message'), hidden: false },
        { id: 'c2', name: poison('name two'), task: 1, score: 0, max_score: 2, status: 'failed', message: poison('thrown message'), hidden: false },
      ],
    },
    {
      id: '02-b', title: 'b', status: 'compile_error', message: poison('does not compile'), output: '', ms: 1, score: 0, max_score: 1,
      checks: [{ id: 'd1', name: 'd', task: 1, score: 0, max_score: 1, status: 'failed', message: poison('does not compile'), hidden: false }],
    },
  ],
};

/** The first unsafe character of @text, as a code point, or null. */
function unsafe_in(text: string): string | null {
  const m = UNSAFE.exec(text);
  return m ? `U+${m[0].codePointAt(0)!.toString(16).padStart(4, '0')} at ${JSON.stringify(text.slice(Math.max(0, m.index - 20), m.index))}` : null;
}

describe('the one sanitiser', () => {
  it('removes every kind of invisible character, and keeps tab, newline and the visible text', () => {
    for (const c of INVISIBLES) expect(unsafe_in(strip_terminal(`a${c}b`)), JSON.stringify(c)).toBeNull();
    expect(strip_terminal('8/8\u200b (passed)\tok\nzoë → ñ')).toBe('8/8 (passed)\tok\nzoë → ñ');
  });

  it('every format, every field: nothing unsafe from learner text reaches results.json, classroom.json, JUnit, Exercism, summary.txt or a terminal', () => {
    // Parsed where the format is JSON: a lone surrogate is written as \ud800, which the consumer reads back as one.
    const outputs: [string, unknown][] = [
      ['results.json', to_gradescope(report)],
      ['classroom.json', to_classroom(report)],
      ['classroom output', JSON.parse(Buffer.from(classroom_output_line(report).slice('result='.length), 'base64').toString())],
      ['junit.xml', to_junit(report)],
      ['exercism 01', to_exercism(report.exercises[0]!)],
      ['exercism 02', to_exercism(report.exercises[1]!)],
      ['summary.txt', summary_text(report)],
      ['terminal', summary_table(report)],
      ['instructor terminal', summary_table(report, { hidden: true })],
      ['gradebook', gradebook_csv([report], ['01-a', '02-b'])],
      ['batch terminal', batch_lines({ reports: [report], skipped: [], folders: new Map() }, '/out').join('\n')],
    ];
    for (const [what, value] of outputs) {
      const strings: string[] = [];
      JSON.stringify(value, (_k, v: unknown) => (typeof v === 'string' && strings.push(v), v));
      for (const s of strings) expect(unsafe_in(s), `${what}: ${JSON.stringify(s.slice(0, 80))}`).toBeNull();
    }
    expect(() => parse_xml(to_junit(report))).not.toThrow();
    // The words stay.
    expect(JSON.stringify(to_gradescope(report))).toContain('thrown message-end');
    expect(to_exercism(report.exercises[0]!).tests[1]!.message).toBe('thrown message-end');
  });
});

describe("a learner's code that prints and throws invisible characters", () => {
  it('is graded, and every result file it writes holds none of them', async () => {
    const sub = new_submission('invisible-text');
    const text = "'forged 8/8\\u200b (passed)\\u202e\\u2066\\ufeff\\u00ad\\u2028\\ud800\\u{e0041}\\u001b[2J'";
    add_starter_with(sub, EX01, `\nexport function noisy(): never {\n  console.log(${text});\n  console.error(${text});\n  throw new Error(${text});\n}\n`);
    const f = join(sub, EX01.id, EX01.files[0]!);
    writeFileSync(f, readFileSync(f, 'utf8').replace(/(export (?:async )?function i915_gem_shrinker_count\([^)]*\)[^{]*\{)/, '$1\n  noisy();'));
    const out = make_temp('shrinker-out-');
    const r = await run_grade({ submission: sub, exercises: ['01'], typecheck: false, starter_baseline: false }, out, true);
    const e = r.exercises[0]!;
    expect(e.status).toBe('failed');
    expect(e.checks.some((c) => c.message.includes('forged 8/8'))).toBe(true);
    const files = ['results.json', 'classroom.json', 'junit.xml', 'summary.txt', join('exercism', EX01.id, 'results.json')];
    expect(readdirSync(join(out, 'exercism'))).toEqual([EX01.id]);
    for (const name of files) {
      const raw = readFileSync(join(out, name), 'utf8');
      expect(unsafe_in(name.endsWith('.json') ? collect(JSON.parse(raw)) : raw), name).toBeNull();
      expect(raw, name).not.toMatch(/\\u(200b|202e|2066|feff|00ad|2028|d800|001b)/i);
    }
  });
});

/** Every string inside @v, joined: a JSON file's strings as its reader gets them. */
function collect(v: unknown): string {
  const out: string[] = [];
  JSON.stringify(v, (_k, x: unknown) => (typeof x === 'string' && out.push(x), x));
  return out.join('\n');
}
