// `shrinker-lab solution <id>`: the reference solution and a diff from the
// learner's file to it, once the exercise has passed (before that, reading
// it would spoil the exercise; the hints are there instead). Also names the
// other accepted solutions, if the exercise has any.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { list_variants, solution_dir } from '../../course/files';
import { parse_args, usage_error } from '../args';
import type { course_ctx } from '../course';
import { unified_diff } from '../diff';
import { status_word } from '../report';
import { entry } from '../state';
import { bold, cyan, dim, green, red } from '../term';
import { pick_exercise, short_id } from './common';

function colour_diff(d: string): string {
  return d
    .split('\n')
    .map((l) => (l.startsWith('+') && !l.startsWith('+++') ? green(l) : l.startsWith('-') && !l.startsWith('---') ? red(l) : l.startsWith('@@') ? cyan(l) : l))
    .join('\n');
}

/** solution_text - the solution of @id with diffs, or why it is not shown. */
export function solution_text(ctx: course_ctx, id: string): { ok: boolean; text: string } {
  const e = pick_exercise(ctx, id);
  const s = entry(ctx.state, e.id);
  if (!s.passed) {
    return {
      ok: false,
      text: `The solution of ${e.id} unlocks once your exercise passes (it is ${status_word(s.status)} now). ` + `Stuck? npx shrinker-lab hint ${short_id(e.id)}`,
    };
  }
  const sol = solution_dir(e, ctx.root);
  if (!existsSync(sol)) return { ok: false, text: `This copy of the course has no reference solutions (no ${join('solutions', e.id)}).` };
  const out: string[] = [];
  for (const f of e.files) {
    const ref_path = join(sol, f);
    const mine_path = join(ctx.root, 'exercises', e.id, f);
    if (!existsSync(ref_path)) continue;
    const ref = readFileSync(ref_path, 'utf8');
    out.push(bold(`Reference solution: ${join('solutions', e.id, f)}`), '', ref.trimEnd(), '');
    const mine = existsSync(mine_path) ? readFileSync(mine_path, 'utf8') : '';
    const d = unified_diff(mine, ref, `yours: exercises/${e.id}/${f}`, `reference: solutions/${e.id}/${f}`);
    out.push(bold('From your file to the reference:'), '', d ? colour_diff(d) : dim('(identical)'), '');
  }
  const alts = list_variants(e, 'alternatives', ctx.root);
  if (alts.length) out.push(`Other accepted solutions: ${alts.map((a) => join('solutions', e.id, 'alternatives', a)).join(', ')}`);
  return { ok: true, text: out.join('\n').trimEnd() };
}

export function cmd_solution(ctx: course_ctx, argv: readonly string[]): number {
  const p = parse_args(argv, [], []);
  if (!p.positional[0]) throw new usage_error('solution needs an exercise id, e.g. `npx shrinker-lab solution 01`');
  const r = solution_text(ctx, p.positional[0]);
  console.log(r.text);
  return r.ok ? 0 : 1;
}
