// "Your code" in the study site's playground: the learner's current files of
// an exercise, served by `npm start`'s site server (cli/site.ts) as one ES
// module that the playground page imports and runs with the kernel model it
// has bundled.
//
// The learner's file imports the model as the CLI runs it:
//   import { mutex_lock } from '../../kernel/locking/mutex';
// In the page that path means nothing: the model lives in the playground's
// bundle, and the learner's code must call THAT instance (the one the
// scenario boots, whose struct_mutex and `current` the checks watch). So each
// import of the model becomes a read from one registry the playground sets up
// (site/src/playground_core.ts; the key is cli/your_code_registry.ts: module path -> the bundled
// module's namespace), and each use of an imported name reads through the
// namespace, so a `let` the model reassigns (`current`, sched/core) stays
// live as an ES import binding is.
//
// Same rules as the CLI: the file is transpiled by course/transpile.ts (the
// transpile the loop and the grader use), the exercise's import allowlist is
// checked with the loop's own messages (course/typecheck.ts import_problems,
// course/manifest.ts import_refusal), and anything but the kernel model is
// refused. A refusal or a syntax error comes back as a module that throws
// one clear message, which the page shows.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, normalize, relative, resolve, sep } from 'node:path';
import type ts from 'typescript';
import { read_manifest } from '../course/files';
import { import_refusal, type manifest_exercise } from '../course/manifest';
import { KERNEL_REGISTRY_KEY, YOUR_CODE_LINES } from './your_code_registry';


/** Where the site serves an exercise's module: your-code/<exercise id>.js. */
export const YOUR_CODE_PREFIX = '/your-code/';


let loaded: typeof ts | null = null;
function typescript(): typeof ts {
  return (loaded ??= createRequire(import.meta.url)('typescript') as typeof ts);
}

/** The exercises of the course under @root whose every file the learner has (the ones "your code" can run). */
export function your_code_exercises(root: string): string[] {
  let exercises: manifest_exercise[];
  try {
    exercises = read_manifest(root).exercises;
  } catch {
    return [];
  }
  return exercises.filter((e) => learner_files(root, e) !== null).map((e) => e.id);
}

/** The learner's files of @e under @root, or null when one is missing (or not a file of exercises/<id>/). */
function learner_files(root: string, e: manifest_exercise): string[] | null {
  const dir = normalize(join(root, 'exercises', e.id));
  const out: string[] = [];
  for (const f of e.files) {
    const p = normalize(join(dir, f));
    if (!p.startsWith(dir + sep) || !existsSync(p) || !statSync(p).isFile()) return null;
    out.push(p);
  }
  return out;
}

/** What the server answers for an exercise: the module's text, or why there is none (for the learner). */
export type your_code_module = { ok: true; js: string } | { ok: false; error: string };

/**
 * your_code_module - exercise @id's current files under @root as one ES
 * module for the playground, or a refusal. @id must be an exercise of the
 * manifest (exactly): nothing else of the tree is ever read.
 */
export async function your_code_module(root: string, id: string): Promise<your_code_module | null> {
  let e: manifest_exercise | undefined;
  try {
    e = read_manifest(root).exercises.find((x) => x.id === id);
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
  if (!e) return null;
  const files = learner_files(root, e);
  if (!files) return { ok: false, error: `Your code for exercise ${e.id} is missing a file. Restore the starter with: npx shrinker-lab reset ${e.id.slice(0, 2)}` };
  const { transpile_source } = await import('../course/transpile');
  const { import_problems, format_diagnostics } = await import('../course/typecheck');
  const allowlist = import_problems(e, root, files);
  if (allowlist.length) return { ok: false, error: `Not run: your code for exercise ${e.id} imports what the exercise does not allow:\n${format_diagnostics(allowlist)}` };
  const parts: string[] = [];
  /** Which lines of the module are which file's (each part keeps its file's line numbers): the page names frames by them. */
  const line_map: { file: string; first: number; count: number }[] = [];
  let next_line = 1;
  for (const file of files) {
    const shown = relative(root, file).split(sep).join('/');
    const { js, errors } = transpile_source(file, readFileSync(file, 'utf8'));
    if (errors.length) return { ok: false, error: `Not run: ${shown} does not compile:\n${errors.map((x) => `${shown}${x.message}`).join('\n')}` };
    const linked = link_to_registry(js, file, root, e, shown);
    if (!linked.ok) return linked;
    parts.push(linked.js);
    const count = linked.js.split('\n').length;
    line_map.push({ file: shown, first: next_line, count });
    next_line += count;
  }
  // The registry is read on line 1 (after the first line's own text would shift its columns only), so every line stays the learner's line.
  const prelude = `const __sl_kernel = globalThis[Symbol.for(${JSON.stringify(KERNEL_REGISTRY_KEY)})]; if (typeof __sl_kernel !== 'function') throw new Error('the playground has not set up its kernel registry'); `;
  return { ok: true, js: `${prelude}${parts.join('\n')}\nexport const ${YOUR_CODE_LINES} = ${JSON.stringify(line_map)};\n` };
}

/** A module that throws @message when imported: how a refusal reaches the page as a clear message. */
export function refusal_module(message: string): string {
  return `throw new Error(${JSON.stringify(message)});\n`;
}

interface edit {
  start: number;
  end: number;
  text: string;
}

/**
 * link_to_registry - @js (the transpiled text of @file) with each import of
 * the model read from the registry and each use of an imported name read
 * through the module's namespace (see the file's head). Anything else that
 * loads a module is refused, as the CLI refuses it.
 */
function link_to_registry(js: string, file: string, root: string, e: manifest_exercise, shown: string): your_code_module {
  const ts = typescript();
  const name = '/your_code.js';
  const sf = ts.createSourceFile(name, js, ts.ScriptTarget.ES2022, true, ts.ScriptKind.JS);
  const host: ts.CompilerHost = {
    getSourceFile: (n) => (n === name ? sf : undefined),
    writeFile: () => undefined,
    getDefaultLibFileName: () => 'lib.d.ts',
    useCaseSensitiveFileNames: () => true,
    getCanonicalFileName: (n) => n,
    getCurrentDirectory: () => '/',
    getNewLine: () => '\n',
    fileExists: (n) => n === name,
    readFile: (n) => (n === name ? js : undefined),
  };
  const program = ts.createProgram({ rootNames: [name], options: { allowJs: true, noLib: true, noResolve: true, noEmit: true, types: [] }, host });
  const checker = program.getTypeChecker();
  const kernel = resolve(root, 'kernel') + sep;
  const edits: edit[] = [];
  const problems: string[] = [];
  const say = (node: ts.Node, message: string) => problems.push(`${shown}:${sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1} - ${message}`);
  /** Each imported name's local symbol -> the expression that reads it live. */
  const reads = new Map<ts.Symbol, string>();
  let n = 0;
  for (const st of sf.statements) {
    const spec = (ts.isImportDeclaration(st) || ts.isExportDeclaration(st)) && st.moduleSpecifier && ts.isStringLiteral(st.moduleSpecifier) ? st.moduleSpecifier.text : null;
    if (spec === null) continue;
    const target = spec.startsWith('.') ? resolve(dirname(file), spec).replace(/\.js$/, '') : null;
    const module = target && (target + sep).startsWith(kernel) ? relative(root, target).split(sep).join('/') : null;
    if (!module) {
      say(st, import_refusal(e, spec, null) ?? `exercise ${e.id.slice(0, 2)} may import only the kernel model, not '${spec}'`);
      continue;
    }
    if (ts.isExportDeclaration(st)) {
      say(st, `the playground runs your exported functions; re-export from ${module} is not one (export the functions you write)`);
      continue;
    }
    const ns = `__sl_k${n++}`;
    const nb = (st as ts.ImportDeclaration).importClause?.namedBindings;
    const local_ns = nb && ts.isNamespaceImport(nb) ? nb.name.text : ns;
    const c = (st as ts.ImportDeclaration).importClause;
    if (c?.name) reads.set(checker.getSymbolAtLocation(c.name)!, `${ns}.default`);
    if (nb && ts.isNamedImports(nb)) for (const el of nb.elements) reads.set(checker.getSymbolAtLocation(el.name)!, `${ns}.${(el.propertyName ?? el.name).text}`);
    // One line for the import, then as many newlines as the import spanned: every later line keeps its number.
    const lines = js.slice(st.getStart(sf), st.getEnd()).split('\n').length - 1;
    const bind = local_ns === ns ? ns : `${local_ns}`;
    edits.push({ start: st.getStart(sf), end: st.getEnd(), text: `const ${bind} = await __sl_kernel(${JSON.stringify(module)});${'\n'.repeat(lines)}` });
  }
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) return;
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) say(node, 'the playground runs your code with the kernel model it has loaded: no import() of anything else');
    if (ts.isShorthandPropertyAssignment(node)) {
      const s = checker.getShorthandAssignmentValueSymbol(node);
      const read = s && reads.get(s);
      if (read) {
        edits.push({ start: node.name.getStart(sf), end: node.name.getEnd(), text: `${node.name.text}: ${read}` });
        return;
      }
    }
    if (ts.isExportSpecifier(node)) {
      const s = checker.getSymbolAtLocation(node.propertyName ?? node.name);
      const local = s ? checker.getExportSpecifierLocalTargetSymbol(node) : undefined;
      if (local && reads.has(local)) say(node, `export the functions you write, not ${node.name.text} of the kernel model`);
      return;
    }
    if (ts.isIdentifier(node)) {
      const parent = node.parent;
      // a.b's b and { b: 1 }'s b name properties, not the import.
      if (parent && ((ts.isPropertyAccessExpression(parent) && parent.name === node) || (ts.isPropertyAssignment(parent) && parent.name === node))) return;
      const s = checker.getSymbolAtLocation(node);
      const read = s && reads.get(s);
      if (read) edits.push({ start: node.getStart(sf), end: node.getEnd(), text: read });
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  if (problems.length) return { ok: false, error: `Not run: your code for exercise ${e.id} loads what the playground does not give it:\n${problems.join('\n')}` };
  edits.sort((a, b) => b.start - a.start);
  let out = js;
  for (const x of edits) out = out.slice(0, x.start) + x.text + out.slice(x.end);
  return { ok: true, js: out };
}
