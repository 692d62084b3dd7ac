// "Does it compile?" for a learner's files, before any check runs: a syntax
// or type error is a state of its own ("does not compile"), reported with
// file:line:col and the compiler's message, not a wall of failing checks.
//
// Uses the TypeScript compiler API with the project's tsconfig.json. A
// checker object keeps the previous program, so a warm process (the
// learner's watch loop) re-checks a save incrementally.
import { relative } from 'node:path';
import ts from 'typescript';

export interface diagnostic {
  /** Path relative to the course root. */
  file: string;
  line: number;
  column: number;
  message: string;
  /** "TS2322" etc. */
  code: string;
}

export class typechecker {
  private old: ts.Program | undefined;
  private readonly options: ts.CompilerOptions;

  constructor(private readonly root: string) {
    const config_path = ts.findConfigFile(root, ts.sys.fileExists, 'tsconfig.json');
    const options: ts.CompilerOptions = { strict: true, noEmit: true, skipLibCheck: true, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, target: ts.ScriptTarget.ES2022, allowImportingTsExtensions: true, types: [] };
    if (config_path) {
      const parsed = ts.getParsedCommandLineOfConfigFile(config_path, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
      if (parsed) Object.assign(options, parsed.options);
    }
    // Only the learner's files and what they import are checked, not the whole project.
    options.noEmit = true;
    options.types = [];
    options.noUnusedLocals = false;
    // console.log is how learners debug: give them the DOM lib's console
    // (the model itself must not depend on it; eslint guards kernel/).
    options.lib = [...(options.lib ?? ['lib.es2022.d.ts']), 'lib.dom.d.ts'];
    this.options = options;
  }

  /** check - type-check @files (absolute paths); [] when they compile. */
  check(files: readonly string[]): diagnostic[] {
    const program = ts.createProgram({ rootNames: [...files], options: this.options, oldProgram: this.old });
    this.old = program;
    const wanted = new Set(files.map((f) => f.replace(/\\/g, '/')));
    const out: diagnostic[] = [];
    // Ask only about the learner's files: diagnostics of the whole program
    // would type-check the entire kernel model on every save (seconds),
    // only to be filtered out below.
    const own = program.getSourceFiles().filter((sf) => wanted.has(sf.fileName));
    const all = own.flatMap((sf) => [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)]);
    for (const d of all) {
      // Errors inside the model itself are the course's problem, not the learner's:
      // report only those in the learner's files (or with no file at all).
      if (d.file && !wanted.has(d.file.fileName)) continue;
      const pos = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : { line: 0, character: 0 };
      out.push({
        file: d.file ? relative(this.root, d.file.fileName) : '(project)',
        line: pos.line + 1,
        column: pos.character + 1,
        message: ts.flattenDiagnosticMessageText(d.messageText, '\n'),
        code: `TS${d.code}`,
      });
    }
    return out;
  }
}

/** format_diagnostics - "file:line:col - error TS2322: message", one per line. */
export function format_diagnostics(ds: readonly diagnostic[]): string {
  return ds.map((d) => `${d.file}:${d.line}:${d.column} - error ${d.code}: ${d.message}`).join('\n');
}
