// `shrinker-lab reset <id>`: put the starter back. The learner's files are
// first copied to .shrinker-lab/backups/<id>/<timestamp>/ (the command names
// the folder), so no work is ever lost. Asks first on a terminal (--yes
// skips the question). See cli/starters.ts for where the starter comes from.
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { find_exercise } from '../../course/manifest';
import { parse_args, usage_error } from '../args';
import { stamp, type course_ctx } from '../course';
import { confirm } from '../prompt';
import { starter_text } from '../starters';
import { STATE_DIR, update_entry } from '../state';
import { stdin_tty, stdout_tty } from '../term';

export async function cmd_reset(ctx: course_ctx, argv: readonly string[]): Promise<number> {
  const p = parse_args(argv, ['yes'], []);
  if (!p.positional[0]) throw new usage_error('reset needs an exercise id, e.g. `npx shrinker-lab reset 01`');
  const e = find_exercise(ctx.manifest, p.positional[0]);
  const dir = join(ctx.root, 'exercises', e.id);
  const starters = e.files.map((f) => ({ f, text: starter_text(ctx.root, e, f) }));
  const unknown = starters.filter((s) => s.text === null).map((s) => s.f);
  if (unknown.length) {
    console.error(`Cannot find the starter of ${unknown.join(', ')}: there is no copy in ${STATE_DIR}/starters/ and git has no committed version. Nothing was changed.`);
    return 1;
  }
  const changed = starters.filter((s) => !existsSync(join(dir, s.f)) || readFileSync(join(dir, s.f), 'utf8') !== s.text);
  if (changed.length === 0) {
    console.log(`Exercise ${e.id} is already the starter; nothing to reset.`);
    return 0;
  }
  if (stdin_tty && stdout_tty && !p.flags.has('yes')) {
    const ok = await confirm(`Reset ${changed.map((s) => join('exercises', e.id, s.f)).join(', ')} to the starter? Your version is saved first.`);
    if (!ok) {
      console.log('Nothing was changed.');
      return 1;
    }
  }
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
  console.log(`Your version is saved in ${relative(process.cwd(), backup) || backup}/`);
  console.log(`Exercise ${e.id} is back to its starter (${changed.map((s) => s.f).join(', ')}).`);
  return 0;
}
