// The playground's scenario index (site/generator/scenario_index.ts, made a
// module of the bundle by site/generator/scenario_index_plugin.ts): built from
// the suites' own declarations, it lists exactly the registry's ids and
// titles, each under the suite that declares it; the page finds a scenario
// through it and loads that one suite (a stale index is refused, not trusted).
import { resolve as resolve_path } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scenario_index } from '../../site/generator/scenario_index';
import { SCENARIO_INDEX_MODULE, scenario_index_module } from '../../site/generator/scenario_index_plugin';
import { catalogue, every_declaration, resolve, set_scenario_index } from '../../site/src/playground_core';

const root = resolve_path(import.meta.dirname, '../..');

describe("the playground's scenario index", () => {
  it("lists every declared scenario of every suite, by the registry's ids, titles and challenge goals, under its suite's file", async () => {
    const index = scenario_index();
    const decls = await every_declaration();
    expect(index.map((e) => ({ exercise: e.exercise, scenarios: e.scenarios }))).toEqual(decls.map((d) => ({ exercise: d.exercise, scenarios: d.scenarios.map((s) => ({ id: s.id, title: s.title, ...(s.goal ? { goal: s.goal } : {}) })) })));
    // A goal is the challenge of a workload to step through (10, 11, 12): it reaches the page through the index.
    expect(index.flatMap((e) => e.scenarios).filter((s) => s.goal).map((s) => s.id)).toEqual(decls.flatMap((d) => d.scenarios).filter((s) => s.goal).map((s) => s.id));
    for (const e of index) expect(e.suite).toBe(`../../checks/${e.exercise}.checks.ts`);
    expect(index.flatMap((e) => e.scenarios).length).toBeGreaterThanOrEqual(20);
  });

  it('is what the build plugin puts in the bundle (read from the suites by Vite in node)', async () => {
    const plugin = scenario_index_module(root);
    const resolved = (plugin.resolveId as (id: string) => string | null)(SCENARIO_INDEX_MODULE);
    expect(resolved).not.toBeNull();
    const watched: string[] = [];
    const code = (await (plugin.load as (this: { addWatchFile(f: string): void }, id: string) => Promise<string | null>).call({ addWatchFile: (f) => void watched.push(f) }, resolved!))!;
    const m = /^export default (.*);\n$/s.exec(code);
    expect(m).not.toBeNull();
    expect(JSON.parse(m![1]!)).toEqual(scenario_index());
    expect(watched.some((f) => f.endsWith('checks/03-reclaim-recursion.checks.ts'))).toBe(true);
  });

  it('with the index set, the catalogue is the index and a scenario is found through it: an index that names the wrong suite is refused', async () => {
    const index = scenario_index();
    set_scenario_index(index);
    expect((await catalogue()).filter((c) => c.exercise !== null).map((c) => c.id)).toEqual(index.flatMap((e) => e.scenarios.map((s) => s.id)));
    expect((await resolve('ex03-recursion', 'starter')).exercise).toBe('03-reclaim-recursion');
    // A stale index (03's scenario listed under 04's suite): the suite loaded does not declare it, so the page says to rebuild.
    set_scenario_index(index.map((e) => (e.exercise === '04-owner-word' ? { ...e, scenarios: [...e.scenarios, { id: 'ex03-recursion', title: 'moved' }] } : e.exercise === '03-reclaim-recursion' ? { ...e, scenarios: e.scenarios.filter((s) => s.id !== 'ex03-recursion') } : e)));
    await expect(resolve('ex03-recursion', 'starter')).rejects.toThrow(/scenario index is older than \.\.\/\.\.\/checks\/04-owner-word\.checks\.ts: rebuild the site/);
    await expect(resolve('no-such-scenario', 'starter')).rejects.toThrow(/does not know scenario "no-such-scenario"/);
  });
});
