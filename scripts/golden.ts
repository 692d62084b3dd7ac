// npm run golden [-- <exercise id>...]: record the reference solution's
// outcomes for each exercise's checks into checks/NN-slug.golden.ts, and each
// decoy's verdict and note into checks/NN-slug.known-wrong.json (the loop
// shows the note when a learner's answer fails the same way).
// Course authors run it after changing a check suite, a solution or a decoy.
import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { run_checks } from '../course/checks';
import { COURSE_ROOT, golden_path, load_impl, load_suite, read_decoys, read_manifest, variant_dir } from '../course/files';
import { ensure_golden_file, golden_source, record_golden } from '../course/golden';
import { known_wrong_path, known_wrong_source, verdict_signature, type known_wrong_answer } from '../course/known_wrong';
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
  const suite = await load_suite(e);
  const known: known_wrong_answer[] = [];
  for (const d of read_decoys(e)) {
    const results = await run_checks(suite, await load_impl(e, variant_dir(e, 'decoys', d.name)));
    known.push({ name: d.name, why: d.why, signature: verdict_signature(results) });
  }
  writeFileSync(known_wrong_path(e), known_wrong_source(known));
  console.log(`${relative(COURSE_ROOT, known_wrong_path(e))}: ${known.length} known wrong answers`);
}
process.exitCode = bad ? 1 : 0;
