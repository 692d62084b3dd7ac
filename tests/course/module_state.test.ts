// The rule on state kept between calls (course/module_state.ts): every
// accepted answer of the course is clean, and each way of keeping state in a
// file is refused with its line.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { COURSE_ROOT, read_manifest, solution_dir, starter_dir } from '../../course/files';
import { module_state_violations, state_problems } from '../../course/module_state';

const lines_of = (src: string): number[] => {
  const sf = ts.createSourceFile('x.ts', src, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  return module_state_violations(sf).map((v) => sf.getLineAndCharacterOfPosition(v.node.getStart(sf)).line + 1);
};

describe('state kept between calls', () => {
  it('finds none in any starter, reference or accepted alternative', () => {
    const files: string[] = [];
    for (const e of read_manifest().exercises) {
      const alts = join(solution_dir(e), 'alternatives');
      const dirs = [starter_dir(e), solution_dir(e), ...(safe_list(alts).map((n) => join(alts, n)))];
      for (const d of dirs) for (const f of e.files) files.push(join(d, f));
    }
    expect(files.length).toBeGreaterThan(26);
    expect(state_problems(COURSE_ROOT, files)).toEqual([]);
  });

  it('refuses each place a file could keep state, by line', () => {
    const src = [
      'let calls = 0;', // 1: let
      'var last = 0;', // 2: var
      'const seen: number[] = [];', // 3: a container kept to itself
      'export const policy = { lock: "trylock" };', // 4: exported for the checks: allowed
      'const LIMIT = 16;', // 5: a constant: allowed
      'class Guard { static busy = false; static readonly NAME = "g"; }', // 6: a mutable static field
      'export function count(n: number): number {',
      '  count.calls = (count.calls ?? 0) + 1;', // 8: the function's own property
      '  policy.lock = "plain";', // 9: writing the exported object
      '  seen[0] = n;', // 10: into the kept array
      '  delete (policy as { lock?: string }).lock;', // 11
      '  Guard.busy = true;', // 12
      '  return LIMIT;',
      '}',
      'export function shadow(policy: { lock: string }): void {',
      '  policy.lock = "x";', // 16: a parameter of the same name: not the file's
      '  const seen = [1];',
      '  seen[0] = 2;', // 18: a local of the same name
      '}',
    ].join('\n');
    expect(lines_of(src)).toEqual([1, 2, 3, 6, 8, 9, 10, 11, 12]);
  });

  it('reads an exported object of plain values through a cast as a read, and a cast handed on as handed on', () => {
    const src = [
      'export const policy = { lock: "trylock", limit: 4 };',
      'function keep(into: { limit: number }): number { return into.limit; }',
      'export function count(): number {',
      '  const a = (policy as { limit: number }).limit + policy!.limit + (policy satisfies object).limit;', // 4: reads
      '  return a + keep(policy as { limit: number });', // 5: the object itself handed on
      '}',
    ].join('\n');
    expect(lines_of(src)).toEqual([5]);
  });

  it('refuses state built by running code, in containers, static blocks and writes in disguise', () => {
    const src = [
      'import { GFP_KERNEL } from "./gfp";',
      'const cache = new Map<object, number>();', // 2: new
      'const box = Array.of(0);', // 3: a call
      'const next = (() => { let n = 0; return () => ++n; })();', // 4: an IIFE's closure
      'export const seen: number[] = [];', // 5: an exported array
      'export const policy = { lock: "trylock", limit: 4, on: true };', // 6: plain values: allowed
      'export const ops = { count: () => 0 };', // 7: an exported object holding a function
      'const GFP = GFP_KERNEL | 0x10, NAME = `k${GFP}`, F = (x: number) => x + 1;', // 8: constants and a function: allowed
      'class K { static readonly cache: number[] = []; static readonly N = 3; static { } }', // 9: a container field and a static block
      'function helper(): number { return 1; }',
      'export function count(x: object): number {',
      '  Reflect.set(helper, "n", 1);', // 12
      '  Object.assign(helper, { k: 2 });', // 13
      '  Object.defineProperty(K, "busy", { value: true });', // 14
      '  const local = new Map<object, number>();', // 15: a local: fresh on every call
      '  Object.assign(local, {});', // 16: a local: not the file's
      '  __lookupGetter__.call(x, "k"); constructor.name; toString.call(x);', // 17: names an object literal would find on its prototype
      '  return cache.size + box.length + next() + seen.length + F(helper()) + local.size + NAME.length + (x ? 0 : 1);',
      '}',
    ].join('\n');
    expect(lines_of(src)).toEqual([2, 3, 4, 5, 7, 9, 9, 12, 13, 14]);
    // A global or sticky regular expression keeps lastIndex between calls ("every other call"); a plain one does not.
    expect(lines_of('const every_other = /x/g;\nconst sticky = /x/iy;\nconst plain = /x/i;\nexport function f(): boolean { return every_other.test("x") || sticky.test("x") || plain.test("x"); }')).toEqual([1, 2]);
  });

  it('says why and what to do instead', () => {
    const sf = ts.createSourceFile('x.ts', 'let n = 0;\nexport function f(): number { return n++; }\n', ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
    const [v] = module_state_violations(sf);
    expect(v!.why).toMatch(/top-level `let`.*every device and task.*keep state in the objects the kernel passes you/);
  });
});

function safe_list(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
