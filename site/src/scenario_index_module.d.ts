// The module site/generator/scenario_index_plugin.ts makes at build time.
declare module 'virtual:shrinker-lab/scenario-index' {
  const index: import('../generator/scenario_index.ts').scenario_index_entry[];
  export default index;
}
