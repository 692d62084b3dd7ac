// "Your code" in the playground, without a browser: the study site server
// (cli/site.ts, cli/your_code.ts) serves a learner's current exercise files as
// one ES module bound to the playground's kernel registry, refuses what the
// CLI refuses, and serves nothing else of the tree; the playground's engine
// (site/src/playground_core.ts) runs that module with its own model instance.
// The learner's course is a temporary folder: its own manifest and exercise
// files, the tree's kernel model (a link), a stand-in built site.
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve as resolve_path } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start_study_site } from '../../cli/site';
import { your_code_module } from '../../cli/your_code';
import { forget_your_code, run_schedule_string, set_your_code_source, step } from '../../site/src/playground_core';

const repo = resolve_path(import.meta.dirname, '../..');
const EX03 = '03-reclaim-recursion';
const EX03_FILE = 'i915_gem_shrinker_lock.ts';
const EX04 = '04-owner-word';
const EX04_FILE = 'mutex_trylock_recursive.ts';
/** The schedule `shrinker-lab run 03` prints for the starter: the kernel's own choices deadlock it. */
const DEADLOCKS_THE_STARTER = 'sl1:ex03-recursion:m1:-:1647';

let course = '';
let modules = '';
let n = 0;

/** Write the learner's file @file of exercise @id. */
function write_learner(id: string, file: string, text: string): void {
  writeFileSync(join(course, 'exercises', id, file), text);
}
const text_of = (dir: 'exercises' | 'solutions', id: string, file: string): string => `${dir}/${id}/${file}`;
function put(from: string, id: string, file: string): void {
  copyFileSync(join(repo, from), join(course, 'exercises', id, file));
}

beforeAll(() => {
  course = mkdtempSync(join(tmpdir(), 'shrinker-yours-'));
  modules = mkdtempSync(join(tmpdir(), 'shrinker-yours-modules-'));
  mkdirSync(join(modules, 'your-code'));
  writeFileSync(join(modules, 'package.json'), '{"type": "module"}');
  cpSync(join(repo, 'exercises'), join(course, 'exercises'), { recursive: true });
  symlinkSync(join(repo, 'kernel'), join(course, 'kernel'));
  mkdirSync(join(course, 'site', 'dist'), { recursive: true });
  writeFileSync(join(course, 'site', 'dist', 'index.html'), '<!doctype html><title>course map</title>');
  writeFileSync(join(course, 'package.json'), '{"secret": true}');
  // The engine reads "your code" from the same function the server answers with, through a module file (as the page imports a URL).
  set_your_code_source({
    offer: async () => ({ base: 'your-code/', exercises: [EX03, EX04] }),
    async load(exercise) {
      const m = await your_code_module(course, exercise);
      const js = !m ? 'throw new Error("no such exercise")' : m.ok ? m.js : `throw new Error(${JSON.stringify(m.error)})`;
      // Named as the server names it (your-code/<id>.js), a new query per read: the page's frame locator finds the learner's lines by that name.
      const file = join(modules, 'your-code', `${exercise}.js`);
      writeFileSync(file, js);
      return (await import(`${pathToFileURL(file).href}?read=${n++}`)) as Record<string, unknown>;
    },
  });
});

afterAll(() => {
  set_your_code_source(null);
  rmSync(course, { recursive: true, force: true });
  rmSync(modules, { recursive: true, force: true });
});

describe('"your code" in the playground engine', () => {
  it("runs the learner's current file: the reference solution's text survives the schedule that deadlocks the starter; the starter's text deadlocks with the starter's own dmesg", async () => {
    put(text_of('solutions', EX03, EX03_FILE), EX03, EX03_FILE);
    forget_your_code();
    const fixed = await run_schedule_string(DEADLOCKS_THE_STARTER, 'yours');
    expect(fixed.ok, fixed.ok ? '' : fixed.error).toBe(true);
    expect(fixed.ok && fixed.failures).toEqual([]);
    // The learner saves the starter's text again: the next run reads it.
    put(text_of('exercises', EX03, EX03_FILE), EX03, EX03_FILE);
    forget_your_code();
    const broken = await run_schedule_string(DEADLOCKS_THE_STARTER, 'yours');
    const starter = await run_schedule_string(DEADLOCKS_THE_STARTER, 'starter');
    expect(broken.ok && starter.ok).toBe(true);
    if (!broken.ok || !starter.ok) return;
    expect(broken.failures.join('\n')).toMatch(/deadlock/);
    expect(broken.log).toBe(starter.log);
    expect(broken.schedule_string).toBe(DEADLOCKS_THE_STARTER);
  });

  it('stepping with "your code" makes the same decisions and string as with the same text bundled', async () => {
    put(text_of('exercises', EX03, EX03_FILE), EX03, EX03_FILE);
    forget_your_code();
    const mine = await step('ex03-recursion', 'yours', [], 0);
    const bundled = await step('ex03-recursion', 'starter', [], 0);
    expect(mine.view?.runnable).toEqual(bundled.view?.runnable);
    const other = mine.view!.runnable.find((t) => t.pid !== mine.view!.default_pid)!;
    const a = await step('ex03-recursion', 'yours', [{ at: 0, pid: other.pid }], Number.MAX_SAFE_INTEGER);
    const b = await step('ex03-recursion', 'starter', [{ at: 0, pid: other.pid }], Number.MAX_SAFE_INTEGER);
    expect(a.schedule_string).toBe(b.schedule_string);
    expect(a.log).toBe(b.log);
  });

  it("a lane names the learner's file:line where the task is (the module's line map, cli/your_code.ts), as the CLI's call traces do", async () => {
    put(text_of('exercises', EX03, EX03_FILE), EX03, EX03_FILE);
    forget_your_code();
    const m = await your_code_module(course, EX03);
    expect(m && m.ok && m.js).toMatch(/export const __sl_your_code_lines = \[\{"file":"exercises\/03-reclaim-recursion\/i915_gem_shrinker_lock.ts","first":1,"count":\d+\}\];\n$/);
    const at = readFileSync(join(course, 'exercises', EX03, EX03_FILE), 'utf8').split('\n').findIndex((l) => /await mutex_lock\(/.test(l)) + 1;
    expect(at).toBeGreaterThan(0);
    const r = await step('ex03-recursion', 'yours', [], Number.MAX_SAFE_INTEGER);
    const stuck = r.end_view.lanes.filter((l) => l.where.includes(`i915_gem_shrinker_lock (exercises/${EX03}/${EX03_FILE}:${at})`));
    expect(stuck.length, r.end_view.lanes.map((l) => `${l.comm}: ${l.where}`).join('\n')).toBeGreaterThan(0);
    // The module's own export is the page's, not the learner's: it is not among the functions the checks call.
    const impl = await (await import('../../site/src/playground_core')).load_variant(EX03, 'yours');
    expect(Object.keys(impl)).not.toContain('__sl_your_code_lines');
  });

  it("binds the learner's imports to the playground's own model, live: `current` (sched/core, reassigned at every switch) reads the running task", async () => {
    put(text_of('solutions', EX04, EX04_FILE), EX04, EX04_FILE);
    forget_your_code();
    const m = await your_code_module(course, EX04);
    expect(m && m.ok && m.js).toMatch(/__sl_k\d+\.current\b/);
    const { catalogue } = await import('../../site/src/playground_core');
    const ids = (await catalogue()).filter((e) => e.exercise === EX04).map((e) => e.id);
    expect(ids.length).toBeGreaterThan(0);
    for (const id of ids) {
      const solution = await step(id, 'solution', [], Number.MAX_SAFE_INTEGER);
      const yours = await step(id, 'yours', [], Number.MAX_SAFE_INTEGER);
      expect(yours.schedule_string.startsWith(`sl1:${id}:`), id).toBe(true);
      expect(yours.log, id).toBe(solution.log);
      expect(yours.failures, id).toEqual(solution.failures);
    }
  });

  it('a syntax error, a refused import and a module outside the model come back as clear messages, as the CLI says them', async () => {
    write_learner(EX03, EX03_FILE, 'export async function i915_gem_shrinker_lock(i915 {\n  return 1;\n}\n');
    forget_your_code();
    const syntax = await run_schedule_string(DEADLOCKS_THE_STARTER, 'yours');
    expect(syntax.ok).toBe(false);
    expect(!syntax.ok && syntax.error).toMatch(/exercises\/03-reclaim-recursion\/i915_gem_shrinker_lock\.ts:1:\d+ - error TS\d+/);

    write_learner(EX04, EX04_FILE, "import { mutex_trylock_recursive as theirs } from '../../kernel/locking/mutex';\nexport const mutex_trylock_recursive = theirs;\n");
    const allowlist = await your_code_module(course, EX04);
    expect(allowlist && !allowlist.ok && allowlist.error).toMatch(/exercise 04 may not import mutex_trylock_recursive/);

    write_learner(EX03, EX03_FILE, "import { readFileSync } from 'node:fs';\nexport async function i915_gem_shrinker_lock() { readFileSync('/etc/passwd'); return { locked: false, unlock: false }; }\n");
    const outside = await your_code_module(course, EX03);
    expect(outside && !outside.ok && outside.error).toMatch(/i915_gem_shrinker_lock\.ts:1 - exercise 03 may import only the kernel model, not 'node:fs'/);

    write_learner(EX03, EX03_FILE, "export async function i915_gem_shrinker_lock() { await import('../../kernel/locking/mutex'); return { locked: false, unlock: false }; }\n");
    const dynamic = await your_code_module(course, EX03);
    expect(dynamic && !dynamic.ok && dynamic.error).toMatch(/no import\(\)/);
    put(text_of('exercises', EX03, EX03_FILE), EX03, EX03_FILE);
    put(text_of('exercises', EX04, EX04_FILE), EX04, EX04_FILE);
  });
});

describe('the study site server serves "your code" to this machine only, and nothing else of the tree', () => {
  it('progress.json names the exercises; your-code/<id>.js is the module; every other path, id or host is refused', async () => {
    const h = await start_study_site({ root: course, host: '127.0.0.1', port: 0 });
    expect(h.running).toBe(true);
    if (!h.running) return;
    try {
      const progress = (await (await fetch(new URL('progress.json', h.url))).json()) as { your_code?: { base: string; exercises: string[] } };
      expect(progress.your_code?.base).toBe('your-code/');
      expect(progress.your_code?.exercises).toContain(EX03);
      const ok = await fetch(new URL(`your-code/${EX03}.js`, h.url));
      expect(ok.status).toBe(200);
      expect(ok.headers.get('content-type')).toMatch(/javascript/);
      expect(await ok.text()).toMatch(/await __sl_kernel\("kernel\/locking\/mutex"\)/);
      const raw = new URL(h.url);
      const refused = [
        `your-code/..%2Fpackage.json.js`,
        `your-code/../package.json.js`,
        `your-code/${EX03}%2F..%2F..%2Fpackage.json.js`,
        `your-code/%2E%2E%2F%2E%2E%2Fkernel%2Flocking%2Fmutex.js`,
        `your-code/course.js`,
        `your-code/${EX03}.ts`,
        `your-code/${EX03}`,
        `exercises/${EX03}/${EX03_FILE}`,
        'exercises/course.json',
        'kernel/locking/mutex.ts',
        'package.json',
        '..%2Fpackage.json',
      ];
      for (const p of refused) {
        // A raw request: fetch would normalise the dots away before the server sees them.
        const r = await raw_get(raw.port, `/${p}`);
        expect(r.status, p).toBe(404);
        expect(r.body, p).not.toContain('secret');
        expect(r.body, p).not.toContain('mutex_lock');
      }
      // Asked by another name than this machine's (a rebound DNS name): no code.
      expect((await raw_get(raw.port, `/your-code/${EX03}.js`, 'attacker.example:80')).status).toBe(404);
    } finally {
      await h.stop();
    }
  });
});

/** GET @path from 127.0.0.1:@port as sent, with Host @host. */
async function raw_get(port: string, path: string, host = `127.0.0.1:${port}`): Promise<{ status: number; body: string }> {
  const { request } = await import('node:http');
  return new Promise((done, fail) => {
    const req = request({ host: '127.0.0.1', port: Number(port), path, headers: { Host: host } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => done({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', fail);
    req.end();
  });
}
