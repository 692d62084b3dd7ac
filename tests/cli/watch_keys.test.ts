// The watch keys (c check all, x reset, l list and jump, q quit) on a real
// terminal: `shrinker-lab watch` reads them only when stdin and stdout are a
// TTY, so the command runs under a pseudo-terminal made by `script` (from
// util-linux, in Debian's essential bsdutils package), which copies this
// test's keystrokes to the terminal and the screen back. No new dependency.
//
// Every step waits for the screen the key must produce (never for "a
// change"), so a slow machine only makes the test slower. The copy of the
// course is the tests' usual one (01 and the tiny 02-tiny-sum, whose checks
// take milliseconds).
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EX01, make_course_copy, remove_copy, TINY } from './course_copy';

let root = '';
beforeAll(() => {
  root = make_course_copy();
});
afterAll(() => remove_copy(root));

/** `script` (util-linux) must be here: Debian's bsdutils is essential, and most Linux systems have it. */
function require_script(): void {
  try {
    execFileSync('script', ['--version'], { stdio: 'ignore' });
  } catch {
    throw new Error('this test drives the watch through a pseudo-terminal made by `script` (util-linux); install util-linux (bsdutils on Debian)');
  }
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

interface terminal {
  child: ChildProcessWithoutNullStreams;
  /** Type @keys on the terminal. */
  press(keys: string): void;
  /** Resolves with the offset just past the first match of @re in the screen output after @from. */
  wait_for(re: RegExp, from: number): Promise<number>;
  screen(): string;
}

/** `shrinker-lab <args>` in @root on a pseudo-terminal (script -q: no banner; -f: flush each write; -e: its exit code). */
function on_terminal(args: readonly string[]): terminal {
  const cmd = [process.execPath, join(root, 'bin/shrinker-lab.js'), ...args].map(quote).join(' ');
  const child = spawn('script', ['-qfec', cmd, '/dev/null'], { cwd: root, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', TERM: 'xterm' } });
  let out = '';
  const take = (b: Buffer) => (out += b.toString());
  child.stdout.on('data', take);
  child.stderr.on('data', take);
  // Cursor moves and screen clears are not text: drop them so the patterns read like the screen.
  const screen = () => out.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, '');
  const wait_for = (re: RegExp, from: number): Promise<number> =>
    new Promise((res, rej) => {
      const look = () => {
        const m = re.exec(screen().slice(from));
        if (m) return res(from + m.index + m[0].length);
        if (child.exitCode !== null) return rej(new Error(`the command ended (${child.exitCode}) before ${re} appeared:\n${screen().slice(from)}`));
        setTimeout(look, 20);
      };
      look();
    });
  return { child, press: (keys) => child.stdin.write(keys), wait_for, screen };
}

const TINY_FILE = () => join(root, 'exercises', TINY, 'sum.ts');
const SOLVED = 'export function sum(a: number, b: number): number {\n  return a + b;\n}\n';

describe('shrinker-lab watch keys, on a terminal', () => {
  it('c checks every exercise, x resets after y (and not after another key), l lists and two digits jump, q quits', async () => {
    require_script();
    const starter = readFileSync(TINY_FILE(), 'utf8');
    const t = on_terminal(['watch', '02', '--no-site']);
    try {
      // The tiny exercise fails on its starter; the keys line is on the screen.
      let at = await t.wait_for(/returned -1, not 5[^]*?c all {2}x reset/, 0);
      // Solve it: the save is noticed and checked.
      writeFileSync(TINY_FILE(), SOLVED);
      at = await t.wait_for(new RegExp(`Exercise ${TINY.slice(0, 2)} is done\\.`), at);
      // c: every exercise, one after another; 01's starter fails, 02 passes.
      t.press('c');
      at = await t.wait_for(/Every exercise checked: 1 of 2 done\./, at);
      // x then any other key: nothing changes.
      t.press('x');
      at = await t.wait_for(new RegExp(`Reset exercises/${TINY}/sum\\.ts to the starter\\? [^]*?Press y to confirm`), at);
      t.press('z');
      at = await t.wait_for(/Nothing was changed\./, at);
      expect(readFileSync(TINY_FILE(), 'utf8')).toBe(SOLVED);
      // x then y: the learner's version is backed up, the starter is back, and it is checked again (failing).
      t.press('x');
      at = await t.wait_for(/Press y to confirm/, at);
      t.press('y');
      at = await t.wait_for(new RegExp(`Exercise ${TINY} is back to its starter \\(sum\\.ts\\)`), at);
      at = await t.wait_for(/returned -1, not 5/, at);
      expect(readFileSync(TINY_FILE(), 'utf8')).toBe(starter);
      const backups = join(root, '.shrinker-lab', 'backups', TINY);
      expect(existsSync(backups)).toBe(true);
      const saved = readdirSync(backups).map((d) => readFileSync(join(backups, d, 'sum.ts'), 'utf8'));
      expect(saved).toEqual([SOLVED]);
      // l: the list; 0 then 1 opens exercise 01.
      t.press('l');
      at = await t.wait_for(/Type an exercise's two digits to jump to it\./, at);
      t.press('01');
      at = await t.wait_for(new RegExp(`Exercise ${EX01}`), at);
      t.press('q');
      const code = await new Promise<number | null>((res) => (t.child.exitCode !== null ? res(t.child.exitCode) : t.child.on('close', res)));
      expect(code).toBe(0);
    } finally {
      if (t.child.exitCode === null) t.child.kill('SIGTERM');
    }
  }); // vitest.config.ts's 900 s backstop: several cold checks on a busy machine may take minutes
});
