// TypeScript to plain JavaScript for the grading workers. The workers run
// under Node's permission model (no file writes, no child processes, reads
// only inside the grading tree), which rules out a loader such as tsx (it
// needs a worker thread and probes paths outside the tree). So the grader
// strips the types itself, once per tree, with the compiler's
// transpileModule (types only: no type checking, that is typecheck.ts's job),
// and rewrites relative import specifiers to the emitted .js files, as
// Node's ESM resolver wants full paths.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import ts from 'typescript';

const OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  verbatimModuleSyntax: true,
  isolatedModules: true,
  useDefineForClassFields: true,
  sourceMap: false,
};

/** The .js specifier for relative @spec imported from @file, or @spec unchanged. */
function rewrite(file: string, spec: string): string {
  if (!spec.startsWith('./') && !spec.startsWith('../')) return spec;
  const base = resolve(dirname(file), spec);
  if (spec.endsWith('.ts')) return `${spec.slice(0, -3)}.js`;
  if (spec.endsWith('.js') || spec.endsWith('.json')) return spec;
  if (existsSync(`${base}.ts`)) return `${spec}.js`;
  if (existsSync(join(base, 'index.ts'))) return `${spec}/index.js`;
  return spec;
}

export interface transpile_error {
  file: string;
  message: string;
}

/**
 * transpile_file - write @file's JavaScript next to it (x.ts -> x.js).
 * Returns the syntax errors found (the file is still written when it can be).
 */
export function transpile_file(file: string): transpile_error[] {
  const src = readFileSync(file, 'utf8');
  const out = ts.transpileModule(src, { compilerOptions: OPTIONS, fileName: file, reportDiagnostics: true });
  const errors = (out.diagnostics ?? []).slice(0, 5).map((d) => {
    const at = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : null;
    const where = at ? `:${at.line + 1}:${at.character + 1}` : '';
    return { file, message: `${where} - error TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}` };
  });
  // import ... from 'x' / export ... from 'x' / import 'x' / import('x')
  const js = out.outputText.replace(/(\bfrom\s*|\bimport\s*\(?\s*)(['"])([^'"\n]+)\2/g, (_m, pre: string, q: string, spec: string) => `${pre}${q}${rewrite(file, spec)}${q}`);
  writeFileSync(file.replace(/\.ts$/, '.js'), js);
  return errors;
}

/** transpile_all - transpile every file of @files (absolute .ts paths). */
export function transpile_all(files: readonly string[]): transpile_error[] {
  return files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')).flatMap((f) => transpile_file(f));
}
