// TypeScript to plain JavaScript for the grading workers. The workers run
// under Node's permission model (no file writes, no child processes, reads
// only inside the grading tree), which rules out a loader such as tsx (it
// needs a worker thread and probes paths outside the tree). So the grader
// strips the types itself, once per tree, with course/transpile.ts (the
// same transpiler the learner's loop uses in memory), and writes each .js
// next to its .ts.
import { readFileSync, writeFileSync } from 'node:fs';
import ts from 'typescript';
import { SEAL_HOOK } from '../course/realm';
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

/**
 * seal_epilogue - the line appended to a graded file's JavaScript: hand what
 * the file itself makes at top level (its functions, classes, enums and
 * namespaces, and the constants it initialises with a function or a class;
 * never an import, nor a name bound to an imported value, which may be the
 * model's; nor an exported object literal, which a check may set, as 13's
 * does with shrinker_policy) to the grading realm's seal
 * (course/realm.ts SEAL_HOOK), which freezes them once the module has run.
 * Written through import.meta, which no declaration of the file can shadow;
 * `?.` where no realm provides the seal (the tests' "without the hardening");
 * each name through typeof, so a name the emit dropped (a const enum) is
 * only undefined. @source is the file's TypeScript.
 */
export function seal_epilogue(source: string): string {
  const sf = ts.createSourceFile('graded.ts', source, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const names = new Set<string>();
  const declared = (st: ts.Node) => ts.canHaveModifiers(st) && (ts.getModifiers(st) ?? []).some((m) => m.kind === ts.SyntaxKind.DeclareKeyword);
  const made_here = (x: ts.Expression | undefined): boolean => {
    while (x && (ts.isParenthesizedExpression(x) || ts.isAsExpression(x) || ts.isSatisfiesExpression(x) || ts.isNonNullExpression(x) || ts.isTypeAssertionExpression(x))) x = x.expression;
    return !!x && (ts.isArrowFunction(x) || ts.isFunctionExpression(x) || ts.isClassExpression(x));
  };
  for (const st of sf.statements) {
    if (declared(st)) continue;
    if ((ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st)) && st.name) names.add(st.name.text);
    else if (ts.isEnumDeclaration(st) || (ts.isModuleDeclaration(st) && ts.isIdentifier(st.name))) names.add((st.name as ts.Identifier).text);
    else if (ts.isVariableStatement(st)) for (const d of st.declarationList.declarations) if (ts.isIdentifier(d.name) && made_here(d.initializer)) names.add(d.name.text);
  }
  if (!names.size) return '';
  const args = [...names].map((n) => `typeof ${n} === 'undefined' ? void 0 : ${n}`).join(', ');
  return `\n;import.meta.${SEAL_HOOK}?.(${args});\n`;
}
