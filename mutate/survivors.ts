// Mutants that survive, and what an author has said about each.
//
// mutate/survivors/<exercise>.json is committed. For each surviving mutant
// of the reference solution it says either "equivalent" (no program can
// tell it from the reference: why, in kernel terms) or "open" (a hole in
// the checks: what a check would have to do to kill it). For the starter it
// lists every one-edit change that passes every check: "intended" (the fix
// the exercise asks for) or "hole".
//
// Entries are matched by a key made of the tool, the operator, the
// enclosing function and the text replaced and replacing, not by line
// number, so an entry survives edits elsewhere in the file.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import ts from 'typescript';
import type { mutant_status } from './evaluate';
import { one_line } from './operators';

export type tool = 'kernel' | 'stryker';

/** One mutant after its run, whichever tool made it. */
export interface outcome {
  tool: tool;
  target: 'solution' | 'starter';
  file: string;
  line: number;
  column: number;
  operator: string;
  function_name: string;
  original: string;
  replacement: string;
  description: string;
  status: mutant_status | 'ignored';
  failed: string[];
  detail: string;
  ms: number;
  key: string;
}

export interface survivor_entry {
  key: string;
  tool: tool;
  file: string;
  line: number;
  status: 'equivalent' | 'open';
  why: string;
}

export interface starter_entry {
  key: string;
  file: string;
  line: number;
  verdict: 'intended' | 'hole';
  why: string;
}

export interface survivors_file {
  exercise: string;
  survivors: survivor_entry[];
  starter_passes: starter_entry[];
}

const clip = (s: string, n = 90) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** key_of - the stable identity of a mutant (see above); @seen numbers repeats. */
export function key_of(o: Omit<outcome, 'key'>, seen: Map<string, number>): string {
  const base = `${o.tool}/${o.operator} in ${o.function_name || '(top level)'}: ${clip(o.original)} -> ${clip(o.replacement)}`;
  const n = (seen.get(base) ?? 0) + 1;
  seen.set(base, n);
  return n === 1 ? base : `${base} (#${n})`;
}

/** function_at - the name of the function enclosing 1-based @line:@column of @text ('' if none). */
export function function_at(text: string, line: number, column: number): string {
  const sf = ts.createSourceFile('x.ts', text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const pos = sf.getPositionOfLineAndCharacter(line - 1, column - 1);
  let name = '';
  const visit = (n: ts.Node): void => {
    if (pos < n.getStart(sf) || pos >= n.getEnd()) return;
    if ((ts.isFunctionDeclaration(n) || ts.isMethodDeclaration(n)) && n.name && ts.isIdentifier(n.name)) name = n.name.text;
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return name;
}

/** text_between - the source from 1-based (@l1,@c1) to (@l2,@c2), collapsed to one line. */
export function text_between(text: string, l1: number, c1: number, l2: number, c2: number): string {
  const sf = ts.createSourceFile('x.ts', text, ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);
  return one_line(text.slice(sf.getPositionOfLineAndCharacter(l1 - 1, c1 - 1), sf.getPositionOfLineAndCharacter(l2 - 1, c2 - 1)));
}

export function survivors_path(root: string, exercise: string): string {
  return join(root, 'mutate', 'survivors', `${exercise}.json`);
}

export function read_survivors(root: string, exercise: string): survivors_file {
  const p = survivors_path(root, exercise);
  if (!existsSync(p)) return { exercise, survivors: [], starter_passes: [] };
  const f = JSON.parse(readFileSync(p, 'utf8')) as Partial<survivors_file>;
  return { exercise, survivors: f.survivors ?? [], starter_passes: f.starter_passes ?? [] };
}

/**
 * merge_survivors - the survivors file updated with this run: judged
 * entries that still survive keep their judgement (with today's line), new
 * survivors come in as "open" / "hole", entries that no longer survive go.
 * Only tools (and targets) that ran are touched.
 */
export function merge_survivors(old: survivors_file, outcomes: readonly outcome[], ran: { tools: tool[]; starter: boolean; solution: boolean }): survivors_file {
  const survived = outcomes.filter((o) => o.status === 'survived');
  const keep_other = (e: survivor_entry) => !ran.solution || !ran.tools.includes(e.tool);
  const by_key = new Map(old.survivors.map((e) => [e.key, e]));
  // One order whichever tool ran last (tool, file, line, key), so a re-run that changes nothing changes no line of the file.
  const in_order = (a: survivor_entry, b: survivor_entry) => a.tool.localeCompare(b.tool) || a.file.localeCompare(b.file) || a.line - b.line || a.key.localeCompare(b.key);
  const survivors = [
    ...old.survivors.filter(keep_other),
    ...survived
      .filter((o) => o.target === 'solution')
      .map((o): survivor_entry => {
        const prev = by_key.get(o.key);
        return { key: o.key, tool: o.tool, file: o.file, line: o.line, status: prev?.status ?? 'open', why: prev?.why ?? '' };
      }),
  ].sort(in_order);
  const old_starter = new Map(old.starter_passes.map((e) => [e.key, e]));
  const starter_passes = ran.starter
    ? survived
        .filter((o) => o.target === 'starter')
        .map((o): starter_entry => {
          const prev = old_starter.get(o.key);
          return { key: o.key, file: o.file, line: o.line, verdict: prev?.verdict ?? 'hole', why: prev?.why ?? '' };
        })
        .sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.key.localeCompare(b.key))
    : old.starter_passes;
  return { exercise: old.exercise, survivors, starter_passes };
}

export function write_survivors(root: string, f: survivors_file): void {
  const p = survivors_path(root, f.exercise);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, `${JSON.stringify(f, null, 2)}\n`);
}

export interface score {
  tool: tool | 'all';
  total: number;
  killed: number;
  survived: number;
  equivalent: number;
  compile_errors: number;
  ignored: number;
  /** killed / (total - compile errors - ignored - equivalent); 1 when nothing is left to kill. */
  score: number;
}

/** score_of - the mutation score of @outcomes (solution mutants) given the equivalent keys in @f. */
export function score_of(outcomes: readonly outcome[], f: survivors_file, tool: tool | 'all'): score {
  const mine = outcomes.filter((o) => o.target === 'solution' && (tool === 'all' || o.tool === tool));
  const equivalent_keys = new Set(f.survivors.filter((e) => e.status === 'equivalent').map((e) => e.key));
  const equivalent = mine.filter((o) => o.status === 'survived' && equivalent_keys.has(o.key)).length;
  const killed = mine.filter((o) => o.status === 'killed' || o.status === 'timeout' || o.status === 'crashed').length;
  const survived = mine.filter((o) => o.status === 'survived').length - equivalent;
  const compile_errors = mine.filter((o) => o.status === 'compile-error').length;
  const ignored = mine.filter((o) => o.status === 'ignored').length;
  const denominator = killed + survived;
  return { tool, total: mine.length, killed, survived, equivalent, compile_errors, ignored, score: denominator === 0 ? 1 : killed / denominator };
}
