// The playground's frame table (site/src/frame_map.ts, built by
// site/generator/frame_map_plugin.ts): a source map boiled down to which
// tree file and line each stretch of a chunk comes from, and the lookup a
// browser frame (chunk URL, line, column) goes through.
import { afterEach, describe, expect, it } from 'vitest';
import { boil_down } from '../../site/generator/frame_map_plugin';
import { decode_chunk, locate_bundled_frame, set_frame_table, vlq_decode, vlq_encode } from '../../site/src/frame_map';

/** A source map's "mappings" from absolute segments [col, src, line, src col] per generated line (the standard delta encoding). */
function mappings_of(lines: [number, number, number, number][][]): string {
  let src = 0;
  let line = 0;
  let scol = 0;
  return lines
    .map((segs) => {
      let col = 0;
      return segs
        .map(([c, s, l, sc]) => {
          const out = [c - col, s - src, l - line, sc - scol].map(vlq_encode).join('');
          [col, src, line, scol] = [c, s, l, sc];
          return out;
        })
        .join(',');
    })
    .join(';');
}

afterEach(() => set_frame_table(null));

describe('the frame table', () => {
  it('VLQ round-trips every number a map holds, negative ones included', () => {
    const ns = [0, 1, -1, 15, 16, -16, 31, 32, 1000, -1000, 123456];
    expect(vlq_decode(ns.map(vlq_encode).join(''))).toEqual(ns);
  });

  it("keeps each stretch's tree file and line, merges runs of one line, and marks code outside kernel/, exercises/, solutions/", () => {
    // Sources: 0 kernel/locking/mutex.ts (shown), 1 explorer/run.ts (not shown), 2 exercises/03-x/f.ts (shown).
    const mappings = mappings_of([
      [
        [0, 0, 10, 0],
        [5, 0, 10, 4], // the same line: merged into the segment before
        [9, 1, 3, 0], // outside the shown folders
        [20, 2, 23, 2],
        [30, 0, 258, 2],
      ],
      [[0, 0, 234, 4]],
    ]);
    const lines = decode_chunk(boil_down(mappings, [0, null, 1]));
    expect(lines).toEqual([
      { cols: [0, 9, 20, 30], src: [0, -1, 1, 0], line: [10, 10, 23, 258] },
      { cols: [0], src: [0], line: [234] },
    ]);
  });

  it('names the file:line (1-based) of the last stretch at or before a frame\'s column, and nothing outside the table', () => {
    const mappings = mappings_of([[[0, 0, 10, 0], [9, 1, 3, 0], [20, 2, 23, 2], [30, 0, 258, 2]], [[4, 0, 234, 4]]]);
    set_frame_table({ sources: ['kernel/locking/mutex.ts', 'exercises/03-x/f.ts'], chunks: { 'assets/mutex-AbC.js': boil_down(mappings, [0, null, 1]) } });
    const at = (line: number, column: number) => locate_bundled_frame('http://127.0.0.1:4000/assets/mutex-AbC.js', line, column);
    // V8's columns are 1-based, the map's 0-based.
    expect(at(1, 1)).toEqual({ file: 'kernel/locking/mutex.ts', line: 11 });
    expect(at(1, 9)).toEqual({ file: 'kernel/locking/mutex.ts', line: 11 });
    expect(at(1, 10)).toBeNull(); // explorer code: a call trace leaves it out
    expect(at(1, 21)).toEqual({ file: 'exercises/03-x/f.ts', line: 24 });
    expect(at(1, 500)).toEqual({ file: 'kernel/locking/mutex.ts', line: 259 });
    expect(at(2, 4)).toBeNull(); // before the line's first stretch
    expect(at(2, 5)).toEqual({ file: 'kernel/locking/mutex.ts', line: 235 });
    expect(at(3, 1)).toBeNull();
    expect(locate_bundled_frame('http://127.0.0.1:4000/assets/other-XyZ.js', 1, 1)).toBeNull();
    set_frame_table(null);
    expect(at(1, 1)).toBeNull();
  });
});
