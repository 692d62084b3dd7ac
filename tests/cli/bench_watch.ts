// Speed of the learner's heartbeat: median time from saving an exercise
// file to the verdict printed by `shrinker-lab watch` (warm worker), for
// three exercises, next to vitest's own watch re-run of a trivial test.
// Not a test (no timing assertions anywhere): run it by hand with
//   npx tsx tests/cli/bench_watch.ts [edits per exercise, default 7]
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { make_course_copy, remove_copy, start_cli } from './course_copy';

const EDITS = Number(process.argv[2] ?? 7);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function bench_exercise(root: string, id: string): Promise<{ id: string; median: number; all: number[] }> {
  const m = JSON.parse(readFileSync(join(root, 'exercises/course.json'), 'utf8')) as { exercises: { id: string; files: string[] }[] };
  const e = m.exercises.find((x) => x.id.startsWith(id))!;
  const file = join(root, 'exercises', e.id, e.files[0]!);
  const text = readFileSync(file, 'utf8');
  const w = start_cli(root, ['watch', e.id, '--no-site']);
  const verdict = /--- \S+ \S+: \w+ ---\n[^]*?\n\n/;
  let at = await w.wait_for(verdict, 0, 120_000);
  const times: number[] = [];
  for (let i = 0; i < EDITS; i++) {
    const t0 = Date.now();
    writeFileSync(file, `${text}// edit ${i}\n`);
    at = await w.wait_for(verdict, at, 120_000);
    times.push(Date.now() - t0);
  }
  writeFileSync(file, text);
  w.child.kill('SIGTERM');
  return { id: e.id, median: median(times), all: times };
}

async function bench_vitest(): Promise<{ median: number; all: number[] }> {
  const dir = make_course_copy();
  const t = join(dir, 'vt');
  mkdirSync(t);
  writeFileSync(join(t, 'vitest.config.ts'), "export default { test: { include: ['*.test.ts'] } };\n");
  writeFileSync(join(t, 'a.test.ts'), "import { expect, it } from 'vitest';\nit('adds', () => expect(1 + 1).toBe(2));\n");
  const child = spawn(process.execPath, [join(dir, 'node_modules/vitest/vitest.mjs'), 'watch', '--root', t], { cwd: t, env: { ...process.env, NO_COLOR: '1' } });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  const wait = (from: number) =>
    new Promise<number>((res) => {
      const tick = () => {
        const i = out.indexOf('Tests  1 passed', from);
        if (i >= 0) return res(i + 1);
        setTimeout(tick, 5);
      };
      tick();
    });
  let at = await wait(0);
  const times: number[] = [];
  for (let i = 0; i < EDITS; i++) {
    await new Promise((r) => setTimeout(r, 300));
    const t0 = Date.now();
    writeFileSync(join(t, 'a.test.ts'), `import { expect, it } from 'vitest';\nit('adds', () => expect(1 + 1).toBe(2));\n// edit ${i}\n`);
    at = await wait(at);
    times.push(Date.now() - t0);
  }
  child.kill('SIGTERM');
  remove_copy(dir);
  return { median: median(times), all: times };
}

const root = make_course_copy(true);
try {
  for (const id of ['01', '03', '04']) {
    const r = await bench_exercise(root, id);
    console.log(`watch ${r.id}: median ${r.median} ms save-to-verdict (${r.all.join(', ')})`);
  }
} finally {
  remove_copy(root);
}
const v = await bench_vitest();
console.log(`vitest watch, 1 trivial test: median ${v.median} ms (${v.all.join(', ')})`);
