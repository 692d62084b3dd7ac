// The playground's engine in node (site/src/playground_core.ts): a schedule
// string printed by a failing starter's check (what `shrinker-lab run NN`
// prints) replays on the site's engine to the very log `shrinker-lab replay
// --log-only` prints, and a string made by stepping in the playground
// replays in the CLI to the log the playground showed.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve as resolve_path } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { run_checks } from '../../course/checks';
import { load_impl, load_suite, read_manifest } from '../../course/files';
import { catalogue, default_schedule_string, every_declaration, resolve, run_schedule_string, step, thread_scenarios, VARIANTS } from '../../site/src/playground_core';
import { parse_schedule } from '../../explorer/index';
import { cli_replay_log } from './playground_cli';

const root = resolve_path(import.meta.dirname, '../..');

/** What `shrinker-lab replay S --log-only` prints between its header and its verdict (the real command: its replay runs in the grading realm, in a worker child). */
function cli_log(schedule: string): Promise<{ code: number; log: string }> {
  return cli_replay_log(root, schedule);
}

afterEach(() => vi.restoreAllMocks());

describe('one registry: CLI strings replay on the site', () => {
  it('every scenario a check explores is declared once: no suite calls the explorer but through explore_declared, and each declaration builds its own id with the starter and the solution', async () => {
    const suites = readdirSync(join(root, 'checks')).filter((f) => f.endsWith('.checks.ts'));
    for (const f of suites) expect(readFileSync(join(root, 'checks', f), 'utf8'), f).not.toMatch(/\b(?:no_failures|check_no_failures|check_failure|explore)\(/);
    const decls = await every_declaration();
    expect(decls.length).toBeGreaterThanOrEqual(9);
    for (const d of decls) {
      expect(suites, d.exercise).toContain(`${d.exercise}.checks.ts`);
      for (const s of d.scenarios) for (const v of VARIANTS) expect((await resolve(s.id, v)).built.scenario.id).toBe(s.id);
    }
  });

  it('every failing starter: the string its explored check prints replays on the site to the same log as `replay --log-only`', async () => {
    const m = read_manifest(root);
    const strings = new Set<string>();
    const decls = await catalogue();
    for (const e of m.exercises) {
      const ids = new Set(decls.filter((d) => d.exercise === e.id).map((d) => d.id));
      if (ids.size === 0) continue;
      const suite = await load_suite(e, root);
      const impl = await load_impl(e, resolve_path(root, 'exercises', e.id));
      for (const r of await run_checks(suite, impl)) {
        for (const s of r.message.match(/sl1:\S+/g) ?? []) if (ids.has(parse_schedule(s).scenario_id)) strings.add(s);
      }
    }
    // One string per failing starter that explores, at least the seven of the issue.
    expect(strings.size).toBeGreaterThanOrEqual(7);
    for (const s of strings) {
      const site = await run_schedule_string(s, 'starter');
      expect(site.ok, `${s}: ${site.ok ? '' : site.error}`).toBe(true);
      if (!site.ok) continue;
      expect(site.failures.length, s).toBeGreaterThan(0);
      const cli = await cli_log(s);
      expect(cli.code, s).toBe(0);
      expect(site.log, s).toBe(cli.log);
      expect(site.log.length, s).toBeGreaterThan(0);
      // The challenge's second half: the same schedule on the reference solution survives.
      const solution = await run_schedule_string(s, 'solution');
      expect(solution.ok && solution.failures, s).toEqual([]);
    }
  });

  it('a string made by stepping in the playground replays in the CLI to the log the playground showed', async () => {
    // Exercise 03's starter: at the first decision where another task could run, run it instead.
    const first = await step('ex03-recursion', 'starter', [], 0);
    expect(first.view, 'the scenario has a decision point').not.toBeNull();
    const v = first.view!;
    const other = v.runnable.find((t) => t.pid !== v.default_pid)!;
    const made = await step('ex03-recursion', 'starter', [{ at: 0, pid: other.pid }], 1);
    expect(made.schedule_string).toMatch(/^sl1:ex03-recursion:m1:0=\d+:[0-9a-f]{4}$/);
    const cli = await cli_log(made.schedule_string);
    expect(cli.code).toBe(0);
    expect(cli.log).toBe(made.log);
    const site = await run_schedule_string(made.schedule_string, 'starter');
    expect(site.ok && site.log).toBe(made.log);
  });
});

describe('the stepper', () => {
  it("exercise 03's starter, default picks to the end: the lanes show the deadlock's wait-for cycle and who holds what", async () => {
    let at = 0;
    let r = await step('ex03-recursion', 'starter', [], at);
    let last = r.view;
    // Step decision by decision (a budget in decisions, not seconds) until the run has none left.
    for (let i = 0; i < 200 && r.view; i++) {
      last = r.view;
      at++;
      r = await step('ex03-recursion', 'starter', [], at);
    }
    expect(r.view).toBeNull();
    expect(r.stop).toBe('deadlock');
    expect(r.failures.map((f) => f.kind)).toContain('deadlock');
    expect(last).not.toBeNull();
    // The end: the wait-for cycle, each task in it blocked on a lock another one in it holds.
    const cycle = r.end_view.cycle;
    expect(cycle).not.toBeNull();
    for (const pid of cycle!) expect(r.end_view.lanes.find((l) => l.pid === pid)?.blocked).toMatch(/held by/);
    // struct_mutex, read from its owner word: held by a task of the cycle, with the WAITERS bit (someone sleeps on it).
    const sm = r.end_view.locks.find((l) => l.name.includes('struct_mutex'));
    expect(sm?.owner_word).toMatch(/^0x[0-9a-f]{8}$/);
    expect(cycle!.map((pid) => r.end_view.lanes.find((l) => l.pid === pid)).map((l) => `${l!.comm}:${l!.pid}`)).toContain(sm!.holder);
    expect(sm!.flags).toContain('WAITERS');
    expect(sm!.waiters.length).toBeGreaterThan(0);
    expect(r.schedule_string).toBe(default_schedule_string('ex03-recursion'));
  });

  it('the same schedule on the solution survives', async () => {
    const s = default_schedule_string('ex03-recursion');
    const starter = await run_schedule_string(s, 'starter');
    const solution = await run_schedule_string(s, 'solution');
    expect(starter.ok && starter.failures.length).toBeGreaterThan(0);
    expect(solution.ok && solution.failures).toEqual([]);
  });

  it('shows the zone against its watermarks, RCU and the lanes at a decision', async () => {
    const r = await step('rcu-hang-v4.10', 'starter', [], 3);
    const v = r.view!;
    expect(v.zone.min).toBeLessThan(v.zone.low);
    expect(v.zone.low).toBeLessThan(v.zone.high);
    expect(v.lanes.length).toBeGreaterThan(0);
    expect(v.runnable.map((t) => t.pid)).toContain(v.default_pid);
    expect(v.rcu.completed).toBeLessThanOrEqual(v.rcu.started);
  });
});

describe('errors are data', () => {
  it('malformed, altered and unknown-scenario strings', async () => {
    expect(await run_schedule_string('sl1:rcu-hang-v4.10:m1:-:xxxx')).toMatchObject({ ok: false, error: expect.stringMatching(/checksum|hex/) as unknown });
    expect(await run_schedule_string('hello')).toMatchObject({ ok: false });
    expect(await run_schedule_string('  ')).toMatchObject({ ok: false });
    expect(await run_schedule_string(default_schedule_string('no-such-scenario'))).toMatchObject({ ok: false, error: expect.stringMatching(/does not know scenario "no-such-scenario"/) as unknown });
    await expect(resolve('no-such-scenario', 'starter')).rejects.toThrow(/ex03-recursion/);
  });

  it('knows the thread scenarios and every declared one', async () => {
    const ids = (await catalogue()).map((e) => e.id);
    for (const s of thread_scenarios()) expect(ids).toContain(s.id);
    expect(ids).toContain('ex03-recursion');
    expect(ids).toContain('rcu-hang-v4.12-ex09');
  });
});
