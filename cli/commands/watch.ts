// `shrinker-lab watch [id]` (what `npm start` runs): the learner's loop.
//
// Shows the current exercise (the first not done, or the one named), its
// lesson, each check with PASS/FAIL and the first failure in full, and
// re-checks on every save through a warm worker process (course/warm.ts),
// so a verdict does not pay process start-up. Keys on a terminal:
//   h next hint   l list   r re-run   n next exercise (only after success)
//   s solution (once passed)   q quit
// Without a terminal (CI, pipes) it prints plain text and never waits for
// keys: with --once it checks once and exits (0 only on success); without,
// it keeps watching and prints every re-check.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { starter_dir } from '../../course/files';
import { find_exercise, type manifest_exercise } from '../../course/manifest';
import type { exercise_run } from '../../course/outcome';
import { warm_worker } from '../../course/warm';
import { number_flag, parse_args } from '../args';
import { DEFAULT_TIMEOUT_S, record } from '../checking';
import { exercise_files, type course_ctx } from '../course';
import { exercise_header, render_run, rows_of, status_word, verdict_notes } from '../report';
import { SITE_HOST, SITE_PORT, start_study_site, type site_handle } from '../site';
import { done_count, entry, first_not_done } from '../state';
import { bold, clear_screen, dim, green, progress_bar, stdin_tty, stdout_tty, term_rows } from '../term';
import { watch_files, type file_watch, type watch_mode } from '../watcher';
import { short_id } from './common';
import { next_hint } from './hint';
import { reset_exercise, reset_message } from './reset';
import { list_text } from './list';
import { solution_text } from './solution';

function files_hash(paths: readonly string[]): string {
  const h = createHash('sha1');
  for (const p of paths) h.update(existsSync(p) ? readFileSync(p) : 'missing\0').update('\0');
  return h.digest('hex');
}

function clock(): string {
  return new Date().toTimeString().slice(0, 8);
}

export async function cmd_watch(ctx: course_ctx, argv: readonly string[]): Promise<number> {
  const p = parse_args(argv, ['once', 'no-site', 'poll', 'manual'], ['timeout', 'port', 'edit-cmd']);
  const edit_cmd = p.flags.get('edit-cmd');
  const interactive = stdin_tty && stdout_tty && !p.flags.has('once');
  const mode: watch_mode = p.flags.has('manual') ? 'manual' : p.flags.has('poll') ? 'poll' : 'auto';
  const timeout_s = number_flag(p, 'timeout', DEFAULT_TIMEOUT_S);
  const total = ctx.manifest.exercises.length;

  const start_id = p.positional[0] ? find_exercise(ctx.manifest, p.positional[0]).id : first_not_done(ctx.manifest, ctx.state);
  if (!start_id) {
    console.log(list_text(ctx));
    console.log('', green(`All ${total} exercises are done. Well done!`), 'Revisit one with: npx shrinker-lab watch <id>');
    return 0;
  }

  let site: site_handle = { running: false, reason: 'turned off with --no-site' };
  if (!p.flags.has('no-site') && !p.flags.has('once')) {
    site = await start_study_site({ root: ctx.root, host: SITE_HOST, port: Math.floor(number_flag(p, 'port', SITE_PORT)) });
  }
  const site_line = site.running ? `Study site: ${site.url}` : p.flags.has('no-site') || p.flags.has('once') ? '' : dim(`Study site: ${site.reason}.`);
  // First run: nothing checked yet, so point at lesson 00 before exercise 01.
  const welcome = ctx.manifest.exercises.every((x) => entry(ctx.state, x.id).status === 'not_started');
  let list_jump = '';
  let panel_is_list = false;
  let pending_reset = false;

  const worker = new warm_worker({ root: ctx.root, timeout_ms: timeout_s * 1000 });
  worker.start();

  let current: manifest_exercise = find_exercise(ctx.manifest, start_id);
  let watcher: file_watch | null = null;
  let last: { run: exercise_run; output: string } | null = null;
  let last_hash = '';
  let running = false;
  let again = false;
  let panel = '';
  let finished = false;
  let resolve_done: (code: number) => void = () => {};
  const done = new Promise<number>((r) => (resolve_done = r));

  const keys_line = () => {
    const passed = last?.run.status === 'passed';
    // One row of 80 columns (75 wide): on two rows it would push the verdict off an 80x24 screen.
    const parts = ['h hint', 'l list', 'r rerun', 'f full', 'c all', 'x reset', passed ? bold('n next') : dim('n next'), entry(ctx.state, current.id).passed ? 's solution' : dim('s solution'), 'q quit'];
    const how = watcher?.mode === 'manual' ? ' (not watching files: press r after saving)' : watcher?.mode === 'poll' ? ' (watching by polling)' : '';
    return parts.join('  ') + dim(how);
  };

  // The first screen fits the terminal (80x24 at least): the verdict gets the rows the rest leaves (cli/report.ts gives way inside it).
  const screen = (checking: boolean): string => {
    const top = [
      `${bold('Shrinker Lab')}  ${progress_bar(done_count(ctx.manifest, ctx.state), total, 16)}`,
      ...(site_line ? [site_line] : []),
      '',
      exercise_header(ctx.root, current, { welcome: welcome && !last }),
      '',
    ];
    const bottom: string[] = [];
    if (last?.run.status === 'passed') {
      bottom.push('', green(`Exercise ${short_id(current.id)} is done.`) + (interactive ? ' Press n for the next exercise, s to compare with the reference solution.' : ' Next: npx shrinker-lab watch (in a terminal) and press n.'));
    }
    if (last && checking) bottom.push('', dim('Checking again...'));
    if (panel) bottom.push('', panel);
    if (interactive) bottom.push('', keys_line());
    let middle = checking && !last ? 'Checking...' : '';
    if (last) {
      const rows = term_rows() - rows_of([...top, ...bottom].join('\n'));
      middle = render_run(current, last.run, { output: last.output, full_hint: 'press f', ...verdict_notes(ctx.root, current, last.run), root: ctx.root, max_rows: rows });
    }
    return [...top, ...(middle ? [middle] : []), ...bottom].join('\n');
  };

  const full_report = (): string => {
    if (!last) return 'Nothing checked yet.';
    return render_run(current, last.run, { all: true, full: true, output: last.output, ...verdict_notes(ctx.root, current, last.run) });
  };

  // --edit-cmd "code -g": open the exercise's files in the learner's editor when it becomes current.
  const open_in_editor = (e: manifest_exercise) => {
    if (typeof edit_cmd !== 'string' || !edit_cmd.trim()) return;
    const [cmd, ...args] = edit_cmd.trim().split(/\s+/);
    const child = spawn(cmd!, [...args, ...exercise_files(ctx.root, e)], { stdio: 'ignore', detached: true });
    child.on('error', (err) => {
      panel = `--edit-cmd: could not run "${edit_cmd}": ${err.message}`;
      show(running);
    });
    child.unref();
  };

  const show = (checking = false) => {
    if (finished) return;
    if (interactive) process.stdout.write(clear_screen() + screen(checking) + '\n');
  };

  const check = async (force: boolean): Promise<void> => {
    const paths = exercise_files(ctx.root, current);
    const hash = files_hash(paths);
    if (!force && hash === last_hash) return;
    if (running) {
      again = true;
      return;
    }
    running = true;
    last_hash = hash;
    const e = current;
    show(true);
    const missing = paths.filter((f) => !existsSync(f));
    const r = missing.length
      ? {
          run: { exercise: e.id, status: 'crashed' as const, results: [], diagnostics: [], ms: 0, message: `${missing.map((f) => relative(process.cwd(), f)).join(', ')} is missing. Restore the starter with: npx shrinker-lab reset ${short_id(e.id)}` },
          output: '',
        }
      : await worker.check(e.id, starter_dir(e, ctx.root));
    running = false;
    if (finished) return;
    ctx.state = record(ctx.root, r.run);
    if (e !== current) {
      // The learner moved on while this ran: check the new exercise now.
      again = false;
      return check(true);
    }
    last = r;
    if (interactive) show();
    else {
      // One write per verdict, so a reader of the pipe never sees half of one.
      process.stdout.write(`--- ${clock()} ${e.id}: ${r.run.status} ---\n${render_run(e, r.run, { output: r.output, full_hint: `npx shrinker-lab run ${short_id(e.id)} --full`, ...verdict_notes(ctx.root, e, r.run), root: ctx.root })}\n\n`);
    }
    if (p.flags.has('once')) {
      resolve_done(r.run.status === 'passed' ? 0 : 1);
      return;
    }
    if (again) {
      again = false;
      await check(false);
    }
  };

  const open = (e: manifest_exercise) => {
    watcher?.close();
    current = e;
    last = null;
    last_hash = '';
    panel = '';
    again = false;
    if (!p.flags.has('once')) watcher = watch_files(exercise_files(ctx.root, e), () => void check(false), mode);
    open_in_editor(e);
    if (!interactive) {
      console.log(`${progress_bar(done_count(ctx.manifest, ctx.state), total)}`);
      if (site_line) console.log(site_line);
      console.log(exercise_header(ctx.root, e));
      console.log('');
    }
    void check(true);
  };

  const next_exercise = (): manifest_exercise | null => {
    const list = ctx.manifest.exercises;
    const at = list.findIndex((x) => x.id === current.id);
    for (let k = 1; k <= list.length; k++) {
      const cand = list[(at + k) % list.length]!;
      if (entry(ctx.state, cand.id).status !== 'passed') return cand;
    }
    return null;
  };

  const quit = (code: number) => {
    if (finished) return;
    finished = true;
    watcher?.close();
    worker.close();
    if (site.running) void site.stop();
    if (interactive) {
      process.stdin.setRawMode(false);
      process.stdin.pause();
    }
    resolve_done(code);
  };

  // c: check every exercise with the warm worker, one after another (Rustlings' check-all).
  const check_all = async (): Promise<void> => {
    if (running) {
      panel = 'A check is running: press c again when it has finished.';
      return show(true);
    }
    running = true;
    const list = ctx.manifest.exercises;
    const rows: string[] = [];
    for (const [i, e] of list.entries()) {
      panel = [`Checking every exercise (${i}/${list.length})...`, ...rows].join('\n');
      show(true);
      const r = await worker.check(e.id, starter_dir(e, ctx.root));
      if (finished) return;
      ctx.state = record(ctx.root, r.run);
      if (e === current) last = r;
      rows.push(`  ${short_id(e.id)}  ${status_word(r.run.status)}`);
    }
    running = false;
    panel = `${list_text(ctx, undefined, current.id)}\nEvery exercise checked: ${done_count(ctx.manifest, ctx.state)} of ${list.length} done.`;
    show();
    if (again) {
      again = false;
      await check(false);
    }
  };

  const on_key = (key: string) => {
    if (key === 'q' || key === '\x03' || key === '\x04') return quit(0);
    // x asks, y confirms: the learner's version is backed up before the starter comes back.
    if (pending_reset) {
      pending_reset = false;
      if (key === 'y') {
        panel = reset_message(current, reset_exercise(ctx, current));
        return void check(true);
      }
      panel = 'Nothing was changed.';
      return show(running);
    }
    if (key === 'x') {
      pending_reset = true;
      panel = `Reset ${current.files.map((f) => `exercises/${current.id}/${f}`).join(', ')} to the starter? Your version is saved first. Press y to confirm, any other key to cancel.`;
      return show(running);
    }
    if (key === 'c') return void check_all();
    if (key === 'r') {
      panel = '';
      return void check(true);
    }
    // In the list, two digits jump to that exercise (Rustlings' interactive list, by number).
    if (panel_is_list && /^[0-9]$/.test(key)) {
      list_jump += key;
      if (list_jump.length < 2) return;
      const typed = list_jump;
      const to = ctx.manifest.exercises.find((x) => short_id(x.id) === typed);
      list_jump = '';
      if (to) {
        panel_is_list = false;
        return open(to);
      }
      panel = `${list_text(ctx, undefined, current.id)}\nNo exercise ${typed}: type two digits, e.g. 03.`;
      return show(running);
    }
    list_jump = '';
    panel_is_list = key === 'l';
    if (key === 'h') panel = next_hint(ctx, current.id, current.hints);
    else if (key === 'l') panel = `${list_text(ctx, undefined, current.id)}\nType an exercise's two digits to jump to it.`;
    else if (key === 'f') panel = full_report();
    else if (key === 's') panel = solution_text(ctx, current.id).text;
    else if (key === 'n') {
      if (last?.run.status !== 'passed') {
        panel = 'n moves on once every check passes. (Code can pass by accident in the middle of an edit, so moving on is your call, not automatic.)';
      } else {
        const nx = next_exercise();
        if (!nx) {
          panel = green(`All ${total} exercises are done. Well done!`) + ' Press q to quit, l to see the list.';
        } else return open(nx);
      }
    } else return;
    show(running);
  };

  if (interactive) {
    process.stdin.setRawMode(true);
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (chunk: string) => {
      for (const k of chunk) on_key(k.toLowerCase() === k ? k : k.toLowerCase());
    });
    process.stdin.resume();
  } else if (!p.flags.has('once')) {
    const stop = () => quit(0);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  }
  open(current);
  const code = await done;
  if (p.flags.has('once')) quit(code);
  return code;
}
