// "Does it compile?" for a learner's files, before any check runs: a syntax
// or type error is a state of its own ("does not compile"), reported with
// file:line:col and the compiler's message, not a wall of failing checks.
//
// Uses the TypeScript compiler API with the project's tsconfig.json. Where
// the CPU goes (node --cpu-prof of `shrinker-lab run 01`): parsing and
// binding lib.dom.d.ts and the kernel model, then the checker. So:
//   - no lib.dom.d.ts: the learner's console (all it was there for) is a
//     small declaration of its own, the same Console interface (LEARNER_GLOBALS);
//   - one parsed source file per path and text for the life of the checker,
//     shared by every program it builds (the learner's watch loop, a verify
//     lane checking exercise after exercise): only a changed file is parsed again;
//   - with a cache folder, "these files, with this content, against this
//     model, gave these diagnostics" is remembered by content hash, so a
//     `run` or `verify` of a file that did not change since it was last
//     checked skips the compiler altogether.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type ts from 'typescript';
import { import_refusal, type manifest_exercise } from './manifest';
import { COMPILES, type exercise_run } from './outcome';

/**
 * The compiler, loaded on first use and through require: compiling its
 * 9 MB of JavaScript, and (for an ES import) scanning it for its export
 * names, cost a cold check seconds of CPU even when every answer it would
 * give is remembered (see typechecker.precheck).
 */
let loaded: typeof ts | null = null;
function typescript(): typeof ts {
  return (loaded ??= createRequire(import.meta.url)('typescript') as typeof ts);
}

export interface diagnostic {
  /** Path relative to the course root. */
  file: string;
  line: number;
  column: number;
  message: string;
  /** "TS2322" etc. */
  code: string;
}

/**
 * The globals a learner's file may use beyond ES2022: console, to debug,
 * and the timers (which the realm refuses at run time with a message of its
 * own, course/harden.ts), declared as lib.dom.d.ts declares them (same
 * interface, same signatures, so the same diagnostics), without the rest of
 * the DOM, which the grading realm does not have either (a 1 MB declaration
 * file the checker would otherwise parse and bind on every check). The
 * model itself must not print through console (eslint guards kernel/).
 */
const LEARNER_GLOBALS = `interface Console {
  assert(condition?: boolean, ...data: any[]): void;
  clear(): void;
  count(label?: string): void;
  countReset(label?: string): void;
  debug(...data: any[]): void;
  dir(item?: any, options?: any): void;
  dirxml(...data: any[]): void;
  error(...data: any[]): void;
  group(...data: any[]): void;
  groupCollapsed(...data: any[]): void;
  groupEnd(): void;
  info(...data: any[]): void;
  log(...data: any[]): void;
  table(tabularData?: any, properties?: string[]): void;
  time(label?: string): void;
  timeEnd(label?: string): void;
  timeLog(label?: string, ...data: any[]): void;
  timeStamp(label?: string): void;
  trace(...data: any[]): void;
  warn(...data: any[]): void;
}
declare var console: Console;
type TimerHandler = string | Function;
declare function setTimeout(handler: TimerHandler, timeout?: number, ...arguments: any[]): number;
declare function setInterval(handler: TimerHandler, timeout?: number, ...arguments: any[]): number;
declare function clearTimeout(id: number | undefined): void;
declare function clearInterval(id: number | undefined): void;
`;

/** One remembered check: the content hash of every source file the program read (the TypeScript libs aside), and what it said. */
interface cache_entry {
  stamp: string;
  sources: Record<string, string>;
  diagnostics: diagnostic[];
  /** precheck's kind of answer (null: none found, or a plain check()). */
  kind?: 'imports' | 'state' | 'types' | null;
}

/** Bump when what a cache entry means changes. */
const STAMP_VERSION = 1;

const sha1 = (text: string) => createHash('sha1').update(text).digest('hex');

export interface typechecker_options {
  /** Folder for remembered results (the learner's loop: .shrinker-lab/typecheck); none, none kept. */
  cache_dir?: string;
}

export class typechecker {
  private old: ts.Program | undefined;
  /** Compiler options and host, made on the first compile (they need the compiler). */
  private setup: { options: ts.CompilerOptions; host: ts.CompilerHost; lib_dir: string } | null = null;
  /** Parsed files by path, reused while their text is unchanged. */
  private readonly parsed = new Map<string, ts.SourceFile>();
  /** The path of the learner's globals (never on disk). */
  private readonly globals_path: string;
  /** Compiler version, tsconfig.json, globals and the rules' own source: a cache entry of another stamp is not trusted. */
  private readonly stamp: string;

  constructor(
    private readonly root: string,
    private readonly opts: typechecker_options = {},
  ) {
    this.globals_path = resolve(root, '.learner-globals.d.ts');
    const version = (createRequire(import.meta.url)('typescript/package.json') as { version: string }).version;
    // The rules themselves are part of the stamp: a course update that
    // tightens the state rule or the import checks must re-judge an
    // unchanged file, not replay the old verdict.
    const rules = ['module_state.ts', 'typecheck.ts', 'manifest.ts'].map((f) => read_or_empty(fileURLToPath(new URL(`./${f}`, import.meta.url))));
    this.stamp = sha1(JSON.stringify([version, read_or_empty(join(root, 'tsconfig.json')), LEARNER_GLOBALS, STAMP_VERSION, ...rules]));
  }

  private ready(): { options: ts.CompilerOptions; host: ts.CompilerHost; lib_dir: string } {
    if (this.setup) return this.setup;
    const ts = typescript();
    const config_path = ts.findConfigFile(this.root, ts.sys.fileExists, 'tsconfig.json');
    const options: ts.CompilerOptions = { strict: true, noEmit: true, skipLibCheck: true, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, target: ts.ScriptTarget.ES2022, allowImportingTsExtensions: true, types: [] };
    if (config_path) {
      const parsed = ts.getParsedCommandLineOfConfigFile(config_path, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
      if (parsed) Object.assign(options, parsed.options);
    }
    // Only the learner's files and what they import are checked, not the whole project.
    options.noEmit = true;
    options.types = [];
    options.noUnusedLocals = false;
    options.lib = options.lib ?? ['lib.es2022.d.ts'];
    this.setup = { options, host: this.make_host(options), lib_dir: dirname(ts.getDefaultLibFilePath(options)) };
    return this.setup;
  }

  private make_host(options: ts.CompilerOptions): ts.CompilerHost {
    const ts = typescript();
    const host = ts.createCompilerHost(options);
    const read = host.readFile.bind(host);
    const exists = host.fileExists.bind(host);
    const get = host.getSourceFile.bind(host);
    const is_globals = (f: string) => resolve(f) === this.globals_path;
    host.fileExists = (f) => is_globals(f) || exists(f);
    host.readFile = (f) => (is_globals(f) ? LEARNER_GLOBALS : read(f));
    host.getSourceFile = (file, version, on_error, create_new) => {
      const text = host.readFile(file);
      if (text === undefined) return get(file, version, on_error, create_new);
      const hit = this.parsed.get(file);
      if (hit && hit.text === text && !create_new) return hit;
      const sf = ts.createSourceFile(file, text, version, false);
      this.parsed.set(file, sf);
      return sf;
    };
    return host;
  }

  /**
   * precheck - what stops @e's learner files (absolute paths) before any
   * check runs, in this order: imports its allowlist refuses, state kept in
   * the file between calls (course/module_state.ts), type errors; the first
   * kind found, or null and []. Remembered in the cache folder with the
   * content of every file it read: an unchanged file is answered without
   * loading the compiler.
   */
  async precheck(e: manifest_exercise, files: readonly string[]): Promise<{ kind: 'imports' | 'state' | 'types' | null; diagnostics: diagnostic[] }> {
    const remembered = this.remembered(e, files);
    if (remembered) return remembered;
    const key = this.cache_file([JSON.stringify(e), ...files]);
    const own = () => this.sources_of(files.map((f) => ({ fileName: f, text: read_or_empty(f) })));
    let answer: { kind: 'imports' | 'state' | 'types' | null; diagnostics: diagnostic[] };
    let sources: Record<string, string>;
    const refused = import_problems(e, this.root, files);
    if (refused.length) {
      answer = { kind: 'imports', diagnostics: refused };
      sources = own();
    } else {
      // Loaded here, not at the top: it loads the compiler.
      const { state_problems } = await import('./module_state');
      const kept = state_problems(this.root, files);
      if (kept.length) {
        answer = { kind: 'state', diagnostics: kept };
        sources = own();
      } else {
        const ds = this.compile(files);
        answer = { kind: ds.length ? 'types' : null, diagnostics: ds };
        sources = this.sources_of(this.old!.getSourceFiles());
      }
    }
    if (key) this.remember(key, sources, answer.diagnostics, answer.kind);
    return answer;
  }

  /** remembered - precheck's answer for @files when the cache holds it for their current content, else null (never loads the compiler). */
  remembered(e: manifest_exercise, files: readonly string[]): { kind: 'imports' | 'state' | 'types' | null; diagnostics: diagnostic[] } | null {
    const key = this.cache_file([JSON.stringify(e), ...files]);
    const entry = key ? this.recall(key) : null;
    return entry ? { kind: entry.kind ?? null, diagnostics: entry.diagnostics } : null;
  }

  /**
   * prepare - load the compiler and build a program for @files now, if no
   * check has yet: a warm worker whose first check was remembered does this
   * while the learner reads the verdict, so the first save does not pay it.
   */
  prepare(files: readonly string[]): void {
    if (!this.old) this.compile(files);
  }

  /** check - type-check @files (absolute paths); [] when they compile. */
  check(files: readonly string[]): diagnostic[] {
    const key = this.cache_file(files);
    const remembered = key ? this.recall(key) : null;
    if (remembered) return remembered.diagnostics;
    const out = this.compile(files);
    if (key) this.remember(key, this.sources_of(this.old!.getSourceFiles()), out, null);
    return out;
  }

  /** The program of the last compile, if any (the grader's signature check, grader/signatures.ts, reads its checker). */
  get program(): ts.Program | undefined {
    return this.old;
  }

  private compile(files: readonly string[]): diagnostic[] {
    const ts = typescript();
    const { options, host } = this.ready();
    const program = ts.createProgram({ rootNames: [...files, this.globals_path], options, host, oldProgram: this.old });
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

  /** The cache file for the check of @files, or null without a cache folder. */
  private cache_file(files: readonly string[]): string | null {
    if (!this.opts.cache_dir) return null;
    const rel = files.map((f) => relative(this.root, f).split(sep).join('/'));
    return join(this.opts.cache_dir, `${sha1(rel.join('\n'))}.json`);
  }

  /** The answer remembered in @key, if every file that check read still has the same content. */
  private recall(key: string): cache_entry | null {
    let entry: cache_entry;
    try {
      entry = JSON.parse(readFileSync(key, 'utf8')) as cache_entry;
    } catch {
      return null;
    }
    if (entry.stamp !== this.stamp || !entry.sources || !Array.isArray(entry.diagnostics)) return null;
    for (const [rel, hash] of Object.entries(entry.sources)) {
      let text: string;
      try {
        text = readFileSync(join(this.root, rel), 'utf8');
      } catch {
        return null;
      }
      if (sha1(text) !== hash) return null;
    }
    return entry;
  }

  /** The content hash of each of @files (not the compiler's own libs, nor the learner's globals), by path relative to the root. */
  private sources_of(files: readonly { fileName: string; text: string }[]): Record<string, string> {
    const sources: Record<string, string> = {};
    const globals = this.globals_path.split(sep).join('/');
    const lib = this.setup ? this.setup.lib_dir.split(sep).join('/') : null;
    for (const sf of files) {
      const name = sf.fileName.split(sep).join('/');
      if (name === globals || (lib && name.startsWith(lib))) continue;
      sources[relative(this.root, sf.fileName).split(sep).join('/')] = sha1(sf.text);
    }
    return sources;
  }

  /** Remember @diagnostics (of @kind) for @key with the hash of every file the answer read. */
  private remember(key: string, sources: Record<string, string>, diagnostics: diagnostic[], kind: cache_entry['kind']): void {
    try {
      mkdirSync(dirname(key), { recursive: true });
      const tmp = `${key}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify({ stamp: this.stamp, sources, diagnostics, kind } satisfies cache_entry));
      renameSync(tmp, key);
    } catch {
      /* a cache that cannot be written is only slower */
    }
  }
}

function read_or_empty(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
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
  const ts = typescript();
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

/**
 * typecheck_run - the run the type check alone gives for @e's @files (started
 * at @t0): 'compile_error' with the reason (the allowlist first, the model's
 * own answer imported being a reason of its own, before any type error; then
 * state kept in the file between calls, refused like the grader's policy does,
 * course/module_state.ts; then type errors), else one marked COMPILES
 * (course/outcome.ts). Remembered for files that did not change.
 */
export async function typecheck_run(e: manifest_exercise, files: readonly string[], checker: typechecker, t0: number): Promise<exercise_run> {
  const base = { exercise: e.id, results: [], diagnostics: [] };
  const { kind, diagnostics } = await checker.precheck(e, files);
  if (!kind) return { ...base, status: 'passed', message: COMPILES, ms: Date.now() - t0 };
  const why = kind === 'imports' ? 'imports the exercise does not allow' : kind === 'state' ? 'keeps state in the file between calls' : 'does not compile';
  return { ...base, diagnostics, status: 'compile_error', message: `${why}:\n${format_diagnostics(diagnostics)}`, ms: Date.now() - t0 };
}
