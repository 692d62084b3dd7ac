// The grader reads a submission's graded files in a child of the one runner
// (course/runner.ts): transpiling a learner's TypeScript, parsing it for the
// import policy (grader/policy.ts) and for the seal (grader/transpile.ts
// seal_epilogue) is work whose cost the learner chooses (TypeScript's binder
// is quadratic in expando assignments; deep nesting overflows the parser's
// stack). In the grader's own process it stalled every other submission of a
// batch; here it runs under the runner's CPU budget, heap cap and resident
// memory check, and the grader only writes what comes back.
//   node grader/read_child.js read --root TREE --file ABS --display REL --exercise ID [--file ...]...
// For each file, in order, one result on the runner's channel (fd 3):
// {file, js, errors, violations}, or {file, failure} when the compiler threw
// on it. Nothing here runs the learner's code.
import { randomBytes } from 'node:crypto';
import { readFileSync, writeSync } from 'node:fs';
import { read_manifest } from '../course/files';
import { find_exercise } from '../course/manifest';
import { RESULT_MARKER } from '../course/outcome';
import { transpile_source } from '../course/transpile';
import { check_policy } from './policy';
import { seal_epilogue } from './transpile';

const RESULT_FD = 3;
const nonce = randomBytes(16).toString('hex');
const emit = (payload: unknown) => {
  const bytes = Buffer.from(`${RESULT_MARKER}${nonce}${JSON.stringify(payload)}\n`);
  for (let off = 0; off < bytes.length; ) off += writeSync(RESULT_FD, bytes, off);
};
writeSync(RESULT_FD, `${RESULT_MARKER}${JSON.stringify({ nonce })}\n`);

const argv = process.argv.slice(3);
const value = (i: number) => argv[i + 1] ?? '';
const root = value(argv.indexOf('--root'));
const manifest = read_manifest(root);
const jobs: { file: string; display: string; exercise: string }[] = [];
argv.forEach((a, i) => {
  if (a === '--file') jobs.push({ file: value(i), display: value(i + 2), exercise: value(i + 4) });
});

for (const job of jobs) {
  try {
    const source = readFileSync(job.file, 'utf8');
    const { js, errors } = transpile_source(job.file, source);
    // A file with syntax errors is not graded, and is written as it is.
    const sealed = errors.length ? js : js + seal_epilogue(source);
    const violations = check_policy(root, job.file, job.display, find_exercise(manifest, job.exercise));
    emit({ file: job.file, js: sealed, errors, violations });
  } catch (err) {
    emit({ file: job.file, failure: `the compiler could not read it: ${err instanceof Error ? err.message : String(err)}` });
  }
}
