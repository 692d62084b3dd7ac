// `shrinker-lab reset <id>`: put the starter back. The learner's files are
// first copied to .shrinker-lab/backups/<id>/<timestamp>/ (the command names
// the folder), so no work is ever lost. Asks first on a terminal (--yes
// skips the question). See cli/starters.ts for where the starter comes from.
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { find_exercise, type manifest_exercise } from '../../course/manifest';
import { parse_args, usage_error } from '../args';
import { stamp, type course_ctx } from '../course';
import { confirm } from '../prompt';
import { starter_text } from '../starters';
import { STATE_DIR, update_entry } from '../state';
import { stdin_tty, stdout_tty } from '../term';

/** What reset_exercise did: the files put back and where the learner's versions went, or why nothing changed. */
export type reset_outcome = { kind: 'reset'; changed: string[]; backup: string } | { kind: 'unchanged' } | { kind: 'no_starter'; files: string[] };

/**
 * reset_exercise - copy the learner's changed files of @e to a fresh backup
 * folder, then put the starters back and mark the exercise not started.
 * Asks nothing: callers confirm first.
 */
export function reset_exercise(ctx: course_ctx, e: manifest_exercise): reset_outcome {
  const dir = join(ctx.root, 'exercises', e.id);
  const starters = e.files.map((f) => ({ f, text: starter_text(ctx.root, e, f) }));
  const unknown = starters.filter((s) => s.text === null).map((s) => s.f);
  if (unknown.length) return { kind: 'no_starter', files: unknown };
  const changed = starters.filter((s) => !existsSync(join(dir, s.f)) || readFileSync(join(dir, s.f), 'utf8') !== s.text);
  if (changed.length === 0) return { kind: 'unchanged' };
  const base = join(ctx.root, STATE_DIR, 'backups', e.id, stamp());
  let backup = base;
  for (let n = 2; existsSync(backup); n++) backup = `${base}-${n}`;
  mkdirSync(backup, { recursive: true });
  for (const s of changed) {
    const from = join(dir, s.f);
    if (existsSync(from)) copyFileSync(from, join(backup, s.f));
  }
  for (const s of changed) writeFileSync(join(dir, s.f), s.text!);
  ctx.state = update_entry(ctx.root, e.id, (st) => ({ ...st, status: 'not_started' }));
  return { kind: 'reset', changed: changed.map((s) => s.f), backup };
}

/** The learner's words for what reset_exercise did. */
export function reset_message(e: manifest_exercise, r: reset_outcome): string {
  switch (r.kind) {
    case 'no_starter':
      return `Cannot find the starter of ${r.files.join(', ')}: there is no copy in ${STATE_DIR}/starters/ and git has no committed version. Nothing was changed.`;
    case 'unchanged':
      return `Exercise ${e.id} is already the starter; nothing to reset.`;
    case 'reset':
      return `Your version is saved in ${relative(process.cwd(), r.backup) || r.backup}/\nExercise ${e.id} is back to its starter (${r.changed.join(', ')}).`;
  }
}

export async function cmd_reset(ctx: course_ctx, argv: readonly string[]): Promise<number> {
  const p = parse_args(argv, ['yes'], []);
  if (!p.positional[0]) throw new usage_error('reset needs an exercise id, e.g. `npx shrinker-lab reset 01`');
  const e = find_exercise(ctx.manifest, p.positional[0]);
  const dir = join(ctx.root, 'exercises', e.id);
  const changed = e.files.filter((f) => {
    const text = starter_text(ctx.root, e, f);
    return text !== null && (!existsSync(join(dir, f)) || readFileSync(join(dir, f), 'utf8') !== text);
  });
  if (changed.length && stdin_tty && stdout_tty && !p.flags.has('yes')) {
    const ok = await confirm(`Reset ${changed.map((f) => join('exercises', e.id, f)).join(', ')} to the starter? Your version is saved first.`);
    if (!ok) {
      console.log('Nothing was changed.');
      return 1;
    }
  }
  const r = reset_exercise(ctx, e);
  if (r.kind === 'no_starter') console.error(reset_message(e, r));
  else console.log(reset_message(e, r));
  return r.kind === 'no_starter' ? 1 : 0;
}
