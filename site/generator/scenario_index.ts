/// <reference types="vite/client" />
// Which check suite declares which scenario, by id, with its title: read at
// build time (site/generator/scenario_index_plugin.ts loads this module in
// Node through Vite's module runner), so that the playground can list every
// scenario and find the one a schedule string names without loading every
// suite. Each suite is then loaded only when one of its scenarios runs. The
// ids and titles are the suites' own declarations (course/scenario_registry.ts
// declare_scenarios): nothing here is written by hand.
import { scenario_declarations_of } from '../../course/scenario_registry';

/** One check suite's declared scenarios: ids, titles and challenge goals only. */
export interface scenario_index_entry {
  /** The suite module, as the playground's import.meta.glob names it ("../../checks/03-….checks.ts"). */
  suite: string;
  exercise: string;
  scenarios: { id: string; title: string; goal?: string }[];
}

const suites = import.meta.glob<unknown>('../../checks/*.checks.ts', { import: 'scenarios', eager: true });

/** scenario_index - every suite that declares scenarios, in file order (the playground globs checks/ from the same depth, so the keys match). */
export function scenario_index(): scenario_index_entry[] {
  const out: scenario_index_entry[] = [];
  for (const suite of Object.keys(suites).sort()) {
    const d = scenario_declarations_of({ scenarios: suites[suite] });
    if (d) out.push({ suite, exercise: d.exercise, scenarios: d.scenarios.map((s) => ({ id: s.id, title: s.title, ...(s.goal ? { goal: s.goal } : {}) })) });
  }
  return out;
}
