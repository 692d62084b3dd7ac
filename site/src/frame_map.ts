// Where a frame of the bundled, minified model is in the tree. The browser's
// stack names a place in assets/<chunk>.js (one long line per chunk): the
// build (site/generator/frame_map_plugin.ts) reads Vite's source maps and
// keeps, per chunk, only which tree file and line each stretch of generated
// code comes from, as one table (assets/frames.json, no source text, no
// names); the page loads it once and the model's call traces then name
// kernel/…/file.ts:line as they do in node (kernel/lib/dump_stack.ts,
// model_set_frame_locator). Function names stay in the bundle (the build
// keeps them unmangled), so a frame's name is read from the stack itself.
//
// Encoding: each chunk's table reads like a source map's "mappings" (lines
// split by ';', segments by ','), with three base64 VLQ fields per segment:
// the generated column, the source index (-1: code outside kernel/,
// exercises/ and solutions/, which a call trace leaves out) and the source
// line, each a delta from the segment before (columns restart on each line).

/** The table the build emits: the tree files, and each chunk's segments. */
export interface frame_table {
  sources: string[];
  chunks: Record<string, string>;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** vlq_encode - @n as source-map base64 VLQ (sign in the lowest bit, 5 bits a digit). */
export function vlq_encode(n: number): string {
  let v = n < 0 ? (-n << 1) | 1 : n << 1;
  let out = '';
  do {
    let digit = v & 31;
    v >>>= 5;
    if (v) digit |= 32;
    out += B64[digit];
  } while (v);
  return out;
}

/** vlq_decode - every number of one VLQ segment (a source map's or this table's). */
export function vlq_decode(s: string): number[] {
  const out: number[] = [];
  let v = 0;
  let shift = 0;
  for (const c of s) {
    const digit = B64.indexOf(c);
    v += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
      continue;
    }
    out.push(v & 1 ? -(v >>> 1) : v >>> 1);
    v = 0;
    shift = 0;
  }
  return out;
}

/** One generated line: segment start columns, and the tree source and line (0-based) of each. */
interface decoded_line {
  cols: number[];
  src: number[];
  line: number[];
}

/** decode_chunk - a chunk's table as lines of segments (absolute values). */
export function decode_chunk(text: string): decoded_line[] {
  let src = 0;
  let line = 0;
  return text.split(';').map((l) => {
    const d: decoded_line = { cols: [], src: [], line: [] };
    let col = 0;
    for (const seg of l ? l.split(',') : []) {
      const [dc = 0, ds = 0, dl = 0] = vlq_decode(seg);
      col += dc;
      src += ds;
      line += dl;
      d.cols.push(col);
      d.src.push(src);
      d.line.push(line);
    }
    return d;
  });
}

/** The table as loaded in the page, each chunk decoded on first use. */
let table: frame_table | null = null;
const decoded = new Map<string, decoded_line[]>();

/** set_frame_table - the table the page loaded (null: none, as under the dev server, where frames name the tree already). */
export function set_frame_table(t: frame_table | null): void {
  table = t;
  decoded.clear();
}

/**
 * locate_bundled_frame - the tree file and line (1-based) of @location
 * (a URL of a chunk under assets/) at @line:@column (1-based, as V8 prints
 * them), or null: no table, another file, or code outside the tree's shown folders.
 */
export function locate_bundled_frame(location: string, line: number, column: number): { file: string; line: number } | null {
  if (!table) return null;
  const m = /\/(assets\/[^/?#]+\.js)(?:[?#].*)?$/.exec(location); // the chunk's name in the build (its fileName)
  const chunk = m ? table.chunks[m[1]!] : undefined;
  if (chunk === undefined) return null;
  let lines = decoded.get(m![1]!);
  if (!lines) decoded.set(m![1]!, (lines = decode_chunk(chunk)));
  const l = lines[line - 1];
  if (!l || l.cols.length === 0) return null;
  // The last segment that starts at or before the column (source-map columns are 0-based).
  let lo = 0;
  let hi = l.cols.length - 1;
  if (l.cols[0]! > column - 1) return null;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (l.cols[mid]! <= column - 1) lo = mid;
    else hi = mid - 1;
  }
  const file = table.sources[l.src[lo]!];
  return file === undefined ? null : { file, line: l.line[lo]! + 1 };
}
