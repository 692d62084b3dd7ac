// The `shrinker-lab` command. The learner's loop (watch, list, hint, verify,
// reset, solution, replay) is being built; until then `npm start` says where
// the course stands and how to explore the kernel model.
const lines = [
  'Shrinker Lab: learn Linux memory reclaim by fixing real shrinker bugs.',
  '',
  'The kernel model is in kernel/ (start with kernel/README.md).',
  'The exercises and the watch loop are not here yet: they arrive with the',
  'next parts of the course. Meanwhile `npm test` runs the model\'s own tests,',
  'which reproduce what the April 2017 i915 shrinker thread talks about.',
];
console.log(lines.join('\n'));
