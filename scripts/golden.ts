// npm run golden [-- <exercise id>...]: record the reference solution's
// outcomes for each exercise's checks into checks/NN-slug.golden.ts.
// Course authors run it after changing a check suite or a reference solution.
import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { COURSE_ROOT, golden_path, read_manifest } from '../course/files';
import { ensure_golden_file, golden_source, record_golden } from '../course/golden';
import { find_exercise } from '../course/manifest';

const m = read_manifest();
const args = process.argv.slice(2);
const exercises = args.length ? args.map((q) => find_exercise(m, q)) : m.exercises;
let bad = 0;
for (const e of exercises) {
  ensure_golden_file(e);
  const { data, results } = await record_golden(e);
  const failed = results.filter((r) => r.status === 'failed');
  if (failed.length) {
    bad++;
    console.error(`${e.id}: the reference solution fails ${failed.map((r) => r.id).join(', ')}; nothing written.`);
    for (const r of failed) console.error(`  ${r.id}: ${r.message.split('\n').slice(0, 6).join('\n    ')}`);
    continue;
  }
  writeFileSync(golden_path(e), golden_source(e, data));
  const n = Object.values(data).reduce((s, book) => s + Object.keys(book).length, 0);
  console.log(`${relative(COURSE_ROOT, golden_path(e))}: ${n} outcomes`);
}
process.exitCode = bad ? 1 : 0;
