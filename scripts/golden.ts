// npm run golden [-- <exercise id>...]: record the reference solution's
// outcomes for each exercise's checks into checks/NN-slug.golden.ts, and each
// decoy's verdict and note into checks/NN-slug.known-wrong.json (the loop
// shows the note when a learner's answer fails the same way).
// Course authors run it after changing a check suite, a solution or a decoy.
//
// Two passes in two processes: a suite imports its golden file when it loads,
// so decoys judged in the process that just rewrote that file would be judged
// against the old golden data (module caches never reload). The decoys' pass
// (`--known-wrong`) therefore runs in a fresh child once the golden files are
// written. The same child records which checks each starter fails
// (checks/NN-slug.starter.json, course/starter_record.ts); `npm run starters
// [-- NN]` (`--starters`) records only that, for an author who changed a
// starter and nothing else.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run_checks } from '../course/checks';
import { COURSE_ROOT, golden_path, load_impl, load_suite, read_decoys, read_manifest, starter_dir, variant_dir } from '../course/files';
import { ensure_golden_file, golden_source, record_golden } from '../course/golden';
import { known_wrong_path, known_wrong_source, verdict_signature, type known_wrong_answer } from '../course/known_wrong';
import { find_exercise, type manifest_exercise } from '../course/manifest';
import { starter_record_path, starter_record_source } from '../course/starter_record';

const m = read_manifest();
const known_wrong_only = process.argv.includes('--known-wrong');
const starters_only = process.argv.includes('--starters');
const args = process.argv.slice(2).filter((a) => a !== '--known-wrong' && a !== '--starters');
const exercises = args.length ? args.map((q) => find_exercise(m, q)) : m.exercises;

/** record_known_wrong - each decoy of @e judged by the suite as it now stands. */
async function record_known_wrong(e: manifest_exercise): Promise<void> {
  const suite = await load_suite(e);
  const known: known_wrong_answer[] = [];
  for (const d of read_decoys(e)) {
    const results = await run_checks(suite, await load_impl(e, variant_dir(e, 'decoys', d.name)));
    known.push({ name: d.name, why: d.why, signature: verdict_signature(results) });
  }
  writeFileSync(known_wrong_path(e), known_wrong_source(known));
  console.log(`${relative(COURSE_ROOT, known_wrong_path(e))}: ${known.length} known wrong answers`);
}

/** record_starter - which of @e's checks its starter (exercises/<id>/) fails, judged by the suite as it now stands. */
async function record_starter(e: manifest_exercise): Promise<void> {
  const results = await run_checks(await load_suite(e), await load_impl(e, starter_dir(e)));
  writeFileSync(starter_record_path(e), starter_record_source(e, results));
  const fails = results.filter((r) => r.status === 'failed').length;
  console.log(`${relative(COURSE_ROOT, starter_record_path(e))}: the starter fails ${fails} of ${results.length} checks`);
}

if (starters_only) {
  for (const e of exercises) await record_starter(e);
} else if (known_wrong_only) {
  for (const e of exercises) {
    await record_starter(e);
    await record_known_wrong(e);
  }
} else {
  let bad = 0;
  const written: string[] = [];
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
    written.push(e.id);
  }
  if (written.length) {
    execFileSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--known-wrong', ...written], { stdio: 'inherit', cwd: process.cwd() });
  }
  process.exitCode = bad ? 1 : 0;
}
