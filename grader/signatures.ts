// The type check holds each graded file to the starter's contract: every
// function the starter exports (the functions the checks call, with the types
// the lesson gives them) must be exported by the learner's file with a type
// assignable to the starter's. Without this a `count_objects` declared to
// return Promise<string>, or taking parameters of other types, compiled, and
// only the run time refused it (an oops in the model, a failed check), far
// from the line at fault.
//
// Assignable, not identical: extra helpers and exports, other parameter
// names, fewer parameters (a callback may ignore what it is given) all stay
// correct answers. The starter is the committed one (the grading base), put
// next to the learner's file as its "starter twin" so that its relative
// imports of the model resolve exactly as the learner's do.
import { basename } from 'node:path';
import type ts from 'typescript';
import type { diagnostic } from '../course/typecheck';

/** The code of a signature diagnostic ("SL-": the course's own, not the compiler's). */
export const SIGNATURE_CODE = 'SL-SIGNATURE';

/** starter_twin - where the grading tree holds the starter of the graded file @file (same folder). */
export function starter_twin(file: string): string {
  return file.replace(/\.ts$/, '.starter.ts');
}

/** is_starter_twin - is @file a starter twin (never a learner's file: no manifest file name ends so)? */
export function is_starter_twin(file: string): boolean {
  return file.endsWith('.starter.ts');
}

/** The symbol a name stands for, through `export { x as y }` and re-exports. */
function target_of(checker: ts.TypeChecker, compiler: typeof ts, s: ts.Symbol): ts.Symbol {
  return s.flags & compiler.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s;
}

/** A callable type as a reader writes it: each call signature "(a: A, b: B): R", or the type's own name. */
function shown(checker: ts.TypeChecker, t: ts.Type): string {
  const sigs = t.getCallSignatures();
  if (sigs.length === 0) return checker.typeToString(checker.getBaseTypeOfLiteralType(t), undefined, 1 /* NoTruncation */);
  return sigs.map((s) => checker.signatureToString(s, undefined, 1 /* NoTruncation */)).join(' & ');
}

export interface signature_pair {
  /** The learner's file (absolute path, in the program). */
  learner: string;
  /** Its starter twin (absolute path, in the program). */
  starter: string;
}

/**
 * signature_problems - for each pair, the starter's exported functions the
 * learner's file does not export, or exports with a type not assignable to
 * the starter's: one diagnostic each, naming the export, the expected and
 * the found type. @rel turns an absolute path into the report's.
 */
export function signature_problems(compiler: typeof ts, program: ts.Program, pairs: readonly signature_pair[], rel: (file: string) => string): diagnostic[] {
  const checker = program.getTypeChecker();
  const out: diagnostic[] = [];
  for (const { learner, starter } of pairs) {
    const lsf = program.getSourceFile(learner);
    const ssf = program.getSourceFile(starter);
    if (!lsf || !ssf) continue;
    const smod = checker.getSymbolAtLocation(ssf);
    if (!smod) continue;
    const lmod = checker.getSymbolAtLocation(lsf);
    const found = new Map((lmod ? checker.getExportsOfModule(lmod) : []).map((s) => [s.name, s] as const));
    const file = rel(learner);
    for (const exp of checker.getExportsOfModule(smod)) {
      const st = target_of(checker, compiler, exp);
      if (!(st.flags & compiler.SymbolFlags.Value)) continue;
      const expected = checker.getTypeOfSymbol(st);
      // The contract is the functions: a starter's exported constant (13's shrinker_policy) is the
      // learner's to write, and an unannotated literal would not be assignable to its declared union.
      if (expected.getCallSignatures().length === 0) continue;
      const mine = found.get(exp.name);
      const lt = mine ? target_of(checker, compiler, mine) : null;
      if (!lt || !(lt.flags & compiler.SymbolFlags.Value)) {
        out.push({ file, line: 1, column: 1, code: SIGNATURE_CODE, message: `${basename(learner)} must export ${exp.name}: the checks call it as ${shown(checker, expected)}` });
        continue;
      }
      const actual = checker.getTypeOfSymbol(lt);
      if (checker.isTypeAssignableTo(actual, expected)) continue;
      const decl = lt.valueDeclaration ?? lt.declarations?.[0];
      const at = decl && decl.getSourceFile() === lsf ? lsf.getLineAndCharacterOfPosition(decl.getStart(lsf)) : { line: 0, character: 0 };
      out.push({
        file,
        line: at.line + 1,
        column: at.character + 1,
        code: SIGNATURE_CODE,
        message: `export ${exp.name} does not have the starter's type, which the checks call it with: expected ${shown(checker, expected)}, found ${shown(checker, actual)}`,
      });
    }
  }
  return out;
}
