// The rule on state that outlives a call: the learner's loop
// (course/check_exercise.ts) and the grader's import policy
// (grader/policy.ts) both apply it to every file a learner edits.
//
// A kernel function keeps its state where the kernel gives it a place: the
// device (struct drm_i915_private), the object, the task, the lock. State in
// a file's own variables is shared by every device, every task and every
// call, and it is how a wrong answer behaves differently on its Nth call
// ("wait only every 16th time"), remembers an old answer ("report the last
// count when the lock is busy"), or guards the whole machine with one flag
// ("one drain at a time"). No exercise of the course needs any, so a graded
// file may not have it:
//   - no top-level `let` or `var`;
//   - no top-level container (array or object literal) that the file does
//     not export for the checks to read (13's shrinker_policy is exported);
//     an exported one holds plain values only (strings, numbers, booleans);
//   - no top-level value built by running code: a call, `new`, an IIFE's
//     closure (`new Map()`, `Array.of(0)`, `(() => { let n = 0; ... })()`)
//     can hold state as well as a `let` can; a constant is a literal, an
//     imported constant, arithmetic on them, or a function;
//   - no static class field that is not readonly or not a constant, no
//     static initialisation block;
//   - no write to a top-level binding's properties or elements, or to a
//     top-level function's own properties (`count_objects.calls++`), also
//     not through Object.assign / Object.defineProperty / Reflect.set and
//     their siblings;
//   - a function or class of the file is only called, `new`ed, extended or
//     exported, never used as a value: `const self = count; self.n++`
//     keeps state on the function object where no write names it;
//   - no `this` outside a class or in a static method, no `new.target`:
//     what a kernel function is called through is the kernel's object
//     (an ops table, as the shrinker's), and a static method's `this` is the class.
// A static rule cannot follow every alias (`const f: any = helper; f.n = 1`);
// the checks' comparisons call by call and course/kernel_object_state.ts
// catch what behaves statefully anyway.
import { readFileSync } from 'node:fs';
import { relative, sep } from 'node:path';
import ts from 'typescript';
import type { diagnostic } from './typecheck';

export interface state_violation {
  node: ts.Node;
  why: string;
}

const FIX = 'keep state in the objects the kernel passes you (the device, the object, the task), as the kernel does; this exercise needs none';

/**
 * constant_value - is @x a value that cannot hold state: a literal, an
 * imported constant or a property of one, arithmetic and conditions on
 * those, or a function (whose body runs only when called)? Containers are
 * 'container'; anything that runs code at import (a call, `new`, a tagged
 * template, a class expression) is false.
 */
function constant_value(x: ts.Expression): boolean | 'container' {
  while (ts.isParenthesizedExpression(x) || ts.isAsExpression(x) || ts.isSatisfiesExpression(x) || ts.isNonNullExpression(x) || ts.isTypeAssertionExpression(x)) x = x.expression;
  if (ts.isArrayLiteralExpression(x) || ts.isObjectLiteralExpression(x)) return 'container';
  // A /g or /y regular expression keeps lastIndex from one test() to the next: state.
  if (ts.isRegularExpressionLiteral(x)) return !/\/[a-z]*[gy][a-z]*$/.test(x.text);
  if (ts.isLiteralExpression(x) || ts.isNoSubstitutionTemplateLiteral(x)) return true;
  switch (x.kind) {
    case ts.SyntaxKind.TrueKeyword:
    case ts.SyntaxKind.FalseKeyword:
    case ts.SyntaxKind.NullKeyword:
      return true;
  }
  if (ts.isIdentifier(x) || ts.isArrowFunction(x) || ts.isFunctionExpression(x)) return true;
  if (ts.isPropertyAccessExpression(x)) return constant_value(x.expression) === true;
  if (ts.isPrefixUnaryExpression(x)) return x.operator !== ts.SyntaxKind.PlusPlusToken && x.operator !== ts.SyntaxKind.MinusMinusToken && constant_value(x.operand) === true;
  if (ts.isTypeOfExpression(x)) return constant_value(x.expression) === true;
  if (ts.isBinaryExpression(x)) return !ASSIGNMENTS.has(x.operatorToken.kind) && constant_value(x.left) === true && constant_value(x.right) === true;
  if (ts.isConditionalExpression(x)) return [x.condition, x.whenTrue, x.whenFalse].every((y) => constant_value(y) === true);
  if (ts.isTemplateExpression(x)) return x.templateSpans.every((t) => constant_value(t.expression) === true);
  return false;
}

/** plain_values - an object literal of strings, numbers, booleans and null only (13's shrinker_policy). */
function plain_values(x: ts.Expression): boolean {
  while (ts.isParenthesizedExpression(x) || ts.isAsExpression(x) || ts.isSatisfiesExpression(x)) x = x.expression;
  if (!ts.isObjectLiteralExpression(x)) return false;
  return x.properties.every((p) => ts.isPropertyAssignment(p) && constant_value(p.initializer) === true && !ts.isArrowFunction(p.initializer) && !ts.isFunctionExpression(p.initializer));
}

/** Calls that write into their first argument: a write through a top-level name in disguise. */
const WRITES_FIRST_ARGUMENT: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ['Object', new Set(['assign', 'defineProperty', 'defineProperties', 'setPrototypeOf'])],
  ['Reflect', new Set(['set', 'defineProperty', 'deleteProperty', 'setPrototypeOf'])],
]);

function is_exported(st: ts.Statement): boolean {
  return ts.canHaveModifiers(st) && (ts.getModifiers(st) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
}

/** The innermost name an assignment target writes through: `a.b[c].d` -> a. */
function root_name(x: ts.Expression): string | null {
  let cur: ts.Expression = x;
  for (;;) {
    if (ts.isParenthesizedExpression(cur) || ts.isNonNullExpression(cur) || ts.isAsExpression(cur) || ts.isTypeAssertionExpression(cur) || ts.isSatisfiesExpression(cur)) cur = cur.expression;
    else if (ts.isPropertyAccessExpression(cur) || ts.isElementAccessExpression(cur)) cur = cur.expression;
    else break;
  }
  return ts.isIdentifier(cur) ? cur.text : null;
}

const ASSIGNMENTS = new Set([
  ts.SyntaxKind.EqualsToken,
  ts.SyntaxKind.PlusEqualsToken,
  ts.SyntaxKind.MinusEqualsToken,
  ts.SyntaxKind.AsteriskEqualsToken,
  ts.SyntaxKind.SlashEqualsToken,
  ts.SyntaxKind.PercentEqualsToken,
  ts.SyntaxKind.AmpersandEqualsToken,
  ts.SyntaxKind.BarEqualsToken,
  ts.SyntaxKind.CaretEqualsToken,
  ts.SyntaxKind.LessThanLessThanEqualsToken,
  ts.SyntaxKind.GreaterThanGreaterThanEqualsToken,
  ts.SyntaxKind.GreaterThanGreaterThanGreaterThanEqualsToken,
  ts.SyntaxKind.AsteriskAsteriskEqualsToken,
  ts.SyntaxKind.BarBarEqualsToken,
  ts.SyntaxKind.AmpersandAmpersandEqualsToken,
  ts.SyntaxKind.QuestionQuestionEqualsToken,
]);

/**
 * module_state_violations - where @sf keeps state between calls (see the
 * file comment): the file's own variables and containers, then the other
 * holders (its functions as values, `this`, `new.target`) on lines not
 * already refused (`count.calls++` is said once).
 */
export function module_state_violations(sf: ts.SourceFile): state_violation[] {
  const out = top_level_state(sf);
  const line = (n: ts.Node) => sf.getLineAndCharacterOfPosition(n.getStart(sf)).line;
  const said = new Set(out.map((v) => line(v.node)));
  for (const v of other_holders(sf)) if (!said.has(line(v.node))) out.push(v);
  return out;
}

/** State in the file's own variables, containers and static fields, and writes through its top-level names. */
function top_level_state(sf: ts.SourceFile): state_violation[] {
  const out: state_violation[] = [];
  const top = new Set<string>();
  /** Exported objects of plain values (13's shrinker_policy): read through their properties, never handed on. */
  const boxes = new Set<string>();
  for (const st of sf.statements) {
    if (ts.isVariableStatement(st)) {
      const flags = st.declarationList.flags;
      const is_const = (flags & ts.NodeFlags.Const) !== 0;
      for (const d of st.declarationList.declarations) {
        if (ts.isIdentifier(d.name)) top.add(d.name.text);
        if (!is_const) out.push({ node: d, why: `a top-level \`${(flags & ts.NodeFlags.Let) !== 0 ? 'let' : 'var'}\`: it keeps its value from one call to the next, for every device and task; ${FIX}` });
        else if (d.initializer) {
          let init: ts.Expression = d.initializer;
          while (ts.isAsExpression(init) || ts.isSatisfiesExpression(init) || ts.isParenthesizedExpression(init)) init = init.expression;
          const kind = constant_value(init);
          if (kind === 'container' && !is_exported(st)) {
            out.push({ node: d, why: `a top-level ${ts.isArrayLiteralExpression(init) ? 'array' : 'object'} the file keeps to itself: a place for state shared by every call; write the values where they are used, or ${FIX}` });
          } else if (kind === 'container' && plain_values(init) && ts.isIdentifier(d.name)) {
            boxes.add(d.name.text);
          } else if (kind === 'container' && !plain_values(init)) {
            out.push({ node: d, why: `an exported array, or an exported object holding more than plain values: a place for state shared by every call, exported or not; write the values where they are used, or ${FIX}` });
          } else if (kind === false) {
            out.push({ node: d, why: `a top-level value built by running code (a call, \`new\`, a closure): it can keep state from one call to the next as well as a \`let\` can; a top-level constant is a literal, an imported constant or arithmetic on them; ${FIX}` });
          }
        }
      }
    } else if (ts.isFunctionDeclaration(st) && st.name) top.add(st.name.text);
    // An enum or a namespace is an object that lives as long as the file (red team 6's state on an enum).
    else if (ts.isEnumDeclaration(st) || (ts.isModuleDeclaration(st) && ts.isIdentifier(st.name))) top.add(st.name.text);
    else if (ts.isClassDeclaration(st)) {
      if (st.name) top.add(st.name.text);
      for (const m of st.members) {
        const mods = ts.canHaveModifiers(m) ? (ts.getModifiers(m) ?? []) : [];
        const is_static = mods.some((x) => x.kind === ts.SyntaxKind.StaticKeyword);
        const is_readonly = mods.some((x) => x.kind === ts.SyntaxKind.ReadonlyKeyword);
        if (is_static && ts.isPropertyDeclaration(m) && !is_readonly) out.push({ node: m, why: `a static class field that is not readonly: state shared by every call; ${FIX}` });
        else if (is_static && ts.isPropertyDeclaration(m) && m.initializer && constant_value(m.initializer) !== true) out.push({ node: m, why: `a static class field holding a container or a value built by running code: state shared by every call, readonly or not; ${FIX}` });
        else if (ts.isClassStaticBlockDeclaration(m)) out.push({ node: m, why: `a static initialisation block runs code when the file is loaded, a place to set up state shared by every call; ${FIX}` });
      }
    }
  }
  if (top.size === 0) return out;
  // Writes through a top-level name, anywhere in the file (a parameter or local of the same name shadows it).
  const shadowed = (node: ts.Node, name: string): boolean => {
    for (let p: ts.Node | undefined = node.parent; p && p !== sf; p = p.parent) {
      if (ts.isFunctionLike(p) && p.parameters.some((q) => ts.isIdentifier(q.name) && q.name.text === name)) return true;
      if ((ts.isBlock(p) || ts.isSourceFile(p)) && p !== sf) {
        for (const s of p.statements) if (ts.isVariableStatement(s) && s.declarationList.declarations.some((d) => ts.isIdentifier(d.name) && d.name.text === name)) return true;
      }
      if ((ts.isForStatement(p) || ts.isForOfStatement(p) || ts.isForInStatement(p)) && p.initializer && ts.isVariableDeclarationList(p.initializer)) {
        if (p.initializer.declarations.some((d) => ts.isIdentifier(d.name) && d.name.text === name)) return true;
      }
    }
    return false;
  };
  // Every place an assignment writes: a destructuring pattern's leaves too (`[box.n] = [box.n + 1]`,
  // `({ a: box.x } = o)`, `[...box.rest] = xs`), not only the expression left of `=` (red team 10 #12).
  // A default inside a pattern (`[box.n = 1] = []`) is an `=` of its own, which visit() judges.
  const write_target = (node: ts.Node, target: ts.Expression): void => {
    while (ts.isParenthesizedExpression(target) || ts.isNonNullExpression(target) || ts.isAsExpression(target) || ts.isTypeAssertionExpression(target) || ts.isSatisfiesExpression(target)) target = target.expression;
    if (ts.isArrayLiteralExpression(target)) {
      for (const el of target.elements) write_target(node, ts.isSpreadElement(el) ? el.expression : el);
      return;
    }
    if (ts.isObjectLiteralExpression(target)) {
      for (const q of target.properties) {
        if (ts.isPropertyAssignment(q)) write_target(node, q.initializer);
        else if (ts.isSpreadAssignment(q)) write_target(node, q.expression);
      }
      return;
    }
    if (!ts.isPropertyAccessExpression(target) && !ts.isElementAccessExpression(target)) return;
    const name = root_name(target);
    if (name && top.has(name) && !shadowed(node, name)) out.push({ node, why: `writes into \`${name}\`, which lives as long as the file: state shared by every call; ${FIX}` });
  };
  // The object itself handed on (an argument, a value, a return): the function that gets it can write
  // into it through its parameter, which the rule above does not see (red team 9 #11: note(tuning, n)
  // kept a count across calls). Its values are read as `box.field` or `box['field']` only.
  const handed_on = (node: ts.Identifier): boolean => {
    // `(box as T).field` and `box!.field` read a field too: look through the wrappers that only retype the object.
    let used: ts.Node = node;
    while (
      (ts.isParenthesizedExpression(used.parent) || ts.isAsExpression(used.parent) || ts.isSatisfiesExpression(used.parent) ||
        ts.isNonNullExpression(used.parent) || ts.isTypeAssertionExpression(used.parent)) && used.parent.expression === used
    ) used = used.parent;
    // A method called on the object gets it as `this` (a box of plain values has no methods of its own:
    // `(box as T).__defineGetter__('n', f)` put a counting getter on it, red team 10 #13).
    // The method may sit in parentheses or a cast, `(box.valueOf as F)()`, and a tagged template calls it
    // with the object as `this` too, (box.valueOf as F)`` (red team 11 #03 took the box back as a local so).
    const called = (access: ts.Node): boolean => {
      let callee: ts.Node = access;
      while (
        (ts.isParenthesizedExpression(callee.parent) || ts.isAsExpression(callee.parent) || ts.isSatisfiesExpression(callee.parent) ||
          ts.isNonNullExpression(callee.parent) || ts.isTypeAssertionExpression(callee.parent)) && callee.parent.expression === callee
      ) callee = callee.parent;
      const p = callee.parent;
      return (ts.isCallExpression(p) && p.expression === callee) || (ts.isTaggedTemplateExpression(p) && p.tag === callee);
    };
    if (used !== node) {
      const q = used.parent;
      return !((ts.isPropertyAccessExpression(q) || ts.isElementAccessExpression(q)) && q.expression === used && !called(q));
    }
    const p = node.parent;
    if ((ts.isPropertyAccessExpression(p) || ts.isElementAccessExpression(p)) && p.expression === node) return called(p);
    if (ts.isVariableDeclaration(p) && p.name === node) return false;
    if (ts.isExportSpecifier(p) || ts.isTypeQueryNode(p) || ts.isPropertyAccessExpression(p) || ts.isQualifiedName(p)) return false;
    if ((ts.isPropertyAssignment(p) || ts.isPropertyDeclaration(p) || ts.isMethodDeclaration(p) || ts.isPropertySignature(p)) && p.name === node) return false;
    return true;
  };
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node) && boxes.has(node.text) && handed_on(node) && !shadowed(node, node.text)) {
      out.push({ node, why: `uses \`${node.text}\` itself, not one of its values: whatever gets the object can write into it, state shared by every call; read its values where they are used (\`${node.text}.field\`); ${FIX}` });
    }
    if (ts.isBinaryExpression(node) && ASSIGNMENTS.has(node.operatorToken.kind)) write_target(node, node.left);
    else if ((ts.isPrefixUnaryExpression(node) || ts.isPostfixUnaryExpression(node)) && (node.operator === ts.SyntaxKind.PlusPlusToken || node.operator === ts.SyntaxKind.MinusMinusToken)) write_target(node, node.operand);
    else if (ts.isDeleteExpression(node)) write_target(node, node.expression);
    // The head of `for (box.last of xs)` / `for (box.k in o)` is assigned at each turn.
    else if ((ts.isForOfStatement(node) || ts.isForInStatement(node)) && !ts.isVariableDeclarationList(node.initializer)) write_target(node, node.initializer);
    else if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && ts.isIdentifier(node.expression.expression)) {
      // A Map, not an object literal: a name such as `__lookupGetter__` or `constructor` must find nothing.
      const writers = WRITES_FIRST_ARGUMENT.get(node.expression.expression.text);
      const first = node.arguments[0];
      if (writers?.has(node.expression.name.text) && first) {
        const name = root_name(first);
        if (name && top.has(name) && !shadowed(node, name)) out.push({ node, why: `${node.expression.getText(sf)}() writes into \`${name}\`, which lives as long as the file: state shared by every call; ${FIX}` });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** Functions of the file used as values, `this` outside a class or in a static method, `new.target`. */
function other_holders(sf: ts.SourceFile): state_violation[] {
  const out: state_violation[] = [];
  // The file's own functions and classes (declared, or a top-level const holding an arrow or function expression).
  const own_functions = new Set<string>();
  for (const st of sf.statements) {
    if ((ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st)) && st.name) own_functions.add(st.name.text);
    if (ts.isVariableStatement(st)) for (const d of st.declarationList.declarations) if (ts.isIdentifier(d.name) && d.initializer && (ts.isArrowFunction(d.initializer) || ts.isFunctionExpression(d.initializer))) own_functions.add(d.name.text);
  }
  // The file's enums and namespaces: their members are read (`Kind.A`), never the object itself taken as a value.
  const own_objects = new Set<string>();
  for (const st of sf.statements) if (ts.isEnumDeclaration(st) || (ts.isModuleDeclaration(st) && ts.isIdentifier(st.name))) own_objects.add(st.name.text);
  // `this` of an instance method is the instance (made per call); of a static method, the class itself: state.
  const is_static = (m: ts.Node) => ts.canHaveModifiers(m) && (ts.getModifiers(m) ?? []).some((x) => x.kind === ts.SyntaxKind.StaticKeyword);
  const this_outside_class = (node: ts.Node): boolean => {
    for (let p: ts.Node | undefined = node.parent; p && p !== sf; p = p.parent) {
      if (ts.isClassLike(p)) return false;
      if (ts.isFunctionLike(p) && !ts.isArrowFunction(p)) return !ts.isClassLike(p.parent) || is_static(p);
    }
    return true;
  };
  const state_holders = (node: ts.Node): void => {
    if (ts.isMetaProperty(node) && node.keywordToken === ts.SyntaxKind.NewKeyword) {
      out.push({ node, why: `uses \`new.target\`: it is the function object itself, which lives as long as the file; ${FIX}` });
    } else if (node.kind === ts.SyntaxKind.ThisKeyword && this_outside_class(node)) {
      out.push({ node, why: `uses \`this\` outside a class (or in a static method, where it is the class): a kernel function is called through the kernel's own object (an ops table, as the shrinker's), and a field put there is state shared by every call; use the arguments the kernel passes; ${FIX}` });
    } else if (ts.isIdentifier(node) && own_functions.has(node.text) && used_as_value(node)) {
      out.push({ node, why: `uses the function \`${node.text}\` as a value: a function object lives as long as the file, and a property put on it (\`const self = ${node.text}; self.n++\`) is state shared by every call; call it instead; ${FIX}` });
    } else if (ts.isIdentifier(node) && own_objects.has(node.text) && used_as_value(node) && !member_read(node) && !((ts.isEnumDeclaration(node.parent) || ts.isModuleDeclaration(node.parent)) && node.parent.name === node)) {
      out.push({ node, why: `uses the enum or namespace \`${node.text}\` as a value: it lives as long as the file, and a property put on it is state shared by every call; read its members (\`${node.text}.X\`) instead; ${FIX}` });
    }
    ts.forEachChild(node, state_holders);
  };
  state_holders(sf);
  return out;
}

/** member_read - @name is the object of a member access (`Kind.A`, `Kind[k]`) that does not write. */
function member_read(name: ts.Identifier): boolean {
  const p = name.parent;
  return (ts.isPropertyAccessExpression(p) || ts.isElementAccessExpression(p)) && p.expression === name;
}

/**
 * used_as_value - @name (an identifier naming a function or class of the
 * file) is used other than by calling it, `new`, `extends`, `instanceof`,
 * `typeof` in a type, or exporting it; or it is the name being declared, a
 * property name, or a type.
 */
function used_as_value(name: ts.Identifier): boolean {
  const p = name.parent;
  if ((ts.isCallExpression(p) || ts.isNewExpression(p)) && p.expression === name) return false;
  if ((ts.isFunctionDeclaration(p) || ts.isClassDeclaration(p) || ts.isVariableDeclaration(p) || ts.isParameter(p) || ts.isPropertyDeclaration(p) || ts.isMethodDeclaration(p) || ts.isPropertyAssignment(p) || ts.isPropertySignature(p) || ts.isMethodSignature(p)) && p.name === name) return false;
  if (ts.isPropertyAccessExpression(p) && p.name === name) return false;
  if (ts.isExportSpecifier(p) || ts.isExportAssignment(p) || ts.isImportSpecifier(p) || ts.isImportClause(p)) return false;
  if (ts.isExpressionWithTypeArguments(p) || ts.isTypeQueryNode(p) || ts.isTypeReferenceNode(p) || ts.isQualifiedName(p)) return false;
  if (ts.isBinaryExpression(p) && p.operatorToken.kind === ts.SyntaxKind.InstanceOfKeyword && p.right === name) return false;
  return true;
}

/** state_problems - module_state_violations of each of @files, as diagnostics (code SL-STATE) the loop shows like type errors. */
export function state_problems(root: string, files: readonly string[]): diagnostic[] {
  const out: diagnostic[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue; // a missing file is reported by the caller
    }
    const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
    for (const v of module_state_violations(sf)) {
      const at = sf.getLineAndCharacterOfPosition(v.node.getStart(sf));
      out.push({ file: relative(root, file).split(sep).join('/'), line: at.line + 1, column: at.character + 1, message: v.why, code: 'SL-STATE' });
    }
  }
  return out;
}
