// The grader's type check of one submission, in a child of the one runner
// (course/runner.ts, verb 'typecheck': its process group, CPU budget, heap
// and resident-memory caps, output cap; grader/grade.ts run_typecheck). It
// parses the learner's files and the model (~3 s) and never runs the code.
// One result on the runner's channel (fd 3): {diagnostics}.
//   node grader/typecheck_child.js typecheck ROOT FILE...
//
// Each FILE is held to its starter's contract too (grader/signatures.ts):
// its starter twin, next to it in the tree, is compiled in the same program
// and every function it exports must be exported by FILE with an assignable type.
//
// The compiler reads every file a learner's file names (`import type`,
// `typeof import('...')`, `/// <reference>`), and its diagnostics tell
// whether the file exists (TS2307 "Cannot find module" vs a type error
// naming its exports): an oracle for "are there hidden checks for 02?" or
// "is /autograder/source/solutions there?" before the due date. The import
// policy refuses such imports (grader/policy.ts); here, whatever slips past
// it, the compiler's whole file system (ts.sys, which its host reads
// through) is confined to the submission's files, the kernel model of the
// grading tree, the tree's tsconfig.json and the compiler's own lib files.
// Anything else is answered exactly as a missing file is: one diagnostic
// for "missing" and "forbidden".
import { randomBytes } from 'node:crypto';
import { existsSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, relative, resolve, sep } from 'node:path';
import type ts from 'typescript';
import { RESULT_MARKER } from '../course/outcome';
import { typechecker } from '../course/typecheck';
import { signature_problems, starter_twin } from './signatures';
import { confine_compiler } from './typecheck_confine';

const RESULT_FD = 3;
const nonce = randomBytes(16).toString('hex');
writeSync(RESULT_FD, `${RESULT_MARKER}${JSON.stringify({ nonce })}\n`);
const emit = (payload: unknown) => {
  const bytes = Buffer.from(`${RESULT_MARKER}${nonce}${JSON.stringify(payload)}\n`);
  for (let off = 0; off < bytes.length; ) off += writeSync(RESULT_FD, bytes, off);
};

const [verb, root, ...files] = process.argv.slice(2);
if (verb !== 'typecheck' || !root) {
  process.stderr.write('usage: typecheck_child.js typecheck ROOT FILE...\n');
  process.exit(2);
}
const compiler = createRequire(import.meta.url)('typescript') as typeof ts;
const lib_dir = dirname(compiler.getDefaultLibFilePath({}));
// The starter twins the grader put in the tree (the learner's loop and older trees have none).
const pairs = files.map((f) => ({ learner: f, starter: starter_twin(f) })).filter((p) => existsSync(p.starter));
const twins = pairs.map((p) => p.starter);
confine_compiler(compiler.sys, [...files, ...twins], [resolve(root, 'kernel'), lib_dir, resolve(root, 'tsconfig.json')]);
const checker = new typechecker(root);
const twin_set = new Set(twins.map((t) => resolve(t)));
const rel = (f: string) => relative(root, f).split(sep).join('/');
// A starter's own diagnostics are the course's business, never the learner's.
const own = checker.check([...files, ...twins]).filter((d) => !twin_set.has(resolve(root, d.file)));
const failing = new Set(own.map((d) => d.file));
const program = checker.program;
const contract = program ? signature_problems(compiler, program, pairs.filter((p) => !failing.has(rel(p.learner))), rel) : [];
emit({ diagnostics: capped([...own, ...contract]) });

/**
 * At most MAX_PER_FILE diagnostics per file, each message at most MAX_MESSAGE characters: a file
 * can make the compiler say megabytes (a 90k-member union printed in full), and the report copies
 * the message into every check of the exercise (red team 8 #02's class).
 */
function capped(ds: typeof own): typeof own {
  const MAX_PER_FILE = 20;
  const MAX_MESSAGE = 2000;
  // And at most this many in all: the result line stays far inside the runner's 1 MiB line limit.
  const MAX_TOTAL = 200;
  const per_file = new Map<string, number>();
  const out: typeof own = [];
  for (const d of ds) {
    const n = (per_file.get(d.file) ?? 0) + 1;
    per_file.set(d.file, n);
    if (n <= MAX_PER_FILE) out.push(d.message.length > MAX_MESSAGE ? { ...d, message: `${d.message.slice(0, MAX_MESSAGE)}… (cut)` } : d);
  }
  const kept = out.slice(0, MAX_TOTAL);
  for (const [file, n] of per_file) {
    const shown = kept.filter((d) => d.file === file).length;
    if (n > shown) kept.push({ file, line: 1, column: 1, code: 'SL-MORE', message: `and ${n - shown} more errors in this file` });
  }
  return kept;
}
