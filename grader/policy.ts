// The import policy for graded files: what a learner's file may use. A
// learner fixes a kernel function; it needs the model's API and nothing
// else. Everything below is something a fix never needs and a file gaming the
// grader would: reaching the checks or the explorer, installing boot or
// scheduler hooks that run inside every check, patching built-ins or
// prototypes, escaping to Node. Checked statically (the file is parsed, never
// run) before the file is graded; a violation scores the exercise 0 with a
// message naming the line. Every starter, reference solution and accepted
// alternative must pass it (tests/grader/policy.test.ts).
import { readFileSync } from 'node:fs';
import { dirname, resolve, sep } from 'node:path';
import ts from 'typescript';

/**
 * Model functions that install hooks, reset or re-boot the machine: not for a fix.
 * Every piece of model plumbing (a name Linux does not have) starts with `model_`;
 * `__` is kept for the names Linux itself uses (__mutex_owner, __free_pages...).
 */
export const DENIED_NAMES = /^(register_initcall|do_initcalls|start_kernel|register_sched_\w+|capture_scenarios|model_\w+|__run_timers)$/;
/** Identifiers that reach past the model: the host, reflection, code from strings, prototypes. */
export const DENIED_IDENTIFIERS = new Set([
  'globalThis', 'global', 'process', 'require', 'module', 'eval', 'Function', 'Reflect', 'Proxy', 'prototype', '__proto__',
  'defineProperty', 'defineProperties', 'setPrototypeOf', 'getPrototypeOf', 'constructor', 'Deno', 'Bun',
]);

export interface policy_violation {
  /** 'exercises/<id>/<file>:line' */
  where: string;
  message: string;
}

/**
 * check_policy - the violations in @file (absolute path) of @course_root's
 * exercise folder, reported with @display as the file name.
 */
export function check_policy(course_root: string, file: string, display: string): policy_violation[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const out: policy_violation[] = [];
  const say = (node: ts.Node, message: string) => {
    const line = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
    out.push({ where: `${display}:${line}`, message });
  };
  const kernel_dir = resolve(course_root, 'kernel') + sep;

  const check_specifier = (node: ts.Node, spec: ts.Expression | undefined, type_only: boolean) => {
    if (!spec || !ts.isStringLiteral(spec)) return;
    if (type_only) return; // types vanish at run time
    const target = resolve(dirname(file), spec.text);
    if (!spec.text.startsWith('.') || !(target + sep).startsWith(kernel_dir) && !target.startsWith(kernel_dir)) {
      say(node, `imports '${spec.text}': a graded file may import only the kernel model (relative paths into kernel/)`);
    }
  };

  for (const st of sf.statements) {
    if (ts.isImportDeclaration(st)) {
      const clause = st.importClause;
      check_specifier(st, st.moduleSpecifier, !!clause?.isTypeOnly);
      if (!clause) say(st, 'a bare side-effect import is not allowed in a graded file');
      continue;
    }
    if (ts.isExportDeclaration(st)) {
      check_specifier(st, st.moduleSpecifier, st.isTypeOnly);
      continue;
    }
    const allowed =
      ts.isFunctionDeclaration(st) || ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st) || ts.isVariableStatement(st) ||
      ts.isClassDeclaration(st) || ts.isEnumDeclaration(st) || ts.isEmptyStatement(st) || ts.isExportAssignment(st);
    if (!allowed) say(st, 'statements that run when the file is imported are not allowed at the top level of a graded file (declare functions and constants only)');
  }

  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node) || ts.isPrivateIdentifier(node)) {
      const name = node.text;
      if (DENIED_IDENTIFIERS.has(name)) say(node, `uses '${name}', which a graded file may not use (it reaches past the kernel model)`);
      else if (DENIED_NAMES.test(name)) say(node, `uses '${name}', a model internal that installs hooks or resets the machine: a fix never needs it`);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      say(node, 'dynamic import() is not allowed in a graded file');
    } else if (ts.isMetaProperty(node)) {
      say(node, `'${node.getText(sf)}' is not allowed in a graded file`);
    } else if (ts.isElementAccessExpression(node) && ts.isStringLiteralLike(node.argumentExpression)) {
      const name = node.argumentExpression.text;
      if (DENIED_IDENTIFIERS.has(name) || DENIED_NAMES.test(name)) say(node, `uses '${name}', which a graded file may not use`);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  // One message per line and rule is enough.
  const seen = new Set<string>();
  return out.filter((v) => {
    const k = `${v.where} ${v.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
