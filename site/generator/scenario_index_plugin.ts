// The playground's index of scenarios, as a module of the bundle
// (virtual:shrinker-lab/scenario-index): the id, title and suite of every
// scenario the check suites declare, read from the suites themselves at build
// time (generator/scenario_index.ts, run in Node by Vite's module runner). The
// page lists and finds scenarios from it and imports a suite only when one of
// its scenarios runs: 13 suites and what only they import are no longer
// loaded when the page opens.
import { join } from 'node:path';
import { runnerImport, type Plugin } from 'vite';
import type { scenario_index_entry } from './scenario_index.ts';

/** The id the playground imports the index by. */
export const SCENARIO_INDEX_MODULE = 'virtual:shrinker-lab/scenario-index';
const RESOLVED = `\0${SCENARIO_INDEX_MODULE}`;

/** scenario_index_module - the plugin; @repo_root holds checks/. */
export function scenario_index_module(repo_root: string): Plugin {
  return {
    name: 'shrinker-lab-scenario-index',
    resolveId: (id) => (id === SCENARIO_INDEX_MODULE ? RESOLVED : null),
    async load(id) {
      if (id !== RESOLVED) return null;
      const { module, dependencies } = await runnerImport<{ scenario_index(): scenario_index_entry[] }>(join(repo_root, 'site', 'generator', 'scenario_index.ts'), {
        configFile: false,
        root: repo_root,
        logLevel: 'warn',
      });
      // The dev server rebuilds the index when a suite (or anything it imports) changes.
      for (const d of dependencies) this.addWatchFile(d);
      return `export default ${JSON.stringify(module.scenario_index())};\n`;
    },
  };
}
