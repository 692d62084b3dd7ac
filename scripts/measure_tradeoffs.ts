// npx tsx scripts/measure_tradeoffs.ts [--solution]: exercise 13's measuring
// harness. Runs YOUR shrinker (exercises/13-write-the-shrinker/, or the
// reference with --solution) on one workload, Chris's case from the thread
// (scenarios/whole_shrinker.ts tradeoff_workload: a GEM ioctl allocates under
// struct_mutex while the GPU scans out, a bystander the OOM killer can pick),
// once per policy, and prints what each policy cost: OOM kills, how long the
// ioctl stalled in reclaim (jiffies, HZ = 1000), the pages it got, the pages
// i915 released, how often reclaim called scan, and the work left deferred.
//
// The policies are the two questions of the thread (lessons/13): recursion
// (mutex_trylock_recursive) or a plain trylock, and what a nested scan
// returns: the pages it released ("freed") or SHRINK_STOP. Your file's
// shrinker_policy object is set to each in turn.
import { find_exercise } from '../course/manifest';
import { load_impl, read_manifest, solution_dir, starter_dir } from '../course/files';
import { POLICIES, policy_text, tradeoff_workload, type shrinker_policy, type whole_shrinker } from '../scenarios/whole_shrinker';

const e = find_exercise(read_manifest(), '13');
const which = process.argv.includes('--solution') ? 'the reference solution' : 'your code';
const impl = await load_impl(e, process.argv.includes('--solution') ? solution_dir(e) : starter_dir(e));
const policy = impl.shrinker_policy as shrinker_policy | undefined;
if (!policy || typeof policy !== 'object') {
  console.error('i915_gem_shrinker.ts must export `shrinker_policy` (an object with lock and nested_scan_returns): the harness sets it to each policy in turn.');
  process.exit(2);
}
const shrinker = {
  count: impl.i915_gem_shrinker_count,
  scan: impl.i915_gem_shrinker_scan,
  oom: impl.i915_gem_shrinker_oom,
} as whole_shrinker;
const shipped = { ...policy };
console.log(`Chris's case, measured on ${which}, once per policy:\n`);
const header = ['policy', 'OOM kills', 'stall (jiffies)', 'pages got', 'i915 released', 'scan calls', 'nr_deferred'];
const rows: string[][] = [];
for (const p of POLICIES) {
  Object.assign(policy, p);
  const m = await tradeoff_workload(shrinker);
  rows.push(typeof m === 'string' ? [policy_text(p), `the run failed: ${m}`] : [policy_text(p), ...[m.oom_kills, m.stall_jiffies, m.pages_got, m.i915_pages_released, m.i915_scan_calls, m.i915_nr_deferred].map(String)]);
}
Object.assign(policy, shipped);
const width = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
const line = (r: string[]): string => r.map((c, i) => (i === 0 ? c.padEnd(width[i]!) : c.padStart(width[i]!))).join('  ');
console.log(line(header));
for (const r of rows) console.log(line(r));
