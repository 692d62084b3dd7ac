// "Does it compile?" for a learner's files, before any check runs: a syntax
// or type error is a state of its own ("does not compile"), reported with
// file:line:col and the compiler's message, not a wall of failing checks.
//
// Uses the TypeScript compiler API with the project's tsconfig.json. A
// checker object keeps the previous program, so a warm process (the
// learner's watch loop) re-checks a save incrementally.
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import { import_refusal, type manifest_exercise } from './manifest';

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

/**
 * import_problems - the imports of @files (absolute paths of @e's editable
 * files under @root) that the exercise's allowlist refuses, as diagnostics
 * (code "SL-IMPORT"), so the learner's loop says it before the grader does:
 * "exercise 04 may not import mutex_trylock_recursive: implementing it is
 * the exercise". Type-only imports are free; imports outside kernel/ are
 * the grader's import policy's business.
 */
export function import_problems(e: manifest_exercise, root: string, files: readonly string[]): diagnostic[] {
  const out: diagnostic[] = [];
  const kernel = resolve(root, 'kernel') + sep;
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
    const say = (node: ts.Node, message: string) => {
      const at = sf.getLineAndCharacterOfPosition(node.getStart(sf));
      out.push({ file: relative(root, file).split(sep).join('/'), line: at.line + 1, column: at.character + 1, message, code: 'SL-IMPORT' });
    };
    for (const st of sf.statements) {
      const spec = (ts.isImportDeclaration(st) || ts.isExportDeclaration(st)) && st.moduleSpecifier && ts.isStringLiteral(st.moduleSpecifier) ? st.moduleSpecifier.text : null;
      if (!spec || !spec.startsWith('.')) continue;
      const target = resolve(dirname(file), spec).replace(/\.(ts|js)$/, '');
      if (!(target + sep).startsWith(kernel)) continue;
      const module = relative(root, target).split(sep).join('/');
      if (ts.isImportDeclaration(st)) {
        const c = st.importClause;
        if (!c || c.isTypeOnly) continue;
        if (c.name) {
          const why = import_refusal(e, module, 'default');
          if (why) say(c.name, why);
        }
        const nb = c.namedBindings;
        if (nb && ts.isNamespaceImport(nb)) {
          const why = import_refusal(e, module, null);
          if (why) say(nb, why);
        } else if (nb) {
          for (const el of nb.elements) {
            if (el.isTypeOnly) continue;
            const why = import_refusal(e, module, (el.propertyName ?? el.name).text);
            if (why) say(el, why);
          }
        }
      } else if (ts.isExportDeclaration(st) && !st.isTypeOnly) {
        const ec = st.exportClause;
        if (!ec || !ts.isNamedExports(ec)) {
          const why = import_refusal(e, module, null);
          if (why) say(st, why);
        } else {
          for (const el of ec.elements) {
            if (el.isTypeOnly) continue;
            const why = import_refusal(e, module, (el.propertyName ?? el.name).text);
            if (why) say(el, why);
          }
        }
      }
    }
  }
  return out;
}
