// Starts course/typecheck_worker.ts as plain JavaScript, without tsx.
//
// The type checker's process needs the compiler anyway; tsx's loader runs in
// a thread of its own, a second V8 isolate (about 40 MB resident), and that
// is what put the type check over 200 MB. So this file, the one plain-JS
// entry point, transpiles typecheck_worker.ts and the modules it imports
// (the compiler's side of the course only: no model) with the compiler's
// transpileModule, writes them once per content under the course's state
// folder (.shrinker-lab/typecheck-worker/<hash>/, as .mjs so that no
// package.json decides what they are, beside each its .ts source:
// typecheck.ts hashes its rule files next to itself), and imports
// them. Transpiling the handful of files costs a few milliseconds once the
// compiler is loaded, which the type check needs first anyway.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const ts = createRequire(import.meta.url)('typescript');
const ENTRY = join(here, 'typecheck_worker.ts');
/** A relative specifier of a static import or export, or of import(): the emitted code keeps only imports of values. */
const SPECIFIER = /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])(\.{1,2}\/[^'"]+)\2/g;

/** The .ts file @spec names from @file. */
function resolve_ts(file, spec) {
  const base = resolve(dirname(file), spec);
  for (const c of [base, `${base}.ts`, join(base, 'index.ts')]) if (c.endsWith('.ts') && existsSync(c)) return c;
  throw new Error(`typecheck_worker.mjs: ${relative(root, file)} imports ${spec}, which is no .ts file`);
}

/** Every module of the graph from ENTRY: path relative to the root -> its source and its JavaScript. */
function transpile_graph() {
  const out = new Map();
  const todo = [ENTRY];
  while (todo.length > 0) {
    const file = todo.pop();
    const rel = relative(root, file);
    if (out.has(rel)) continue;
    const text = readFileSync(file, 'utf8');
    const emitted = ts.transpileModule(text, { fileName: file, compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } }).outputText;
    const js = emitted.replace(SPECIFIER, (_whole, lead, quote, spec) => {
      const dep = resolve_ts(file, spec);
      todo.push(dep);
      const to = relative(dirname(file), dep).split(sep).join('/').replace(/\.ts$/, '.mjs');
      return `${lead}${quote}${to.startsWith('.') ? to : `./${to}`}${quote}`;
    });
    out.set(rel, { text, js });
  }
  return out;
}

/** The folder holding @graph's files (written now if no earlier start wrote it). */
function written(graph) {
  const h = createHash('sha256').update(ts.version);
  for (const [rel, { text }] of [...graph].sort(([a], [b]) => (a < b ? -1 : 1))) h.update(`\0${rel}\0${text}`);
  const name = h.digest('hex').slice(0, 16);
  for (const base of [join(root, '.shrinker-lab', 'typecheck-worker'), join(tmpdir(), 'shrinker-lab-typecheck-worker')]) {
    const dir = join(base, name);
    if (existsSync(join(dir, 'course', 'typecheck_worker.mjs'))) return dir;
    // Written aside, then renamed: two workers starting together (verify's lanes) never read half a folder.
    const tmp = `${dir}.${process.pid}.tmp`;
    try {
      for (const [rel, { text, js }] of graph) {
        mkdirSync(dirname(join(tmp, rel)), { recursive: true });
        writeFileSync(join(tmp, rel), text);
        writeFileSync(join(tmp, rel.replace(/\.ts$/, '.mjs')), js);
      }
      renameSync(tmp, dir);
      return dir;
    } catch {
      rmSync(tmp, { recursive: true, force: true });
      if (existsSync(join(dir, 'course', 'typecheck_worker.mjs'))) return dir; // another start won the rename
    }
  }
  throw new Error('typecheck_worker.mjs: no folder to write the transpiled type checker to');
}

const dir = written(transpile_graph());
const { main } = await import(pathToFileURL(join(dir, 'course', 'typecheck_worker.mjs')).href);
process.exit(await main(process.argv.slice(2)));
