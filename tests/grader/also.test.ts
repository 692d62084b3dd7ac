// Issue 10's "Also" items that are rules about the code itself (re-verified in
// session 6; the format, escape and batch items have their own tests in
// formats.test.ts and robust.test.ts):
//   - every grader command parses its arguments strictly, with one parser;
//   - "run learner code in a child" is one runner (course/runner.ts) and one
//     worker that takes a verb, the only places that start node with learner
//     code; the grader's type check (which never runs it) is started by it too;
//     the grader reads learner files only in the runner's children (grader/read.ts);
//   - the hardening lives in course/, and course/ imports nothing of grader/.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COURSE_ROOT } from '../../course/files';
import { LIMITS } from '../../course/runner';
import { typecheck_run } from '../../grader/grade';
import { COMMAND_OPTIONS, parse_args, usage_error } from '../../grader/main';

function ts_files(dir: string): string[] {
  const out: string[] = [];
  for (const d of readdirSync(join(COURSE_ROOT, dir), { withFileTypes: true })) {
    const rel = `${dir}/${d.name}`;
    if (d.isDirectory()) out.push(...ts_files(rel));
    else if (d.name.endsWith('.ts')) out.push(rel);
  }
  return out;
}

const code_of = (rel: string) => readFileSync(join(COURSE_ROOT, rel), 'utf8').split('\n').filter((l) => !/^\s*(\/\/|\*)/.test(l)).join('\n');

describe('every grader command parses strictly', () => {
  for (const command of Object.keys(COMMAND_OPTIONS)) {
    it(`${command}: an unknown option, a misspelt one and a stray argument are refused by name`, () => {
      const head = command === 'grade' ? [] : [command];
      expect(() => parse_args([...head, '--bogus'])).toThrow(usage_error);
      expect(() => parse_args([...head, '--bogus'])).toThrow(/Unknown option '--bogus'/);
      expect(() => parse_args([...head, '--roots', 'x'])).toThrow(/Unknown option '--roots'/);
      const stray = command === 'export-student' ? ['out', 'stray'] : ['stray'];
      expect(() => parse_args([...head, ...stray])).toThrow(/unexpected argument "stray"/);
      // A string option without its value is refused too, not read as a flag.
      const string_option = Object.entries(COMMAND_OPTIONS[command]!).find(([, o]) => o.type === 'string')![0];
      expect(() => parse_args([...head, `--${string_option}`])).toThrow(usage_error);
    });
  }
});

describe('one runner, one worker', () => {
  it('only course/runner.ts starts a node child: the grader\'s type check too (verb typecheck, with the runner\'s limits)', () => {
    const starts = [...ts_files('course'), ...ts_files('cli'), ...ts_files('grader')].filter((f) => /\b(spawn|spawnSync|fork|execFile|execFileSync)\(\s*process\.execPath/.test(code_of(f)));
    expect(starts.sort()).toEqual(['course/runner.ts']);
    expect(code_of('grader/grade.ts')).toMatch(/run_worker\(opts\)/);
    expect(typecheck_run('/t', ['/t/exercises/01/a.ts'])).toMatchObject({ verb: 'typecheck', worker: '/t/grader/typecheck_child.js', heap_mb: LIMITS.heap_mb, rss_mb: LIMITS.rss_mb });
    // The grader's own process never transpiles or parses a learner's file: the reader child does (grader/read_child.ts).
    expect(code_of('grader/grade.ts')).not.toMatch(/\b(check_policy|seal_epilogue|transpile_source|transpile_learner_file)\b/);
    // Every other child is a worker verb: no second worker entry point.
    for (const f of [...ts_files('course'), ...ts_files('cli'), ...ts_files('grader')]) {
      if (f === 'course/worker.ts') continue;
      expect(code_of(f), f).not.toMatch(/['"`][^'"`]*_worker\.ts['"`]/);
    }
  });

  it('the hardening lives in course/ (course/harden.ts), and no course/ file imports grader/', () => {
    expect(ts_files('course')).toContain('course/harden.ts');
    expect(ts_files('grader')).not.toContain('grader/harden.ts');
    const importing = ts_files('course').filter((f) => /from\s+['"]\.\.\/grader\//.test(readFileSync(join(COURSE_ROOT, f), 'utf8')) || /import\(\s*['"]\.\.\/grader\//.test(readFileSync(join(COURSE_ROOT, f), 'utf8')));
    expect(importing).toEqual([]);
  });
});
