// TypeScript to plain JavaScript for the grading realm (course/realm.ts): the
// realm loads ES modules from source text, and its linker resolves relative
// specifiers to files, so types are stripped (transpileModule: no type
// checking, that is typecheck.ts's job) and each relative specifier is
// rewritten to the emitted .js file, as Node's ESM resolver would want.
//
// Two users: the grader transpiles its grading tree once per run, to .js
// files on disk (grader/transpile.ts); the learner's loop transpiles in
// memory, file by file as the realm asks for them (ts_loader below), so that
// the learner's code runs in the same locked realm as when it is graded.
// Never imported by a grading worker (it may not read the compiler).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join, resolve } from 'node:path';
import type ts from 'typescript';

/** The compiler, loaded on first use (course/typecheck.ts says why): a cold check whose every file is in the disk cache never loads it. */
let loaded: typeof ts | null = null;
function typescript(): typeof ts {
  return (loaded ??= createRequire(import.meta.url)('typescript') as typeof ts);
}

// ts.ScriptTarget.ES2022 and ts.ModuleKind.ESNext, spelled as their values so that the options exist before the compiler is loaded.
const OPTIONS: ts.CompilerOptions = {
  target: 9 satisfies ts.ScriptTarget.ES2022,
  module: 99 satisfies ts.ModuleKind.ESNext,
  verbatimModuleSyntax: true,
  isolatedModules: true,
  useDefineForClassFields: true,
  // The map is read once, to put each emitted line back on its source line (align_lines).
  sourceMap: true,
};

/** The .js specifier for relative @spec imported from @file, or @spec unchanged. */
function rewrite(file: string, spec: string): string {
  if (!spec.startsWith('./') && !spec.startsWith('../')) return spec;
  const base = resolve(dirname(file), spec);
  if (spec.endsWith('.ts')) return `${spec.slice(0, -3)}.js`;
  if (spec.endsWith('.js') || spec.endsWith('.json')) return spec;
  if (exists(`${base}.ts`)) return `${spec}.js`;
  if (exists(join(base, 'index.ts'))) return `${spec}/index.js`;
  return spec;
}

/**
 * exists - existsSync, where a path the process may not read (the grader's reader child runs under
 * Node's permission model, reads of the grading tree only) is one that does not exist: a learner's
 * import with one '../' too many made existsSync throw ERR_ACCESS_DENIED, and the file was "not
 * graded: the compiler could not read it: Access to this API has been restricted" instead of the
 * import policy's line naming the import (grader red team 13 #11).
 */
function exists(path: string): boolean {
  try {
    return existsSync(path);
  } catch {
    return false;
  }
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/**
 * source_lines - for each line of the emitted JavaScript (0-based), the 0-based
 * source line its first mapping points at, or -1 where the line has none
 * (decoded from a source map's "mappings": base64 VLQ, fields relative to the
 * previous segment; the source line is the third field).
 */
function source_lines(mappings: string): number[] {
  const out: number[] = [];
  let src_line = 0;
  for (const line of mappings.split(';')) {
    let first = -1;
    for (const seg of line.split(',')) {
      if (!seg) continue;
      const fields: number[] = [];
      let value = 0;
      let shift = 0;
      for (const ch of seg) {
        const digit = BASE64.indexOf(ch);
        value += (digit & 31) << shift;
        if (digit & 32) shift += 5;
        else {
          fields.push(value & 1 ? -(value >>> 1) : value >>> 1);
          value = 0;
          shift = 0;
        }
      }
      if (fields.length >= 4) {
        src_line += fields[2]!;
        if (first < 0) first = src_line;
      }
    }
    out.push(first);
  }
  return out;
}

/**
 * align_lines - @js with blank lines put back so that each emitted line sits
 * on the line of the TypeScript it came from (where the emitter dropped type
 * declarations or joined lines): a stack frame's line number in the model
 * and in the learner's file is then the line they see in their editor.
 * A line mapped above the current one (rare: the emitter moved code up)
 * stays where it is.
 */
function align_lines(js: string, map_text: string | undefined): string {
  if (!map_text) return js;
  let map: { mappings?: unknown };
  try {
    map = JSON.parse(map_text) as { mappings?: unknown };
  } catch {
    return js;
  }
  if (typeof map.mappings !== 'string') return js;
  const targets = source_lines(map.mappings);
  const out: string[] = [];
  js.split('\n').forEach((line, i) => {
    if (line.startsWith('//# sourceMappingURL=')) return;
    const want = targets[i] ?? -1;
    while (out.length < want) out.push('');
    out.push(line);
  });
  return out.join('\n');
}

export interface transpile_error {
  file: string;
  message: string;
}

/**
 * Where transpiled text is remembered across processes (set_transpile_cache):
 * a cold `shrinker-lab run` would otherwise transpile the whole model, file
 * by file, before the first check (about a third of its CPU time).
 */
let disk_cache: string | null = null;
const TS_VERSION = (createRequire(import.meta.url)('typescript/package.json') as { version: string }).version;

/** set_transpile_cache - remember transpiled files in @dir (the learner's .shrinker-lab/transpile), or nowhere (null). */
export function set_transpile_cache(dir: string | null): void {
  disk_cache = dir;
}

/** The compiler's output for @src, from the disk cache when the same text was transpiled before. */
function transpile_text(file: string, src: string): ts.TranspileOutput {
  const key = disk_cache ? join(disk_cache, `${createHash('sha1').update(JSON.stringify([TS_VERSION, OPTIONS, extname(file), src])).digest('hex')}.json`) : null;
  if (key) {
    try {
      const hit = JSON.parse(readFileSync(key, 'utf8')) as { js: string; clean: boolean };
      // Only output without diagnostics is remembered: errors are reported from a fresh run.
      if (hit.clean && typeof hit.js === 'string') return { outputText: hit.js, diagnostics: [] };
    } catch {
      /* not remembered */
    }
  }
  const ts = typescript();
  const emitted = ts.transpileModule(src, { compilerOptions: OPTIONS, fileName: file, reportDiagnostics: true });
  const out = { ...emitted, outputText: align_lines(emitted.outputText, emitted.sourceMapText) };
  if (key && !out.diagnostics?.length) {
    try {
      mkdirSync(dirname(key), { recursive: true });
      const tmp = `${key}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify({ js: out.outputText, clean: true }));
      renameSync(tmp, key);
    } catch {
      /* a cache that cannot be written is only slower */
    }
  }
  return out;
}

/** transpile_source - @src (the text of @file, a .ts path) as JavaScript, and its syntax errors (at most 5). */
export function transpile_source(file: string, src: string): { js: string; errors: transpile_error[] } {
  const out = transpile_text(file, src);
  const errors = (out.diagnostics ?? []).slice(0, 5).map((d) => {
    const at = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : null;
    const where = at ? `:${at.line + 1}:${at.character + 1}` : '';
    return { file, message: `${where} - error TS${d.code}: ${typescript().flattenDiagnosticMessageText(d.messageText, '\n')}` };
  });
  // import ... from 'x' / export ... from 'x' / import 'x' / import('x')
  const js = out.outputText.replace(/(\bfrom\s*|\bimport\s*\(?\s*)(['"])([^'"\n]+)\2/g, (_m, pre: string, q: string, spec: string) => `${pre}${q}${rewrite(file, spec)}${q}`);
  return { js, errors };
}

/**
 * warm_transpile_cache - transpile every .ts file under @dirs of @root (tests
 * and declarations aside) and @files into the disk cache, skipping those it
 * already holds: run in the type check's process, so that the process that
 * runs the checks finds every module it loads transpiled and never loads the
 * compiler (about 80 MB of its resident memory).
 */
export function warm_transpile_cache(root: string, dirs: readonly string[], files: readonly string[]): void {
  if (!disk_cache) return;
  const all = [...files];
  const walk = (dir: string): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const d of entries) {
      const p = join(dir, d.name);
      if (d.isDirectory()) walk(p);
      else if (d.name.endsWith('.ts') && !d.name.endsWith('.d.ts') && !d.name.endsWith('.test.ts')) all.push(p);
    }
  };
  for (const d of dirs) walk(join(root, d));
  for (const f of all) {
    try {
      // A warm type checker is asked again on every save: a file unchanged since it was put in the cache is not read again.
      const st = statSync(f);
      const seen = warmed.get(f);
      if (seen && seen.mtime === st.mtimeMs && seen.size === st.size && seen.cache === disk_cache) continue;
      // Only clean output is cached (transpile_text): a file with errors is transpiled, and reported, where it loads.
      if (!transpile_text(f, readFileSync(f, 'utf8')).diagnostics?.length) warmed.set(f, { mtime: st.mtimeMs, size: st.size, cache: disk_cache });
    } catch {
      /* the checks' process transpiles it (and reports) itself */
    }
  }
}

/** Files warm_transpile_cache put in the cache, as they were then. */
const warmed = new Map<string, { mtime: number; size: number; cache: string }>();

const cache = new Map<string, { mtime: number; size: number; js: string }>();

/**
 * ts_loader - the realm's source loader for a checkout of the course (the
 * learner's loop): a .js file that exists is read as it is (the packages in
 * node_modules); a .js path next to a .ts file is that file transpiled, kept
 * in memory until the file changes (a warm worker re-checks after every save).
 * Null when neither exists.
 */
export function ts_loader(path: string): string | null {
  if (existsSync(path)) return readFileSync(path, 'utf8');
  if (!path.endsWith('.js')) return null;
  const source = `${path.slice(0, -3)}.ts`;
  let st;
  try {
    st = statSync(source);
  } catch {
    return null;
  }
  const hit = cache.get(source);
  if (hit && hit.mtime === st.mtimeMs && hit.size === st.size) return hit.js;
  const { js } = transpile_source(source, readFileSync(source, 'utf8'));
  cache.set(source, { mtime: st.mtimeMs, size: st.size, js });
  return js;
}
