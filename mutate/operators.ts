// Kernel-specific mutation operators, on the TypeScript compiler API.
//
// StrykerJS mutates JavaScript in general (operators, literals, conditions).
// The wrong fixes this course is about are kernel-shaped: an unlock that is
// not done, an `await` that is dropped (in the model, `async` means "may
// sleep"), a sibling call (mutex_trylock for mutex_trylock_recursive,
// synchronize_rcu for rcu_barrier), a neighbouring flag or GFP mask. This
// module turns one source file into every such one-edit mutant. It only
// generates text; mutate/evaluate.ts runs a mutant against the checks.
//
// Each mutant changes one place. A swap that needs a name the file does not
// import also adds that import (part of the same edit, as a learner would).
import { posix, relative } from 'node:path';
import ts from 'typescript';
import { CALL_SWAPS, CONSTANT_SWAPS, SHRINK_STOP_IMPORT, type kernel_import } from './kernel_swaps';

export type operator_name =
  | 'statement-delete'
  | 'await-drop'
  | 'sibling-call'
  | 'constant-swap'
  | 'flag-drop'
  | 'boundary'
  | 'return-constant'
  | 'body-return'
  | 'condition'
  | 'negation-drop'
  | 'logical-swap'
  | 'equality-swap'
  | 'boolean-flip'
  | 'arithmetic-swap'
  | 'condition-negate'
  | 'relational-negate'
  | 'bitwise-swap'
  | 'literal';

/** Operators that model a kernel mistake; the rest are the generic ones a starter needs too. */
export const KERNEL_OPERATORS: readonly operator_name[] = ['statement-delete', 'await-drop', 'sibling-call', 'constant-swap', 'flag-drop', 'boundary', 'return-constant', 'body-return', 'condition'];

export interface mutant {
  /** Stable within one generation: `<file>#<n>`. */
  id: string;
  operator: operator_name;
  /** File name relative to the exercise folder. */
  file: string;
  /** 1-based line and column of the edit. */
  line: number;
  column: number;
  /** The source text replaced, and what replaces it (one line each, for reports). */
  original: string;
  replacement: string;
  /** Name of the enclosing function ('' at top level). */
  function_name: string;
  /** What the mutant means, in kernel terms. */
  description: string;
  /** The whole mutated file. */
  text: string;
}

interface edit {
  operator: operator_name;
  node: ts.Node;
  replacement: string;
  imports?: kernel_import[];
  description: string;
}

/** One line, collapsed, for reports and survivor keys. */
export function one_line(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

function enclosing_function(node: ts.Node): ts.FunctionLikeDeclaration | null {
  for (let p: ts.Node | undefined = node.parent; p; p = p.parent) {
    if (ts.isFunctionDeclaration(p) || ts.isFunctionExpression(p) || ts.isArrowFunction(p) || ts.isMethodDeclaration(p)) return p;
  }
  return null;
}

function is_async(fn: ts.FunctionLikeDeclaration | null): boolean {
  return !!fn && (ts.getCombinedModifierFlags(fn as ts.Declaration) & ts.ModifierFlags.Async) !== 0;
}

function function_name(fn: ts.FunctionLikeDeclaration | null): string {
  if (!fn) return '';
  if (fn.name && ts.isIdentifier(fn.name)) return fn.name.text;
  return '(anonymous)';
}

/** The declared return type of @fn, without Promise<...>: 'number', 'boolean', 'void' or other text. */
function return_kind(fn: ts.FunctionLikeDeclaration | null, sf: ts.SourceFile): string {
  if (!fn?.type) return '';
  let t = fn.type.getText(sf).replace(/\s+/g, '');
  const p = /^Promise<(.*)>$/.exec(t);
  if (p) t = p[1]!;
  return t;
}

/** Names the file already imports (any module). */
function imported_names(sf: ts.SourceFile): Set<string> {
  const names = new Set<string>();
  for (const st of sf.statements) {
    if (!ts.isImportDeclaration(st) || !st.importClause) continue;
    const b = st.importClause.namedBindings;
    if (st.importClause.name) names.add(st.importClause.name.text);
    if (b && ts.isNamedImports(b)) for (const el of b.elements) names.add(el.name.text);
    if (b && ts.isNamespaceImport(b)) names.add(b.name.text);
  }
  return names;
}

/** Is @node inside a type, an import or an export specifier (not a value position)? */
function in_non_value_position(node: ts.Node): boolean {
  for (let p: ts.Node | undefined = node.parent; p; p = p.parent) {
    if (ts.isImportDeclaration(p) || ts.isExportDeclaration(p) || ts.isTypeNode(p)) return true;
    if (ts.isStatement(p) || ts.isSourceFile(p)) return false;
  }
  return false;
}

const DELETABLE = (st: ts.Statement) =>
  ts.isExpressionStatement(st) || ts.isIfStatement(st) || ts.isReturnStatement(st) || ts.isWhileStatement(st) || ts.isForOfStatement(st) || ts.isForStatement(st) || ts.isDoStatement(st) || ts.isSwitchStatement(st);

/** Statements worth naming in a deletion: the kernel calls whose omission is the classic bug. */
const RELEASE_CALL = /(unlock|_put|unpin|flush|barrier|synchronize|kfree|cancel|release|drain)/;

function describe_deletion(text: string): string {
  const t = one_line(text);
  if (RELEASE_CALL.test(t)) return `delete "${t}": the release/wait is not done`;
  if (/^await\b/.test(t)) return `delete "${t}": the sleep is skipped`;
  return `delete "${t}"`;
}

/**
 * generate_mutants - every one-edit mutant of @text, the file @file_rel
 * (a path relative to the course root: imports a swap adds are made
 * relative to its folder). Identical mutated texts are generated once.
 */
export function generate_mutants(text: string, file_rel: string, opts: { operators?: readonly operator_name[] } = {}): mutant[] {
  const sf = ts.createSourceFile(file_rel, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const have = imported_names(sf);
  const edits: edit[] = [];
  const add = (e: edit) => edits.push(e);

  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node) || ts.isTypeNode(node) || ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node)) return;
    const fn = enclosing_function(node);
    const in_fn = fn !== null;

    // statement-delete: in any block of a function body (and an if's bare branch).
    if (in_fn && ts.isStatement(node) && DELETABLE(node)) {
      const parent = node.parent;
      if (ts.isBlock(parent) || ts.isCaseClause(parent) || ts.isDefaultClause(parent)) {
        add({ operator: 'statement-delete', node, replacement: '', description: describe_deletion(node.getText(sf)) });
      } else if (ts.isIfStatement(parent) && !ts.isBlock(node)) {
        add({ operator: 'statement-delete', node, replacement: '{}', description: describe_deletion(node.getText(sf)) });
      }
    }

    // await-drop: the task runs on while the model thinks it sleeps.
    if (ts.isAwaitExpression(node)) {
      add({ operator: 'await-drop', node, replacement: node.expression.getText(sf), description: `drop the await of "${one_line(node.expression.getText(sf))}": the caller does not wait for it` });
    }

    // sibling-call and (for shrinker callbacks) return 0 <-> SHRINK_STOP.
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression)) {
      const name = node.expression.text;
      const args = node.arguments.map((a) => a.getText(sf)).join(', ');
      for (const s of CALL_SWAPS.filter((x) => x.call === name)) {
        if (s.needs_async && !is_async(fn)) continue;
        // $1, $2: one argument of the original call (a sibling that takes them in another order or fewer of them).
        const wanted = [...s.template.matchAll(/\$(\d)/g)].map((x) => Number(x[1]));
        if (wanted.some((k) => k < 1 || k > node.arguments.length)) continue;
        const replacement = s.template.replace('$args', args).replace(/\$(\d)/g, (_, k: string) => node.arguments[Number(k) - 1]!.getText(sf));
        add({ operator: 'sibling-call', node, replacement, imports: s.imports, description: s.why });
      }
    }

    if (ts.isIdentifier(node) && !in_non_value_position(node) && !(ts.isCallExpression(node.parent) && node.parent.expression === node)) {
      const swap = CONSTANT_SWAPS.find((c) => c.name === node.text);
      const is_decl_name = (ts.isVariableDeclaration(node.parent) || ts.isImportSpecifier(node.parent) || ts.isPropertyAccessExpression(node.parent)) && (node.parent as { name?: ts.Node }).name === node;
      if (swap && !is_decl_name) {
        for (const r of swap.replacements) add({ operator: 'constant-swap', node, replacement: r.text, imports: r.imports, description: `${node.text} -> ${r.text}` });
      }
    }

    if (ts.isReturnStatement(node) && node.expression && in_fn) {
      const kind = return_kind(fn, sf);
      const expr = node.expression;
      const e = one_line(expr.getText(sf));
      const shrinker = /shrinker_(count|scan)/.test(function_name(fn));
      if (shrinker && e === '0') add({ operator: 'constant-swap', node: expr, replacement: 'SHRINK_STOP', imports: [SHRINK_STOP_IMPORT], description: 'return SHRINK_STOP instead of 0' });
      if (kind === 'number' && e !== '0' && e !== 'SHRINK_STOP') add({ operator: 'return-constant', node: expr, replacement: '0', description: `return 0 instead of ${e}` });
      if (kind === 'boolean' && e !== 'true') add({ operator: 'return-constant', node: expr, replacement: 'true', description: `return true instead of ${e}` });
      if (kind === 'boolean' && e !== 'false') add({ operator: 'return-constant', node: expr, replacement: 'false', description: `return false instead of ${e}` });
    }

    // body-return: the whole body replaced by the simplest thing that type-checks.
    if ((ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node)) && node.body) {
      const kind = return_kind(node, sf);
      const body = kind === 'number' ? '{ return 0; }' : kind === 'void' ? '{}' : kind === 'boolean' ? '{ return true; }' : null;
      if (body && one_line(node.body.getText(sf)) !== body) add({ operator: 'body-return', node: node.body, replacement: body, description: `the whole body of ${function_name(node)}() replaced by ${body}` });
    }

    // condition: if (c) -> if (true) / if (false); c ? a : b likewise; while (c) -> while (false).
    if (ts.isIfStatement(node) || ts.isConditionalExpression(node)) {
      const c = ts.isIfStatement(node) ? node.expression : node.condition;
      for (const v of ['true', 'false']) if (one_line(c.getText(sf)) !== v) add({ operator: 'condition', node: c, replacement: v, description: `condition "${one_line(c.getText(sf))}" -> ${v}` });
    } else if (ts.isWhileStatement(node)) {
      add({ operator: 'condition', node: node.expression, replacement: 'false', description: `loop "${one_line(node.expression.getText(sf))}" never entered` });
    }
    // condition-negate (generic): the test turned round, as a learner who reads the condition backwards writes it.
    if (ts.isIfStatement(node) || ts.isConditionalExpression(node) || ts.isWhileStatement(node) || ts.isDoStatement(node)) {
      const c = ts.isConditionalExpression(node) ? node.condition : node.expression;
      const t = c.getText(sf);
      add({ operator: 'condition-negate', node: c, replacement: `!(${t})`, description: `condition "${one_line(t)}" negated` });
    }

    if (ts.isBinaryExpression(node)) {
      const op = node.operatorToken.kind;
      const K = ts.SyntaxKind;
      const swap_op = (to: string, operator: operator_name) =>
        add({ operator, node: node.operatorToken, replacement: to, description: `"${node.operatorToken.getText(sf)}" -> "${to}" in ${one_line(node.getText(sf))}` });
      if (op === K.LessThanToken) swap_op('<=', 'boundary');
      if (op === K.LessThanEqualsToken) swap_op('<', 'boundary');
      if (op === K.GreaterThanToken) swap_op('>=', 'boundary');
      if (op === K.GreaterThanEqualsToken) swap_op('>', 'boundary');
      if (op === K.EqualsEqualsEqualsToken) swap_op('!==', 'equality-swap');
      if (op === K.ExclamationEqualsEqualsToken) swap_op('===', 'equality-swap');
      if (op === K.AmpersandAmpersandToken) swap_op('||', 'logical-swap');
      if (op === K.BarBarToken) swap_op('&&', 'logical-swap');
      if (op === K.PlusToken) swap_op('-', 'arithmetic-swap');
      if (op === K.MinusToken) swap_op('+', 'arithmetic-swap');
      if (op === K.PlusEqualsToken) swap_op('-=', 'arithmetic-swap');
      if (op === K.MinusEqualsToken) swap_op('+=', 'arithmetic-swap');
      if (op === K.AsteriskToken) swap_op('/', 'arithmetic-swap');
      if (op === K.SlashToken) swap_op('*', 'arithmetic-swap');
      // relational-negate (generic): the comparison turned the other way (< -> >=, and so on).
      if (op === K.LessThanToken) swap_op('>=', 'relational-negate');
      if (op === K.LessThanEqualsToken) swap_op('>', 'relational-negate');
      if (op === K.GreaterThanToken) swap_op('<=', 'relational-negate');
      if (op === K.GreaterThanEqualsToken) swap_op('<', 'relational-negate');
      // bitwise-swap (generic): a mask applied with the wrong operator, a shift the wrong way.
      if (op === K.AmpersandToken) swap_op('|', 'bitwise-swap');
      if (op === K.BarToken) swap_op('&', 'bitwise-swap');
      if (op === K.LessThanLessThanToken) swap_op('>>', 'bitwise-swap');
      if (op === K.GreaterThanGreaterThanToken) swap_op('<<', 'bitwise-swap');
      if (op === K.AmpersandEqualsToken) swap_op('|=', 'bitwise-swap');
      if (op === K.BarEqualsToken) swap_op('&=', 'bitwise-swap');
      // flag-drop: one operand of a flag set a | b | c left out.
      if (op === K.BarToken) {
        for (const side of [node.left, node.right]) {
          const keep = side === node.left ? node.right : node.left;
          add({ operator: 'flag-drop', node, replacement: keep.getText(sf), description: `flag ${one_line(side.getText(sf))} dropped from ${one_line(node.getText(sf))}` });
        }
      }
    }

    if (ts.isPrefixUnaryExpression(node) && (node.operator === ts.SyntaxKind.ExclamationToken || node.operator === ts.SyntaxKind.TildeToken)) {
      add({ operator: 'negation-drop', node, replacement: node.operand.getText(sf), description: `"${one_line(node.getText(sf))}" -> "${one_line(node.operand.getText(sf))}"` });
    }
    // literal (generic): a number off by one, or 0 / 1 for it (a threshold, a batch size, a shift).
    if (ts.isNumericLiteral(node) && in_fn) {
      const n = Number(node.text);
      const whole = Number.isSafeInteger(n);
      const to = whole ? [n + 1, n - 1, 0, 1].filter((v, k, all) => v >= 0 && v !== n && all.indexOf(v) === k) : [0];
      for (const v of to) add({ operator: 'literal', node, replacement: String(v), description: `${node.getText(sf)} -> ${v}` });
    }
    if (node.kind === ts.SyntaxKind.TrueKeyword || node.kind === ts.SyntaxKind.FalseKeyword) {
      if (in_fn) add({ operator: 'boolean-flip', node, replacement: node.kind === ts.SyntaxKind.TrueKeyword ? 'false' : 'true', description: `${node.getText(sf)} -> ${node.kind === ts.SyntaxKind.TrueKeyword ? 'false' : 'true'}` });
    }

    ts.forEachChild(node, visit);
  };
  ts.forEachChild(sf, visit);

  const wanted = opts.operators ? new Set(opts.operators) : null;
  const last_import = [...sf.statements].filter(ts.isImportDeclaration).pop();
  const import_at = last_import ? last_import.getEnd() : 0;
  const from_dir = posix.dirname(file_rel.replace(/\\/g, '/'));
  const file_base = file_rel.split(/[\\/]/).pop()!;

  const seen = new Set<string>();
  const out: mutant[] = [];
  for (const e of edits) {
    if (wanted && !wanted.has(e.operator)) continue;
    const start = e.node.getStart(sf);
    const end = e.node.getEnd();
    const missing = (e.imports ?? []).filter((i, k, all) => !have.has(i.name) && all.findIndex((j) => j.name === i.name) === k);
    const import_text = missing.map((i) => `\nimport { ${i.name} } from '${posix.relative(from_dir, i.from).replace(/^(?!\.)/, './')}';`).join('');
    let mutated = text.slice(0, start) + e.replacement + text.slice(end);
    if (import_text) mutated = mutated.slice(0, import_at) + import_text + mutated.slice(import_at);
    if (mutated === text || seen.has(mutated)) continue;
    seen.add(mutated);
    const pos = sf.getLineAndCharacterOfPosition(start);
    out.push({
      id: `${file_base}#${out.length + 1}`,
      operator: e.operator,
      file: file_base,
      line: pos.line + 1,
      column: pos.character + 1,
      original: one_line(text.slice(start, end)),
      replacement: one_line(e.replacement),
      function_name: function_name(enclosing_function(e.node)),
      description: e.description,
      text: mutated,
    });
  }
  return out;
}

/** The path of @abs relative to @root, with forward slashes (for file_rel). */
export function course_relative(root: string, abs: string): string {
  return relative(root, abs).split(/[\\/]/).join('/');
}
