// The grader's type check of one submission, in its own process (it parses
// the learner's files and the model, ~3 s, and must not block the parent's
// other jobs): prints one JSON line {diagnostics}. It never runs the code.
//   node --import tsx grader/typecheck_child.ts ROOT FILE...
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
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import type ts from 'typescript';
import { typechecker } from '../course/typecheck';
import { confine_compiler } from './typecheck_confine';

const [root, ...files] = process.argv.slice(2);
if (!root) {
  process.stderr.write('usage: typecheck_child.ts ROOT FILE...\n');
  process.exit(2);
}
const compiler = createRequire(import.meta.url)('typescript') as typeof ts;
const lib_dir = dirname(compiler.getDefaultLibFilePath({}));
confine_compiler(compiler.sys, files, [resolve(root, 'kernel'), lib_dir, resolve(root, 'tsconfig.json')]);
const diagnostics = new typechecker(root).check(files);
process.stdout.write(`${JSON.stringify({ diagnostics })}\n`);
