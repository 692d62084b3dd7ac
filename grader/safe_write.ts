// Writing result files where someone else may have put things first. The
// output folder can be, or hold, a student's own folder (`--out` the
// submission itself; class mode with `--out` the class folder), and there a
// symbolic link named like a result file (summary.txt -> ~/.bashrc,
// exercism/ -> a directory) made the grader overwrite whatever it led to
// (red team 9 #09). The folder the instructor names is taken as it is; below
// it no link is followed: a link where a result goes is removed (the link,
// never what it leads to) and a real file or folder is made in its place.
import { closeSync, constants, lstatSync, mkdirSync, openSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** ensure_dir - @root/@rel as real folders: every missing part made, every link replaced by a folder. */
function ensure_dir(root: string, parts: readonly string[]): string {
  let p = root;
  for (const part of parts) {
    p = join(p, part);
    const st = lstatSync(p, { throwIfNoEntry: false });
    if (st?.isSymbolicLink()) unlinkSync(p);
    else if (st && !st.isDirectory()) rmSync(p, { force: true });
    else if (st) continue;
    mkdirSync(p);
  }
  return p;
}

/**
 * write_result_file - write @text to @root/@rel ('/'-separated, no '..'):
 * @root is made if missing; nothing below it is followed through a link.
 */
export function write_result_file(root: string, rel: string, text: string): void {
  const parts = rel.split('/');
  if (parts.some((x) => x === '' || x === '.' || x === '..')) throw new Error(`not a result file name: ${rel}`);
  mkdirSync(root, { recursive: true });
  const dir = ensure_dir(root, parts.slice(0, -1));
  const file = join(dir, parts[parts.length - 1]!);
  const st = lstatSync(file, { throwIfNoEntry: false });
  if (st?.isSymbolicLink()) unlinkSync(file);
  else if (st?.isDirectory()) rmSync(file, { recursive: true, force: true });
  // O_NOFOLLOW: should a link appear here after all, the open fails rather than follow it.
  const fd = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, 0o644);
  try {
    const bytes = Buffer.from(text);
    for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off);
  } finally {
    closeSync(fd);
  }
}
