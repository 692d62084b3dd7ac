// Helpers shared by the commands.
import { find_exercise, type manifest_exercise } from '../../course/manifest';
import { usage_error } from '../args';
import type { course_ctx } from '../course';
import { first_not_done } from '../state';

/** pick_exercise - the exercise named by @query, or the current one (the first not done) without a query. */
export function pick_exercise(ctx: course_ctx, query: string | undefined): manifest_exercise {
  if (query !== undefined) return find_exercise(ctx.manifest, query);
  const id = first_not_done(ctx.manifest, ctx.state);
  if (!id) throw new usage_error('every exercise is done. Name one, e.g. `01`.');
  return find_exercise(ctx.manifest, id);
}

/** short_id - "01" for "01-count-must-not-hide-memory". */
export function short_id(id: string): string {
  return id.slice(0, 2);
}
