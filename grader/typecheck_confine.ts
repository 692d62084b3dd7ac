// The type check's file system, confined (grader/typecheck_child.ts says why):
// the compiler sees the submission's files, the kernel model, tsconfig.json
// and its own lib files; every other path answers as a missing file does.
import { dirname, resolve, sep } from 'node:path';
import type ts from 'typescript';

/**
 * confine_compiler - make @sys (the compiler's ts.sys) see only @files,
 * everything under @dirs, and the folders on the way to them; every other
 * path does not exist. Returns the rule, for the tests.
 */
export function confine_compiler(sys: ts.System, files: readonly string[], dirs: readonly string[]): (path: string) => boolean {
  const file_set = new Set(files.map((f) => resolve(f)));
  const roots = dirs.map((d) => resolve(d));
  const ancestors = new Set<string>();
  for (const p of [...file_set, ...roots]) for (let d = dirname(p); !ancestors.has(d); d = dirname(d)) ancestors.add(d);
  const real_path = sys.realpath ? sys.realpath.bind(sys) : (p: string) => p;
  const under = (p: string) => roots.some((d) => p === d || p.startsWith(d + sep));
  const readable = (path: string) => {
    const p = resolve(path);
    // A path with a link in it could lead anywhere: the real path must be allowed too.
    let real = p;
    try {
      real = real_path(p);
    } catch {
      /* missing: judged by its name, and then not found */
    }
    return (file_set.has(p) || under(p)) && (file_set.has(real) || under(real));
  };
  const is_dir = (path: string) => under(resolve(path)) || ancestors.has(resolve(path));
  const read = sys.readFile.bind(sys);
  const exists = sys.fileExists.bind(sys);
  const dir_exists = sys.directoryExists.bind(sys);
  const list_dirs = sys.getDirectories.bind(sys);
  const read_dir = sys.readDirectory.bind(sys);
  sys.readFile = (p, enc) => (readable(p) ? read(p, enc) : undefined);
  sys.fileExists = (p) => readable(p) && exists(p);
  sys.directoryExists = (p) => is_dir(p) && dir_exists(p);
  sys.getDirectories = (p) => (is_dir(p) ? list_dirs(p).filter((d) => is_dir(resolve(p, d))) : []);
  sys.readDirectory = (p, ext, ex, inc, depth) => (is_dir(p) ? read_dir(p, ext, ex, inc, depth).filter(readable) : []);
  // realpath of a forbidden path answers the path itself, as for a missing one.
  sys.realpath = (p) => (readable(p) || is_dir(p) ? real_path(p) : p);
  for (const k of ['getFileSize', 'getModifiedTime', 'getAccessibleFileSystemEntries'] as const) {
    // Not used by a type check; refused rather than left as a way around the rule.
    if (k in sys) (sys as unknown as Record<string, unknown>)[k] = undefined;
  }
  return readable;
}

