// Every output format, checked against its schema: on a hand-made report
// that has every case (passed, failed, crashed, hidden checks, modified
// files, characters XML hates), and on the files a real run writes,
// including a run where grading itself fails.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RESULT_MARKER } from '../../course/outcome';
import { result_channel } from '../../course/runner';
import { gradebook_csv } from '../../grader/batch';
import { classroom_output_line, points_line, summary_text, to_classroom, to_exercism, to_gradescope, to_junit } from '../../grader/formats';
import type { grade_report } from '../../grader/grade';
import { run_grade } from '../../grader/main';
import { github_outputs, publish_results, summary_table } from '../../grader/output';
import { make_temp } from '../../grader/tree';
import { EX01, fixtures } from './fixtures';
import { CLASSROOM, EXERCISM, exercism_rules, GRADESCOPE, jenkins_junit_problems, junit_problems, parse_xml, validate } from './schemas';

const nasty = 'lockdep: <struct_mutex> & "fs_reclaim" \'x\' \u0001 done';
const report: grade_report = {
  submission: 'alice',
  score: 7,
  max_score: 21,
  modified: ['checks/01-a.checks.ts'],
  grader_modified: [],
  hidden_visibility: 'after_due_date',
  execution_time: 12.3456,
  exercises: [
    {
      id: '01-a', title: 'first', status: 'failed', message: '', output: 'x'.repeat(900), ms: 1500, score: 5, max_score: 8,
      checks: [
        { id: 'c1', name: 'never deadlocks', task: 1, score: 4, max_score: 4, status: 'passed', message: 'ok', hidden: false },
        { id: 'c2', name: 'counts <exactly>', task: 2, score: 0, max_score: 2, status: 'failed', message: nasty, hidden: false },
        { id: 'hidden/h1', name: 'hidden one', task: null, score: 1, max_score: 1, status: 'passed', message: 'ok', hidden: true },
        { id: 'hidden/h2', name: 'hidden two', task: null, score: 0, max_score: 1, status: 'failed', message: 'no', hidden: true },
      ],
    },
    {
      id: '02-b', title: 'second', status: 'crashed', message: 'loading the exercise threw Error: boom', output: '', ms: 10, score: 0, max_score: 10,
      checks: [
        { id: 'd1', name: 'says stop', task: 1, score: 0, max_score: 10, status: 'failed', message: 'loading the exercise threw Error: boom', hidden: false },
      ],
    },
    {
      id: '03-c', title: 'third', status: 'passed', message: '', output: '', ms: 10, score: 2, max_score: 3,
      checks: [
        { id: 'e1', name: 'e one', task: 1, score: 2, max_score: 2, status: 'passed', message: 'ok', hidden: false },
        { id: 'e2', name: 'e two', task: 1, score: 0, max_score: 1, status: 'failed', message: 'nope', hidden: false },
      ],
    },
  ],
};

describe('output formats on a report with every case', () => {
  it('Gradescope results.json matches the spec, with hidden checks after the due date and the modified file named', () => {
    const g = to_gradescope(report);
    expect(validate(g, GRADESCOPE)).toEqual([]);
    expect([g.score, g.max_score, g.execution_time]).toEqual([7, 21, 12.346]);
    expect(g.tests.filter((t) => t.max_score > 0).reduce((s, t) => s + t.max_score, 0)).toBe(21);
    expect(g.tests.map((t) => t.number)).toEqual(['1.1', '1.2', '1.3', '1.4', '2.1', '3.1', '3.2', '4.1']);
    expect(g.tests.filter((t) => t.visibility === 'after_due_date').map((t) => t.name)).toEqual(['01 first: hidden one', '01 first: hidden two']);
    expect(g.tests[7]).toMatchObject({ name: 'protected files unchanged', status: 'failed', max_score: 0 });
    expect(g.output).toContain('checks/01-a.checks.ts');
    expect(g.tests[1]!.tags).toEqual(['01-a', 'task 2']);
  });

  it('the Classroom runner JSON (version 1) matches, and is base64 in the GITHUB_OUTPUT line with a Points X/Y line', () => {
    const c = to_classroom(report);
    expect(validate(c, CLASSROOM)).toEqual([]);
    expect(c.max_score).toBe(21);
    expect(c.tests.reduce((s, t) => s + t.score, 0)).toBe(7);
    expect(c.tests.find((t) => t.name === '02 says stop')!.status).toBe('error');
    const line = classroom_output_line(report);
    expect(line).toMatch(/^result=[A-Za-z0-9+/=]+\n$/);
    expect(JSON.parse(Buffer.from(line.slice(7).trim(), 'base64').toString())).toEqual(c);
    expect(points_line(report)).toBe('Points 7/21');
    const out = join(make_temp('shrinker-gh-'), 'output');
    writeFileSync(out, '');
    const notices = github_outputs(report, { GITHUB_OUTPUT: out, GITHUB_ACTIONS: 'true' });
    expect(readFileSync(out, 'utf8')).toBe(line);
    expect(notices).toEqual(['::notice title=Autograding complete::Points 7/21', '::notice title=Autograding report::{"totalPoints":7,"maxPoints":21}']);
  });

  it('in GitHub Actions (the student\'s own log and workspace) nothing of a hidden check is written: not its name, not a total that counts it', () => {
    const dir = make_temp('shrinker-gh-');
    const gh_output = join(dir, 'output');
    writeFileSync(gh_output, '');
    const lines = publish_results(report, join(dir, 'out'), { GITHUB_OUTPUT: gh_output, GITHUB_ACTIONS: 'true' });
    // The visible checks of the report score 6 of 19; with the hidden ones, 7 of 21.
    expect(lines).toEqual(['::notice title=Autograding complete::Points 6/19', '::notice title=Autograding report::{"totalPoints":6,"maxPoints":19}', 'Points 6/19']);
    const written = [readFileSync(gh_output, 'utf8'), Buffer.from(readFileSync(gh_output, 'utf8').slice(7), 'base64').toString(), ...['results.json', 'classroom.json', 'junit.xml', 'summary.txt'].map((f) => readFileSync(join(dir, 'out', f), 'utf8'))];
    for (const text of written) expect(text).not.toMatch(/hidden one|hidden two|hidden\/h1|7\/21/);
    // Outside Actions (an instructor's run, class mode) the files keep every check.
    const local = publish_results(report, join(dir, 'local'), {});
    expect(local).toEqual(['Points 6/19']);
    expect(readFileSync(join(dir, 'local', 'results.json'), 'utf8')).toMatch(/hidden one/);
  });

  it('JUnit XML validates against the Jenkins xunit schema: no <properties> inside a <testcase>, points in the suite\'s', () => {
    const x = to_junit(report);
    expect(jenkins_junit_problems(x)).toEqual([]);
    const suite = parse_xml(x).children[0]!;
    expect(suite.children[0]!.name).toBe('properties');
    expect(suite.children[0]!.children.map((p) => [p.attrs.name, p.attrs.value])).toEqual([['points:c1', '4/4'], ['points:c2', '0/2'], ['points:hidden/h1', '1/1'], ['points:hidden/h2', '0/1']]);
    // The schema checker is not a rubber stamp: the old shape (properties inside a testcase) fails it.
    const old = x.replace('<testcase classname="01-a" name="never deadlocks" time="0">\n', '<testcase classname="01-a" name="never deadlocks" time="0">\n<properties><property name="points" value="4"/></properties>\n');
    expect(jenkins_junit_problems(old)).toEqual(['testsuites/testsuite[0]/testcase[1]: <properties> is not allowed here in <testcase>']);
    expect(jenkins_junit_problems(x.replace('time="0"', 'time="soon"'))).toEqual(['testsuites/testsuite[0]/testcase[1]: attribute time="soon" has the wrong type']);
  });

  it('strips terminal escapes from learner text in summary.txt, the terminal table and JUnit', () => {
    const evil = 'done\u001b[2J\u001b[31mred\u001b[0m \u001b]0;pwned title\u0007 \u001b]8;;http://x\u001b\\link\u001b]8;;\u001b\\\rover';
    const r: grade_report = { ...report, exercises: [{ ...report.exercises[0]!, message: evil, output: evil, checks: report.exercises[0]!.checks.map((c) => ({ ...c, message: evil, name: `n${evil}` })) }] };
    for (const text of [summary_text(r), summary_table(r), summary_table(r, { hidden: true }), to_junit(r)]) {
      expect(text).not.toMatch(/[\u001b\u0007\r\u009b]/);
      expect(text).toContain('donered  linkover');
    }
  });

  it('JUnit XML is well-formed, counts add up, and escapes what XML cannot hold', () => {
    const x = to_junit(report);
    expect(junit_problems(x)).toEqual([]);
    const root = parse_xml(x);
    const failure = root.children[0]!.children.filter((n) => n.name === 'testcase')[1]!.children.find((n) => n.name === 'failure')!;
    expect(failure.text).toBe(nasty.replace('\u0001', ''));
    expect(root.children[1]!.attrs).toMatchObject({ errors: '1', failures: '0' });
    expect(root.attrs).toMatchObject({ tests: '7', failures: '3', errors: '1' });
  });

  it('Exercism results.json v3 per exercise: tests in order with task ids, error with a message, hidden checks left out, output capped at 500', () => {
    const [a, b, c] = report.exercises.map(to_exercism);
    for (const r of [a!, b!, c!]) {
      expect(validate(r, EXERCISM)).toEqual([]);
      expect(exercism_rules(r)).toEqual([]);
    }
    expect(a!.status).toBe('fail');
    expect(a!.tests.map((t) => [t.name, t.task_id])).toEqual([['never deadlocks', 1], ['counts <exactly>', 2]]);
    expect(a!.tests[0]!.output!.length).toBeLessThanOrEqual(500);
    expect(b).toEqual({ version: 3, status: 'error', message: 'loading the exercise threw Error: boom', tests: [] });
    expect(c!.status).toBe('fail');
  });

  it('the terminal table shows every exercise and check with points, and the CSV gradebook quotes what it must', () => {
    const t = summary_table(report, { hidden: true });
    expect(t).toMatch(/01-a\s+failed\s+5\/8/);
    expect(t).toMatch(/PASS\s+1\/1\s+\(hidden\) hidden one/);
    expect(t).toMatch(/total\s+7\/21/);
    // A student's terminal (a CI log) sees no hidden check, and totals without them.
    const student = summary_table(report);
    expect(student).not.toMatch(/hidden/);
    expect(student).toMatch(/01-a\s+failed\s+4\/6/);
    expect(student).toMatch(/total\s+6\/19/);
    expect(gradebook_csv([report, { ...report, submission: 'bob, "the" builder', modified: [] }], ['01-a', '02-b', '03-c'])).toBe(
      'submission,01-a,02-b,03-c,total,max,modified_files,incidents\nalice,5,0,2,7,21,checks/01-a.checks.ts,0\n"bob, ""the"" builder",5,0,2,7,21,,0\n',
    );
  });
});

describe('the worker result protocol (course/runner.ts result_channel)', () => {
  const nonce = 'ab'.repeat(16);
  const run = { exercise: 'x', status: 'passed', results: [], diagnostics: [], message: '', ms: 1 };
  const parse = (text: string) => {
    const got: unknown[] = [];
    const ch = new result_channel((p) => got.push(p));
    ch.feed(text);
    ch.end();
    return { got, incidents: ch.incidents };
  };
  it('takes only the result lines signed with the nonce announced first, and reports every other line as an incident', () => {
    const forged = `${RESULT_MARKER}${JSON.stringify({ run: { ...run, status: 'passed', message: 'forged' } })}`;
    const out = [`${RESULT_MARKER}${JSON.stringify({ nonce })}`, forged, `${RESULT_MARKER}${'cd'.repeat(16)}${JSON.stringify({ run })}`, '', `${RESULT_MARKER}${nonce}${JSON.stringify({ run: { ...run, status: 'failed' } })}`, ''].join('\n');
    const r = parse(out);
    expect(r.got).toEqual([{ run: { ...run, status: 'failed' } }]);
    expect(r.incidents).toHaveLength(2);
    expect(r.incidents[0]).toMatch(/without the worker's nonce/);
  });
  it('takes nothing when the first line is not the greeting, and reports garbled and partial lines', () => {
    expect(parse(`${RESULT_MARKER}${JSON.stringify({ run })}\n${RESULT_MARKER}${nonce}${JSON.stringify({ run })}\n`).got).toEqual([]);
    const r = parse(`${RESULT_MARKER}${JSON.stringify({ nonce })}\n${RESULT_MARKER}${nonce}{"run": \n\u001b[2Jhello\n${RESULT_MARKER}${nonce}{"ru`);
    expect(r.got).toEqual([]);
    expect(r.incidents.map((i) => i.split(':')[0])).toEqual(['a result line that is not JSON', 'a line without the result marker', 'a partial line on the result channel']);
    expect(r.incidents.join('\n')).not.toContain('\u001b'); // escapes are neutralised before anyone prints an incident
  });
});

describe('the files one run writes', () => {
  it('writes all four formats, valid, from one run of npm run grade', async () => {
    const out = make_temp('shrinker-out-');
    const r = await run_grade({ submission: fixtures.missing_file(), exercises: ['01'] }, out, true);
    expect(r.score).toBe(0);
    const g = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(validate(g, GRADESCOPE)).toEqual([]);
    expect(validate(JSON.parse(readFileSync(join(out, 'classroom.json'), 'utf8')), CLASSROOM)).toEqual([]);
    expect(junit_problems(readFileSync(join(out, 'junit.xml'), 'utf8'))).toEqual([]);
    expect(jenkins_junit_problems(readFileSync(join(out, 'junit.xml'), 'utf8'))).toEqual([]);
    const e = JSON.parse(readFileSync(join(out, `exercism/${EX01.id}/results.json`), 'utf8'));
    expect(validate(e, EXERCISM)).toEqual([]);
    expect(e.status).toBe('error');
  });

  it('writes valid results, scoring 0 with the reason, even when the grader cannot run at all', async () => {
    const broken = make_temp('shrinker-broken-');
    mkdirSync(join(broken, 'exercises'));
    writeFileSync(join(broken, 'exercises/course.json'), '{ not json');
    const out = make_temp('shrinker-out-');
    const r = await run_grade({ root: broken, submission: broken }, out, true);
    expect([r.score, r.max_score]).toEqual([0, 0]);
    const g = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(validate(g, GRADESCOPE)).toEqual([]);
    // A fixed sentence for the student; the error itself is in the instructor's log (tests/grader/failure_leaks.test.ts).
    expect(g.output).toMatch(/^Shrinker Lab: 0\/0 points \(visible checks[^\n]*\nthe grader could not run: the course's exercises\/course\.json could not be read/);
    expect(readFileSync(join(out, 'grader-error.txt'), 'utf8')).toMatch(/exercises\/course\.json: not valid JSON/);
    expect(validate(JSON.parse(readFileSync(join(out, 'classroom.json'), 'utf8')), CLASSROOM)).toEqual([]);
    expect(junit_problems(readFileSync(join(out, 'junit.xml'), 'utf8'))).toEqual([]);
    expect(jenkins_junit_problems(readFileSync(join(out, 'junit.xml'), 'utf8'))).toEqual([]);
  });
});
