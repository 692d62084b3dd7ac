// `shrinker-lab hint [id]`: the next hint, gentle first; how many were
// shown is remembered in the state file. After the last one, all of them.
import { parse_args } from '../args';
import type { course_ctx } from '../course';
import { entry, update_entry } from '../state';
import { bold, dim } from '../term';
import { pick_exercise } from './common';

/** next_hint - show the next hint of @id and remember it; returns the text to print. */
export function next_hint(ctx: course_ctx, id: string, hints: readonly string[]): string {
  const shown = entry(ctx.state, id).hints;
  if (shown >= hints.length) {
    return [...hints.map((h, i) => `${bold(`Hint ${i + 1} of ${hints.length}`)}: ${h}`), dim('(that was every hint; the lesson has the rest of the story)')].join('\n\n');
  }
  ctx.state = update_entry(ctx.root, id, (s) => ({ ...s, hints: Math.max(s.hints, shown + 1) }));
  const more = shown + 1 < hints.length ? dim(' (ask again for a more specific one)') : dim(' (the last, most specific hint)');
  return `${bold(`Hint ${shown + 1} of ${hints.length}`)}: ${hints[shown]}${more}`;
}

export function cmd_hint(ctx: course_ctx, argv: readonly string[]): number {
  const p = parse_args(argv, [], []);
  const e = pick_exercise(ctx, p.positional[0]);
  console.log(`Exercise ${e.id}\n`);
  console.log(next_hint(ctx, e.id, e.hints));
  return 0;
}
