// npx tsx scripts/try_checks.ts <exercise> [-v]: run one exercise's checks on its
// starter, reference solution, alternatives and decoys, one line each (-v:
// with the first lines of each failure). An authoring aid: the same verdicts
// as the authoring tests, in a few seconds, while writing checks or decoys.
import { run_checks } from '../course/checks';
import { list_variants, load_impl, load_suite, read_manifest, solution_dir, starter_dir, variant_dir } from '../course/files';
import { find_exercise } from '../course/manifest';

const [query, flag] = process.argv.slice(2);
if (!query) {
  console.error('usage: npx tsx scripts/try_checks.ts <exercise id, e.g. 03> [-v]');
  process.exit(2);
}
const e = find_exercise(read_manifest(), query);
const suite = await load_suite(e);
const targets: [string, string][] = [
  ['starter', starter_dir(e)],
  ['solution', solution_dir(e)],
  ...list_variants(e, 'alternatives').map((n): [string, string] => [`alternative:${n}`, variant_dir(e, 'alternatives', n)]),
  ...list_variants(e, 'decoys').map((n): [string, string] => [`decoy:${n}`, variant_dir(e, 'decoys', n)]),
];
for (const [name, dir] of targets) {
  const t0 = Date.now();
  const results = await run_checks(suite, await load_impl(e, dir));
  console.log(name.padEnd(34), results.map((r) => `${r.status === 'passed' ? '✓' : '✗'}${r.id}`).join(' '), `${Date.now() - t0} ms`);
  if (flag === '-v') for (const r of results) if (r.status === 'failed') console.log(`    ${r.id}: ${r.message.split('\n').slice(0, 5).join('\n      ')}`);
}
