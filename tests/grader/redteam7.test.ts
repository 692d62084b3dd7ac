// Grader red team, round 7 (/work/coord/grader-redteam7.md; attacks in /work/gr7-attacks/): one test
// per route closed this round, each failing without its fix.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { check_policy } from '../../grader/policy';
import { make_temp } from '../../grader/tree';

/** The policy's messages for @body written as a graded file. */
function policy_of(body: string): { where: string; message: string }[] {
  const root = make_temp('shrinker-pol7-');
  const target = join(root, 'exercises/01-x/f.ts');
  mkdirSync(join(root, 'exercises/01-x'), { recursive: true });
  writeFileSync(target, body);
  return check_policy(root, target, 'f.ts');
}

describe('round 7, 04: a pragma that switches the type check off', () => {
  const COUNT = "import type { drm_i915_private } from '../../kernel/drivers/gpu/drm/i915/i915_drv';\n";
  it('refuses // @ts-nocheck, @ts-ignore and @ts-expect-error, each with its line', () => {
    const v = policy_of(
      `// @ts-nocheck\n${COUNT}export function f(i915: drm_i915_private): number {\n  // @ts-ignore: the model's record\n  return i915.objects.length;\n}\n` +
        'export function g(): number {\n  /* @ts-expect-error */\n  return "1";\n}\n',
    );
    const pragmas = v.filter((x) => /switches the type check off/.test(x.message)).map((x) => `${x.where} ${/@[\w-]+/.exec(x.message)![0]}`);
    expect(pragmas).toEqual(['f.ts:1 @ts-nocheck', 'f.ts:4 @ts-ignore', 'f.ts:8 @ts-expect-error']);
  });

  it('does not mistake a string, or a comment that only names the pragma, for one', () => {
    const v = policy_of(`${COUNT}// the type check may not be switched off (ts-nocheck)\nexport function f(): string {\n  return '// @ts-nocheck';\n}\n`);
    expect(v.filter((x) => /switches the type check off/.test(x.message))).toEqual([]);
  });
});

describe('round 7, 07: the host\'s wall clock and random numbers', () => {
  it('refuses Date and Math.random (also by string key), and not a property merely named like them', () => {
    const v = policy_of(
      "export function f(): number {\n  const t = Date.now();\n  return t % 2 ? Math.random() : Math['random']();\n}\n" +
        'export function g(o: { random_pages: number }): number {\n  return o.random_pages;\n}\n',
    );
    const got = v.filter((x) => /would make the grade depend on the machine/.test(x.message) || /uses 'random'/.test(x.message)).map((x) => `${x.where} ${/'([\w.]+)'/.exec(x.message)![1]}`);
    expect(got).toEqual(['f.ts:2 Date', 'f.ts:3 Math.random', 'f.ts:3 random']);
  });
});
