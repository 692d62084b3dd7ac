// The command in a git clone of the course, as a newcomer has it: the
// starters come from git, and `reset` still restores the starter after the
// learner has committed their own work (HEAD then holds the learner's file).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, EX01, EX01_FILE, make_course_copy, remove_copy } from './course_copy';

let root = '';
const git = (...args: string[]) => execFileSync('git', ['-c', 'user.email=learner@example.com', '-c', 'user.name=Learner', '-c', 'commit.gpgsign=false', ...args], { cwd: root, stdio: 'pipe' });

beforeAll(() => {
  root = make_course_copy();
  git('init', '-q');
  git('add', '-A');
  git('commit', '-q', '-m', 'course');
});
afterAll(() => remove_copy(root));

describe('shrinker-lab in a git clone', () => {
  it('takes the starters from git on the first run and resets to them after the learner commits', async () => {
    const file = join(root, 'exercises', EX01, EX01_FILE);
    const starter = readFileSync(file, 'utf8');
    const first = await cli(root, ['list']);
    expect(first.code).toBe(0);
    expect(first.stderr).toBe('');
    expect(readFileSync(join(root, '.shrinker-lab/starters', EX01, EX01_FILE), 'utf8')).toBe(starter);
    writeFileSync(file, starter.replace('// TODO', '// my attempt; TODO'));
    git('commit', '-q', '-am', 'my attempt');
    const r = await cli(root, ['reset', '01']);
    expect(r.code).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(starter);
    const backup = /saved in (\S+)\//.exec(r.stdout)![1]!;
    expect(readFileSync(join(root, backup, EX01_FILE), 'utf8')).toContain('my attempt');
    // .shrinker-lab/ is ignored by git: progress never shows up as a change to commit
    expect(execFileSync('git', ['status', '--porcelain'], { cwd: root, encoding: 'utf8' })).not.toContain('.shrinker-lab');
    expect(existsSync(join(root, '.shrinker-lab/state.json'))).toBe(true);
  });
});
