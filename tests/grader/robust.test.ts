// The grader against submissions that try to stop it or read through it:
// strict arguments, symbolic links, a batch that one submission cannot
// stop, and a grader interrupted mid-run that leaves nothing behind.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COURSE_ROOT, solution_dir } from '../../course/files';
import { batch_lines, grade_batch, gradebook_csv } from '../../grader/batch';
import { grade_submission, MAX_FILE_BYTES, prepare_base, release_base, type grading_base } from '../../grader/grade';
import { parse_args } from '../../grader/main';
import { make_temp } from '../../grader/tree';
import { add_files, add_starter_with, EX01, new_submission, snippet } from './fixtures';

let base: grading_base;
beforeAll(() => {
  base = prepare_base();
});
afterAll(() => release_base(base));

describe('strict arguments (node:util parseArgs, every command)', () => {
  it('refuses a misspelt option by name instead of grading the wrong thing', () => {
    expect(() => parse_args(['--hiden', 'DIR', '--submision', 'X'])).toThrow(/Unknown option '--hiden'/);
    expect(() => parse_args(['checksums', '--wirte'])).toThrow(/checksums: Unknown option '--wirte'/);
    expect(() => parse_args(['gradescope-zip', '--hidden'])).toThrow(/argument missing|requires an argument|--hidden/);
    expect(() => parse_args(['--submission', 'a', 'stray'])).toThrow(/unexpected argument "stray"/);
    expect(parse_args(['export-student', 'out']).rest).toEqual(['out']);
  });

  it('exits 2 with the message and the usage, as `npm run grade -- --hiden DIR --submision X` would', () => {
    let code = 0;
    let err = '';
    try {
      execFileSync(process.execPath, ['--import', 'tsx', join(COURSE_ROOT, 'grader/main.ts'), '--hiden', 'DIR', '--submision', 'X'], { cwd: COURSE_ROOT, encoding: 'utf8', stdio: 'pipe' });
    } catch (e) {
      code = (e as { status: number }).status;
      err = String((e as { stderr: string }).stderr);
    }
    expect(code).toBe(2);
    expect(err).toMatch(/Unknown option '--hiden'/);
    expect(err).toMatch(/^usage:/m);
  });
});

describe('strict arguments: grader/export_student.ts run on its own', () => {
  it('refuses an unknown option with exit 2 and writes nothing', () => {
    const dest = join(make_temp('shrinker-export-args-'), 'template');
    let code = 0;
    let err = '';
    try {
      execFileSync(process.execPath, ['--import', 'tsx', join(COURSE_ROOT, 'grader/export_student.ts'), dest, '--bogus'], { cwd: COURSE_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      code = (e as { status: number }).status;
      err = String((e as { stderr: Buffer }).stderr);
    }
    expect(code).toBe(2);
    expect(err).toMatch(/Unknown option '--bogus'[^]*usage: node --import tsx grader\/export_student\.ts DIR/);
    expect(existsSync(dest)).toBe(false);
  });
});

describe('symbolic links in a submission', () => {
  it('an exercise folder linked to the solutions (or a classmate) is not followed: not graded, said without course paths', async () => {
    const sub = new_submission('linked-folder');
    symlinkSync(solution_dir(EX01), join(sub, EX01.id));
    const r = await grade_submission(base, { submission: sub, exercises: ['01'], typecheck: false });
    const e = r.exercises[0]!;
    expect([e.status, e.score]).toEqual(['missing', 0]);
    expect(e.message).toBe(`not graded: ${EX01.id} is a symbolic link: the grader takes only real files and folders of the submission (copy the file itself)`);
    expect(JSON.stringify(r)).not.toContain(COURSE_ROOT);
  });

  it('a symlinked file is refused for its exercise only, by name, and the other exercises are graded', async () => {
    const sub = new_submission('linked-file');
    mkdirSync(join(sub, 'exercises', EX01.id), { recursive: true });
    symlinkSync(join(solution_dir(EX01), EX01.files[0]!), join(sub, 'exercises', EX01.id, EX01.files[0]!));
    const e02 = base.manifest.exercises[1]!;
    add_files(join(sub, 'exercises'), e02, solution_dir(e02));
    const r = await grade_submission(base, { submission: sub, exercises: ['01', '02'], typecheck: false });
    expect(r.exercises.map((e) => [e.id, e.status])).toEqual([[EX01.id, 'missing'], [e02.id, 'passed']]);
    expect(r.exercises[0]!.message).toBe(`not graded: exercises/${EX01.id}/${EX01.files[0]} is a symbolic link: the grader takes only real files and folders of the submission (copy the file itself)`);
    expect(JSON.stringify(r)).not.toContain(COURSE_ROOT);
  });
});

describe('class mode cannot be stopped by one submission', () => {
  it('grades the others and writes the gradebook when one tries process.kill(process.ppid), one is a link and one a zip', async () => {
    const dir = make_temp('shrinker-batch-');
    const killer = join(dir, 'killer');
    mkdirSync(killer);
    add_starter_with(killer, EX01, `
declare const console: { log(text: string): void };
export const boom = (() => {
  const g = globalThis as unknown as Record<string, { kill(pid: number, sig: string): void; ppid: number } | undefined>;
  const p = g['proc' + 'ess'];
  if (p) p.kill(p.ppid, 'SIGKILL');
  console.log(p ? 'parent killed?' : 'no process to kill with');
})();
`);
    mkdirSync(join(dir, 'solved'));
    add_files(join(dir, 'solved'), EX01, solution_dir(EX01));
    symlinkSync(join(dir, 'solved'), join(dir, 'linked'));
    writeFileSync(join(dir, 'zipped.zip'), 'PK');
    const out = make_temp('shrinker-batch-out-');
    const b = await grade_batch(base, dir, out, { exercises: ['01'], typecheck: false, policy: false });
    expect(b.reports.map((r) => [r.submission, r.exercises[0]!.status])).toEqual([['killer', 'failed'], ['solved', 'passed']]);
    expect(b.reports[0]!.exercises[0]!.output).toBe('no process to kill with');
    expect(b.skipped.map((s) => s.name)).toEqual(['linked', 'zipped.zip']);
    expect(readFileSync(join(out, 'skipped.txt'), 'utf8')).toMatch(/^linked: a symbolic link, not graded.*\nzipped\.zip: a zip file, not graded: unpack it/);
    expect(readFileSync(join(out, 'gradebook.csv'), 'utf8').split('\n')[0]).toBe(`submission,${EX01.id},total,max,modified_files,incidents`);
  });
});

describe('class mode: names the submissions chose (round 3 of the red team)', () => {
  it('a folder named gradebook.csv is graded, its results kept apart, and the gradebook still written; escape sequences in a name reach neither the terminal nor the gradebook', async () => {
    const dir = make_temp('shrinker-batch-names-');
    const escaped = '\u001b]0;owned\u0007\u001b[2Jmallory';
    for (const name of ['gradebook.csv', escaped, 'mallory']) add_starter_with(join(dir, name), EX01, '\n// I tried.\n');
    const out = make_temp('shrinker-batch-names-out-');
    const b = await grade_batch(base, dir, out, { exercises: ['01'], typecheck: false });
    expect(b.reports.map((r) => r.submission).sort()).toEqual([escaped, 'gradebook.csv', 'mallory'].sort());
    // Before: EISDIR writing OUT/gradebook.csv (a folder of results by then), the whole batch lost.
    const book = readFileSync(join(out, 'gradebook.csv'), 'utf8');
    expect(book.split('\n').filter(Boolean).length).toBe(4);
    expect(existsSync(join(out, 'gradebook.csv.results', 'results.json'))).toBe(true);
    // Escaped, not stripped: the row is not a second "mallory".
    expect(book).toContain('"""\\u001b]0;owned\\u0007\\u001b[2Jmallory""",');
    expect(book).toMatch(/^mallory,/m);
    const lines = batch_lines(b, out).join('\n');
    expect(lines).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(lines).toContain('gradebook.csv: 0/');
    expect(lines).toContain('(results in gradebook.csv.results/');
    expect(lines).toContain('"\\u001b]0;owned\\u0007\\u001b[2Jmallory": 0/');
  });
});

describe('a huge file (round 4 of the red team, #11)', () => {
  it('is refused unread, by size, for its exercise only: the parent never transpiles or parses it', async () => {
    const base = prepare_base();
    try {
      const sub = new_submission('huge-file');
      add_starter_with(sub, EX01, `\n/*${'x'.repeat(MAX_FILE_BYTES)}*/\n`);
      const r = await grade_submission(base, { submission: sub, exercises: ['01'], typecheck: false, starter_baseline: false });
      const e = r.exercises[0]!;
      expect([e.status, e.score]).toEqual(['missing', 0]);
      expect(e.message).toMatch(/^not graded: exercises\/01-count-must-not-hide-memory\/i915_gem_shrinker_count\.ts is \d+ KiB: a graded file may be at most 64 KiB/);
    } finally {
      release_base(base);
    }
    // No wall-clock limit of its own: it builds a whole grading base, minutes on a loaded machine (the config's backstop applies).
  });
});

describe('class mode: a name that is a spreadsheet formula (round 4 of the red team, #06)', () => {
  it('reaches gradebook.csv as text: a cell starting with = + - @ is prefixed with \'', () => {
    const names = ['=2+5', "@SUM(1+9)*cmd|' -c calc'!A0", '+1', '-1+2', 'alice'];
    const reports = names.map((n) => ({ submission: n, score: 0, max_score: 8, exercises: [], modified: [], grader_modified: [], hidden_visibility: 'after_due_date' as const, execution_time: 0 }));
    const rows = gradebook_csv(reports, []).trim().split('\n').slice(1);
    const first_cells = rows.map((row) => row.replace(/,0,8,,0$/, ''));
    expect(first_cells).toEqual(["'=2+5", "'@SUM(1+9)*cmd|' -c calc'!A0", "'+1", "'-1+2", 'alice']);
    // What a spreadsheet would evaluate: no cell of any row starts with a formula character.
    for (const row of rows) for (const cell of row.split(',')) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
  });
});

describe('an interrupted grader', () => {
  it('on SIGTERM kills its workers\' process groups and removes every temporary tree', async () => {
    const tmp = make_temp('shrinker-interrupt-');
    const sub = new_submission('spins');
    add_starter_with(sub, EX01, snippet('infinite-loop.txt'));
    const child = spawn(process.execPath, ['--import', 'tsx', join(COURSE_ROOT, 'grader/main.ts'), '--submission', sub, '--exercises', '01', '--no-typecheck', '--timeout', '600', '--out', join(tmp, 'out')], {
      cwd: COURSE_ROOT,
      env: { ...process.env, TMPDIR: tmp },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    const workers = () => execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' }).split('\n').filter((l) => l.includes(`${tmp}/shrinker-grade-`) && l.includes('worker.js'));
    // Wait (in steps, not for a fixed time) until its learner worker is running.
    for (let i = 0; i < 1200 && workers().length === 0; i++) await new Promise((r) => setTimeout(r, 250));
    expect(workers().length).toBeGreaterThan(0);
    const exit = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exit).toBe(143);
    expect(err).toMatch(/grader stopped by SIGTERM: killed \d+ worker\(s\), removed \d+ temporary folder\(s\)/);
    // Killed before the grader exited; on a busy machine a killed process may take a while to be gone (a backstop of 5 min).
    for (let i = 0; i < 1200 && workers().length > 0; i++) await new Promise((r) => setTimeout(r, 250));
    expect(workers()).toEqual([]);
    expect(readdirSync(tmp).filter((n) => n.startsWith('shrinker-'))).toEqual([]);
    expect(existsSync(join(tmp, 'out'))).toBe(false);
  });
});

describe('the model hands out copies of what judges', () => {
  it('kernel_reports() is a frozen copy: pushing, erasing or editing a report changes nothing the checks read', async () => {
    const { start_kernel } = await import('../../kernel/init/main');
    const { kernel_reports, report } = await import('../../kernel/panic');
    const { user_task } = await import('../../kernel/fork');
    const r = await start_kernel({ nr_cpus: 1 }, () => {
      user_task(async () => {
        report('warn', 'a real warning', ['WARNING: a real warning']);
        const seen = kernel_reports() as unknown as { title: string; lines: string[] }[];
        expect(() => seen.push({ title: 'forged', lines: [] })).toThrow(TypeError);
        expect(() => seen.splice(0)).toThrow(TypeError);
        expect(() => (seen[0]!.title = 'nothing')).toThrow(TypeError);
        expect(() => seen[0]!.lines.push('x')).toThrow(TypeError);
      }, 'reporter');
    });
    expect(r.reports.map((x) => x.title)).toEqual(['a real warning']);
  });
});

describe('forged and garbled result lines', () => {
  it('are reported to the instructor as incidents (table, gradebook), never taken as results', async () => {
    // Only possible where learner code can reach the result pipe at all: the
    // checker's own realm without the sandbox (the grading realm has no fs).
    const dir = make_temp('shrinker-forge-');
    const sub = join(dir, 'forger');
    mkdirSync(sub);
    add_starter_with(sub, EX01, `
import { writeSync } from 'node:fs';
export const forged = (() => {
  writeSync(3, '@@shrinker-lab-result@@' + '0'.repeat(32) + JSON.stringify({ run: { status: 'passed', results: [] } }) + '\\n');
  writeSync(3, 'garbage on the result pipe\\n');
})();
`);
    const out = make_temp('shrinker-forge-out-');
    const b = await grade_batch(base, dir, out, { exercises: ['01'], typecheck: false, policy: false, harden: false, sandbox: false });
    const e = b.reports[0]!.exercises[0]!;
    expect(e.score).toBe(0);
    expect(e.incidents!.map((i) => i.split(':')[0])).toEqual(["a result line without the worker's nonce", 'a line without the result marker']);
    expect(readFileSync(join(out, 'gradebook.csv'), 'utf8').split('\n')[1]).toMatch(/^forger,0,0,\d+,,2$/);
    expect(readFileSync(join(out, 'incidents.txt'), 'utf8')).toMatch(/^forger 01-count-must-not-hide-memory: a result line without the worker's nonce/);
  });
});
