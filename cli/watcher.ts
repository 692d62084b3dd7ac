// Noticing saves. fs.watch is fast but unreliable on some file systems
// (WSL2 on a Windows drive, network mounts, some containers: it may throw,
// or worse, stay silent), so 'auto' mode also polls the files' size and
// mtime once a second as a safety net. 'poll' polls only; 'manual' never
// watches (the learner presses r). Editors save in several steps (write a
// temporary file, rename it over), so events are debounced, and the caller
// compares file contents anyway: a spurious event costs nothing.
import { existsSync, statSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';

export type watch_mode = 'auto' | 'poll' | 'manual';

export interface file_watch {
  /** What is really used ('auto' falls back to 'poll' when fs.watch fails). */
  mode: watch_mode;
  close(): void;
}

function signature(path: string): string {
  try {
    const s = statSync(path);
    return `${s.size}:${s.mtimeMs}`;
  } catch {
    return 'missing';
  }
}

/** watch_files - call @on_change (debounced) when one of @paths may have changed. */
export function watch_files(paths: readonly string[], on_change: () => void, mode: watch_mode = 'auto', poll_ms?: number): file_watch {
  let timer: NodeJS.Timeout | null = null;
  const fire = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      on_change();
    }, 40);
  };
  const watchers: FSWatcher[] = [];
  let used: watch_mode = mode;
  if (mode === 'auto') {
    // Watch the folders, not the files: an editor that renames a new file
    // over the old one would leave a file watcher on a deleted inode.
    const names = new Set(paths.map((p) => basename(p)));
    try {
      for (const dir of new Set(paths.map((p) => dirname(p)))) {
        if (!existsSync(dir)) continue;
        const w = watch(dir, (_event, name) => {
          if (!name || names.has(String(name))) fire();
        });
        w.on('error', () => {
          used = 'poll';
        });
        watchers.push(w);
      }
    } catch {
      for (const w of watchers.splice(0)) w.close();
      used = 'poll';
    }
  }
  let poller: NodeJS.Timeout | null = null;
  if (mode !== 'manual') {
    const seen = new Map(paths.map((p) => [p, signature(p)]));
    poller = setInterval(() => {
      for (const p of paths) {
        const s = signature(p);
        if (seen.get(p) !== s) {
          seen.set(p, s);
          fire();
        }
      }
    }, poll_ms ?? (used === 'poll' ? 500 : 1000));
    poller.unref();
  }
  return {
    get mode() {
      return used;
    },
    close() {
      for (const w of watchers) w.close();
      if (poller) clearInterval(poller);
      if (timer) clearTimeout(timer);
    },
  };
}
