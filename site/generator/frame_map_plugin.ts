// The table that lets the playground's call traces name the tree's file:line
// (site/src/frame_map.ts reads it): at build time, each chunk's source map
// (Vite makes them, 'hidden': no chunk points to one) is boiled down to which
// tree file and line each stretch of generated code comes from, only for the
// folders a call trace shows (kernel/, exercises/, solutions/, as
// kernel/lib/dump_stack.ts keeps them); runs of one line merge into one
// segment. It is emitted as assets/frames.json, and the maps themselves (with
// the whole source text) are not shipped.
import { rmSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { Plugin } from 'vite';
import { vlq_decode, vlq_encode, type frame_table } from '../src/frame_map.ts';

/** The folders whose frames a call trace shows (kernel/lib/dump_stack.ts SHOWN). */
const SHOWN = /^(kernel|exercises|solutions)\//;

/** The file name the playground fetches (relative to the page: the pages sit at the site's root). */
export const FRAME_TABLE_FILE = 'assets/frames.json';

/** boil_down - one chunk's source map @mappings over @tree_sources (null: not shown) as a frame table's chunk text. */
export function boil_down(mappings: string, tree_sources: readonly (number | null)[]): string {
  let map_src = 0;
  let map_line = 0;
  let out_src = 0;
  let out_line = 0;
  return mappings
    .split(';')
    .map((l) => {
      let col = 0;
      let out_col = 0;
      let last: string | null = null;
      const segs: string[] = [];
      for (const seg of l ? l.split(',') : []) {
        if (!seg) continue;
        const v = vlq_decode(seg);
        col += v[0] ?? 0;
        let src = -1;
        let line = out_line;
        if (v.length >= 4) {
          map_src += v[1]!;
          map_line += v[2]!;
          const t = tree_sources[map_src];
          if (t !== null && t !== undefined) {
            src = t;
            line = map_line;
          }
        }
        const key = `${src}:${src < 0 ? '' : line}`;
        if (key === last) continue; // the same file and line as the stretch before: one segment
        last = key;
        segs.push(vlq_encode(col - out_col) + vlq_encode(src - out_src) + vlq_encode(line - out_line));
        out_col = col;
        out_src = src;
        out_line = line;
      }
      return segs.join(',');
    })
    .join(';');
}

/** frame_map - the plugin; @repo_root is the tree the paths are relative to. */
export function frame_map(repo_root: string): Plugin {
  const maps_written: string[] = [];
  return {
    name: 'shrinker-lab-frame-map',
    apply: 'build',
    generateBundle(options, bundle) {
      const dir = options.dir ?? '';
      const sources: string[] = [];
      const index = new Map<string, number>();
      const chunks: Record<string, string> = {};
      for (const [name, f] of Object.entries(bundle)) {
        if (f.type === 'asset' && name.endsWith('.js.map')) {
          delete bundle[name]; // the maps carry the whole source: the table replaces them
          continue;
        }
        if (f.type !== 'chunk' || !f.map) continue;
        maps_written.push(join(dir, `${f.fileName}.map`));
        const here = dirname(join(dir, f.fileName));
        const tree = f.map.sources.map((s) => {
          const p = relative(repo_root, isAbsolute(s) ? s : resolve(here, s)).split(sep).join('/');
          if (!SHOWN.test(p)) return null;
          if (!index.has(p)) index.set(p, sources.push(p) - 1);
          return index.get(p)!;
        });
        chunks[f.fileName] = boil_down(f.map.mappings, tree);
      }
      const table: frame_table = { sources, chunks };
      this.emitFile({ type: 'asset', fileName: FRAME_TABLE_FILE, source: JSON.stringify(table) });
    },
    writeBundle() {
      for (const m of maps_written.splice(0)) rmSync(m, { force: true });
    },
  };
}
