// TypeScript to plain JavaScript for the grading workers. The workers run
// under Node's permission model (no file writes, no child processes, reads
// only inside the grading tree), which rules out a loader such as tsx (it
// needs a worker thread and probes paths outside the tree). So the grader
// strips the types itself, once per tree, with course/transpile.ts (the
// same transpiler the learner's loop uses in memory), and writes each .js
// next to its .ts.
import { readFileSync, writeFileSync } from 'node:fs';
import { transpile_source, type transpile_error } from '../course/transpile';

export type { transpile_error } from '../course/transpile';

/**
 * transpile_file - write @file's JavaScript next to it (x.ts -> x.js).
 * Returns the syntax errors found (the file is still written when it can be).
 */
export function transpile_file(file: string): transpile_error[] {
  const { js, errors } = transpile_source(file, readFileSync(file, 'utf8'));
  writeFileSync(file.replace(/\.ts$/, '.js'), js);
  return errors;
}

/** transpile_all - transpile every file of @files (absolute .ts paths). */
export function transpile_all(files: readonly string[]): transpile_error[] {
  return files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')).flatMap((f) => transpile_file(f));
}
