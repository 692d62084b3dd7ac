// The realm runs JavaScript the loader emitted from each .ts file; a call
// trace names lines of that JavaScript. course/transpile.ts puts each emitted
// line back on its TypeScript line, so the trace's file:line is the line the
// learner sees in their editor.
import { describe, expect, it } from 'vitest';
import { transpile_source } from '../../course/transpile';

const SOURCE = [
  "import type { i915_private } from './i915_drv';", // 1: gone in JS
  'interface batch {', // 2-5: gone
  '  pages: number;',
  '  pinned: boolean;',
  '}',
  '',
  'export async function relocate(', // 7: the signature spans 7-10
  '  i915: i915_private,',
  '  b: batch,',
  '): Promise<number> {',
  '  type local = number;', // 11: gone
  '  const n: local = b.pages;', // 12
  '  if (b.pinned)',
  '    return n;', // 14
  '  return await Promise.resolve(0);', // 15
  '}',
  'export const answer = relocate as unknown as number;', // 17
  '',
].join('\n');

describe('transpile_source keeps every statement on its own line number', () => {
  it('pads the lines the emitter drops (types, interfaces, joined signatures) back in', () => {
    const { js, errors } = transpile_source('/tmp/relocate.ts', SOURCE);
    expect(errors).toEqual([]);
    const ts_lines = SOURCE.split('\n');
    const js_lines = js.split('\n');
    // Every line that survives into the JavaScript sits where its TypeScript was.
    for (const text of ['const n = b.pages;', 'return n;', 'return await Promise.resolve(0);', 'export const answer = relocate;']) {
      const at_js = js_lines.findIndex((l) => l.trim() === text);
      const at_ts = ts_lines.findIndex((l) => l.replace(/: local/, '').replace(/ as unknown as number/, '').trim() === text);
      expect([text, at_js]).toEqual([text, at_ts]);
    }
    expect(js_lines.findIndex((l) => l.startsWith('export async function relocate('))).toBe(6);
    expect(js).not.toContain('sourceMappingURL');
  });
});
