// Which line of the learner's file produced a wrong answer, when the code
// made no traced call into the kernel (a `return 0` after a failed trylock,
// a count that adds up the wrong pages): the failure's Call Trace never
// reaches the learner's file, only the function graph tracer's lines
// ("funcgraph_exit: func=i915_gem_shrinker_count retval=0") or the check's
// own words ("count returned 0") say what came back. This file finds the
// return statement that gave that value, by reading the learner's source:
// a return of that very literal when exactly one exists; else the one
// return that computes its value (every other returns a different literal);
// else the only return. Failing all of that, the export itself.
//
// Read in the CLI's process after the verdict (the source is on disk and
// the compiler is at hand), never in the realm that decides the verdict.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type ts from 'typescript';
import type { manifest_exercise } from '../course/manifest';

let loaded: typeof ts | null = null;
function typescript(): typeof ts {
  return (loaded ??= createRequire(import.meta.url)('typescript') as typeof ts);
}

/** The tree-relative folder of exercise @e's files the learner edits. */
function learner_dir(e: manifest_exercise): string {
  return join('exercises', e.id);
}

/** What a failure says the learner's code returned: the function when it is named, and the value as printed. */
export interface wrong_return {
  fn: string | null;
  /** The word before "returned" in the check's own text ("count returned 0"): which export, when there are several. */
  word: string | null;
  value: string;
}

/**
 * wrong_return_of - the first value a failure's @message says the learner's
 * code returned: a funcgraph_exit line marked as the learner's, else a
 * "returned 0" / "returned=0" in the message. Null when it says none.
 */
export function wrong_return_of(message: string): wrong_return | null {
  const exit = /funcgraph_exit: func=(\S+) retval=(\S+)\s+<- your code/.exec(message);
  if (exit) return { fn: exit[1]!, word: null, value: exit[2]! };
  const said = /(?:\b(\w+) )?\breturned[= ](-?\d+|true|false|null)\b/.exec(message);
  return said ? { fn: null, word: said[1] ?? null, value: said[2]! } : null;
}

export interface return_site {
  /** Tree-relative path of the learner's file. */
  file: string;
  line: number;
  fn: string;
  /** True when the line is a return statement; false when only the export could be named. */
  is_return: boolean;
}

/** The value a literal expression stands for, as the trace prints it, or null when it is not a literal. */
function literal_value(t: typeof ts, e: ts.Expression): string | null {
  while (t.isParenthesizedExpression(e) || t.isAsExpression(e) || t.isSatisfiesExpression(e) || t.isAwaitExpression(e)) e = e.expression;
  if (t.isNumericLiteral(e)) return String(Number(e.text));
  if (t.isPrefixUnaryExpression(e) && e.operator === t.SyntaxKind.MinusToken && t.isNumericLiteral(e.operand)) return String(-Number(e.operand.text));
  if (e.kind === t.SyntaxKind.TrueKeyword) return 'true';
  if (e.kind === t.SyntaxKind.FalseKeyword) return 'false';
  if (e.kind === t.SyntaxKind.NullKeyword) return 'null';
  if (t.isIdentifier(e) && e.text === 'undefined') return 'null';
  return null;
}

/** The return statements of @body's own function (not of functions nested in it). */
function returns_of(t: typeof ts, body: ts.Node): ts.ReturnStatement[] {
  const out: ts.ReturnStatement[] = [];
  const visit = (n: ts.Node): void => {
    if (t.isReturnStatement(n)) out.push(n);
    if (t.isFunctionLike(n)) return;
    t.forEachChild(n, visit);
  };
  t.forEachChild(body, visit);
  return out;
}

/** The exported functions of @sf: function declarations and `export const f = (...) => ...`. */
function exported_functions(t: typeof ts, sf: ts.SourceFile): { name: string; node: ts.Node; body: ts.Node }[] {
  const out: { name: string; node: ts.Node; body: ts.Node }[] = [];
  const exported = (n: ts.Node) => (t.canHaveModifiers(n) ? t.getModifiers(n) ?? [] : []).some((m) => m.kind === t.SyntaxKind.ExportKeyword);
  for (const s of sf.statements) {
    if (t.isFunctionDeclaration(s) && s.name && s.body && exported(s)) out.push({ name: s.name.text, node: s, body: s.body });
    if (t.isVariableStatement(s) && exported(s)) {
      for (const d of s.declarationList.declarations) {
        const init = d.initializer;
        if (t.isIdentifier(d.name) && init && (t.isArrowFunction(init) || t.isFunctionExpression(init))) out.push({ name: d.name.text, node: d, body: init.body });
      }
    }
  }
  return out;
}

/** The one return that gave @value among @rets, by the rules in the file's head, or null. */
function pick_return(t: typeof ts, rets: ts.ReturnStatement[], value: string): ts.ReturnStatement | null {
  const lit = rets.map((r) => (r.expression ? literal_value(t, r.expression) : 'null'));
  const same = rets.filter((_, i) => lit[i] === value);
  if (same.length === 1) return same[0]!;
  if (same.length > 1) return null;
  const computed = rets.filter((_, i) => lit[i] === null);
  if (computed.length === 1) return computed[0]!;
  return rets.length === 1 ? rets[0]! : null;
}

/**
 * locate_return - where in exercise @e's files under @root (in @dir, the
 * learner's folder unless a test names a solution's) the function that
 * returned @w.value returned it: the return statement when one can be told
 * apart, else the export's own line. Null when no exported function fits.
 */
export function locate_return(root: string, e: manifest_exercise, w: wrong_return, dir = learner_dir(e)): return_site | null {
  const t = typescript();
  const candidates: { file: string; sf: ts.SourceFile; name: string; node: ts.Node; body: ts.Node }[] = [];
  for (const f of e.files) {
    const file = join(dir, f);
    const path = join(root, file);
    if (!existsSync(path) || !f.endsWith('.ts')) continue;
    const sf = t.createSourceFile(path, readFileSync(path, 'utf8'), t.ScriptTarget.ES2022, true);
    for (const x of exported_functions(t, sf)) candidates.push({ file, sf, ...x });
  }
  // The function the trace names; else the only one the exercise exports.
  const by_word = w.word ? candidates.filter((c) => c.name === w.word || c.name.endsWith(`_${w.word}`)) : [];
  const named = w.fn ? candidates.filter((c) => c.name === w.fn) : candidates.length === 1 ? candidates : by_word;
  if (named.length !== 1) return null;
  const c = named[0]!;
  const line = (n: ts.Node) => c.sf.getLineAndCharacterOfPosition(n.getStart(c.sf)).line + 1;
  const ret = pick_return(t, returns_of(t, c.body), w.value);
  return ret ? { file: c.file, line: line(ret), fn: c.name, is_return: true } : { file: c.file, line: line(c.node), fn: c.name, is_return: false };
}

/** your_return_line - "your code: file:line in fn (returned V)" for @message, or null when it names no return of the learner's. */
export function your_return_line(root: string, e: manifest_exercise, message: string): string | null {
  const w = wrong_return_of(message);
  if (!w) return null;
  let site: return_site | null;
  try {
    site = locate_return(root, e, w);
  } catch {
    return null; // an explanation only: a file that does not parse is the verdict's business
  }
  if (!site) return null;
  return `your code: ${site.file}:${site.line} in ${site.fn} (${site.is_return ? 'returned' : 'it returned'} ${w.value})`;
}

/** The frame course/explain.ts writes for the judged code when the realm cannot name its line: "   fn   <- your code (returned V)", or without what it returned when it never did. */
const UNPLACED_FRAME = /^(\s*)(\w+)   <- your code(?: \(returned (\S+)\))?$/gm;

/**
 * place_your_frames - @message with each frame of the learner's function
 * that course/explain.ts could not place (no stack of the realm reached its
 * file) given a file:line, as a Call Trace frame: "fn (file:line)   <- your
 * code". The line is the return that gave the value it returned; for a call
 * that never returned, the function's own line. A frame that cannot be
 * placed stays as it is. @dir: where the files are (tree-relative), when not
 * the learner's folder (a test of a solution's files).
 */
export function place_your_frames(root: string, e: manifest_exercise, message: string, dir = learner_dir(e)): string {
  return message.replace(UNPLACED_FRAME, (whole, pad: string, fn: string, value: string | undefined) => {
    let site: return_site | null;
    try {
      site = value === undefined ? locate_function(root, e, fn, dir) : locate_return(root, e, { fn, word: null, value }, dir);
    } catch {
      return whole;
    }
    return site ? `${pad}${fn} (${site.file}:${site.line})   <- your code` : whole;
  });
}

/** locate_function - the line of exported function @fn in @e's files, or null. */
function locate_function(root: string, e: manifest_exercise, fn: string, dir: string): return_site | null {
  const t = typescript();
  for (const f of e.files) {
    const file = join(dir, f);
    const path = join(root, file);
    if (!existsSync(path) || !f.endsWith('.ts')) continue;
    const sf = t.createSourceFile(path, readFileSync(path, 'utf8'), t.ScriptTarget.ES2022, true);
    const hit = exported_functions(t, sf).find((x) => x.name === fn);
    if (hit) return { file, line: sf.getLineAndCharacterOfPosition(hit.node.getStart(sf)).line + 1, fn, is_return: false };
  }
  return null;
}
