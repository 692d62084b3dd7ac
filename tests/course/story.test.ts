// The course reads as one story (issue 11), and stays that way:
// - every lesson opens with a "Where we are." paragraph that links the
//   lesson before it and the passage of the thread it reads, and ends with
//   "## Your turn", pointing at its exercise;
// - every exercise lesson has the same spine: what you will learn, what the
//   real kernel did (in a "::: kernel" box), where the model simplifies,
//   further reading;
// - the introduction's map names all thirteen exercises with their passages;
// - every "sources §N" lands on a §N that sources.md has, and every
//   "lesson.md#fragment" link lands on a heading of that lesson;
// - every kernel-log excerpt a lesson presents as the model's output (a
//   fence opened with ```text model-output <schedule string>) is what the
//   model prints, line for line and in order, when that schedule is replayed
//   on the exercise's starter (```text model-output-solution: on the
//   reference solution); lines that start with "..." mark a cut. A check
//   workload that is not an explorer scenario has no schedule string: its
//   log is fenced ```text model-log <name>, and <name> is one of the runs
//   below, made the way the check makes it; and a check whose workloads are
//   generated shows its failure as the learner's loop prints it: fenced
//   ```text model-failure <check-id>, its lines are in that check's failure
//   message on the starter (what `npx shrinker-lab run NN --full` prints: the
//   smallest failing workload and the trace where the starter ran, replayed
//   with the trace on), compared without indentation and "<- your code" marks;
// - every lesson quotes the thread, with attribution ("> — Name, ..."), and
//   cites the sources; every attributed quote is the mail's own words
//   (thread.md, "The mail as sent"), cuts marked "[...]";
// - nothing cites "kernel-facts §N", a document the repository does not ship;
// - every starter's TODO says where the problem lives, not which line to
//   delete: no line number, no "delete/remove this line", no "the line
//   below/above", and no changed line of the reference's diff quoted.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { capture_scenarios } from '../../course/check_helpers';
import { run_checks } from '../../course/checks';
import { COURSE_ROOT, load_impl, load_suite, read_manifest, solution_dir, starter_dir } from '../../course/files';
import type { manifest_exercise } from '../../course/manifest';
import { render_timeline } from '../../explorer/render';
import { replay_schedule } from '../../explorer/replay';
import type { scenario } from '../../explorer/scenario';
import { parse_schedule } from '../../explorer/schedule';
import { run_oom_workload, type oom_fn } from '../../scenarios/oom_notifier';
import type { verdict_options } from '../../explorer/verdict';
import { heading_slug, read_lessons, section_anchor } from '../../site/generator/content';

const lessons = read_lessons(COURSE_ROOT);
const manifest = read_manifest();
const numbered = lessons.filter((l) => /^\d\d-/.test(l.file));
const exercise_lessons = numbered.filter((l) => l.exercise !== null);
const body_of = (file: string): string => lessons.find((l) => l.file === file)!.body;

/** The sections every exercise lesson has, in this order (other sections may come between them). */
const LESSON_SHAPE = ['What you will learn', 'What the real kernel did', 'Where the model simplifies', 'Further reading', 'Your turn'];

/** The "## " sections of @body, by title, in order. */
const sections = (body: string): string[] => [...body.matchAll(/^## (.+)$/gm)].map((m) => m[1]!.trim());

/** The ids a lesson page's headings get on the site (site/generator/content.ts), outside code fences. */
function heading_ids(body: string): Set<string> {
  const ids = new Set<string>();
  let fenced = false;
  for (const line of body.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    const m = !fenced && /^#{1,6} (.+)$/.exec(line);
    if (!m) continue;
    const text = m[1]!.replace(/`/g, '').trim();
    const slug = section_anchor(text) ?? heading_slug(text);
    let id = slug;
    for (let n = 2; ids.has(id); n++) id = `${slug}-${n}`;
    ids.add(id);
  }
  return ids;
}

/** A starter's TODO: the comment that holds "TODO" and the comment lines that continue it. */
export interface todo_comment {
  line: number;
  text: string;
}

const COMMENT_LINE = /^\s*(\/\/+|\/\*+|\*+(?!\/))\s?(.*)$/;

/** todos_of - every TODO comment in @source, with the comment lines that continue it (to a blank comment line or code). */
export function todos_of(source: string): todo_comment[] {
  const lines = source.split('\n');
  const out: todo_comment[] = [];
  for (let i = 0; i < lines.length; i++) {
    const at = lines[i]!.indexOf('TODO');
    if (at < 0) continue;
    const parts = [lines[i]!.slice(at)];
    for (let j = i + 1; j < lines.length; j++) {
      const m = COMMENT_LINE.exec(lines[j]!);
      if (!m || m[2]!.trim() === '' || /^\s*\*\//.test(lines[j]!) || /^@/.test(m[2]!.trim())) break;
      parts.push(m[2]!.trim());
    }
    out.push({ line: i + 1, text: parts.join(' ').replace(/\s+/g, ' ').trim() });
  }
  return out;
}

/** A line of code, compared without its indentation, inner runs of spaces or a trailing semicolon or comment. */
const code_of = (line: string): string => line.replace(/\/\/.*$/, '').replace(/\s+/g, ' ').trim().replace(/;$/, '');
const is_code = (line: string): boolean => line.trim() !== '' && !COMMENT_LINE.test(line);

/**
 * changed_code_lines - the code lines of the reference's diff against the
 * starter: lines one has and the other has not (added or removed), long
 * enough to be a statement rather than a brace or a bare `return 0`.
 */
export function changed_code_lines(starter: string, solution: string): string[] {
  const code = (src: string): Set<string> => new Set(src.split('\n').filter(is_code).map(code_of).filter((l) => l.length >= 16));
  const [a, b] = [code(starter), code(solution)];
  return [...[...a].filter((l) => !b.has(l)), ...[...b].filter((l) => !a.has(l))];
}

/** What a reviewer would say of one TODO that gives the fix away, or null. */
export function todo_gives_away(todo: todo_comment, changed: readonly string[]): string | null {
  const t = todo.text;
  if (/\blines? ?#?\d+\b|\bL\d+\b|\.ts:\d+/i.test(t)) return 'names a line number';
  if (/\b(delete|remove|drop|comment out|uncomment|swap|replace|move)\b[^.?!]{0,40}\b(this|that|the|next|following|previous) (line|lines|statement|call)\b/i.test(t)) return 'says which line to delete or change';
  if (/\b(the |this |that )?(line|lines|statement|call) (below|above|that follows|before this)\b|\b(next|following|previous|preceding) (line|statement)\b|\b(below|above) (line|statement)\b/i.test(t)) {
    return 'points at the line below or above';
  }
  const flat = code_of(t);
  const quoted = changed.find((l) => flat.includes(l));
  return quoted === undefined ? null : `quotes a line the reference changes: \`${quoted}\``;
}

/** The TODO problems of one starter file against its solution, "file:line: what". */
export function todo_problems(file: string, starter: string, solution: string): string[] {
  const changed = changed_code_lines(starter, solution);
  return todos_of(starter).flatMap((t) => {
    const why = todo_gives_away(t, changed);
    return why ? [`${file}:${t.line}: the TODO ${why} ("${t.text.slice(0, 100)}")`] : [];
  });
}

describe('the course as one story', () => {
  it('has a lesson for every exercise of the manifest, in order', () => {
    expect(exercise_lessons.map((l) => l.exercise)).toEqual(manifest.exercises.map((e) => e.id));
  });

  for (const [i, l] of numbered.entries()) {
    if (l.exercise === null) continue;
    it(`lesson ${l.id} opens with where we are: the lesson before it and its passage of the thread`, () => {
      const after_title = l.body.split(/^# .+$/m)[1] ?? '';
      const first = after_title.trim().split(/\n\s*\n/)[0]!;
      expect(first.startsWith('**Where we are.**'), `${l.file}: the first paragraph after the title must start with "**Where we are.**"`).toBe(true);
      const before = numbered[i - 1]!;
      expect(first, `${l.file}: "Where we are" links the lesson before it, ${before.file}`).toContain(`](${before.file}`);
      expect(first, `${l.file}: "Where we are" links its passage of the thread (thread.md#...)`).toMatch(/\]\(thread\.md#[a-z0-9-]+\)/);
    });

    it(`lesson ${l.id} has the course's shape: what you will learn, what the real kernel did, where the model simplifies, further reading`, () => {
      const all = sections(l.body);
      const missing = LESSON_SHAPE.filter((title) => !all.includes(title));
      expect(missing, `${l.file}: every exercise lesson has these "## " sections (lessons 01-13 read alike)`).toEqual([]);
      const order = LESSON_SHAPE.map((title) => all.indexOf(title));
      expect(order, `${l.file}: in this order: ${LESSON_SHAPE.join(', ')}`).toEqual([...order].sort((a, b) => a - b));
      const kernel_box = new RegExp('^::: kernel\\n## What the real kernel did$', 'm');
      expect(kernel_box.test(l.body), `${l.file}: "What the real kernel did" sits in a "::: kernel" box, as the site shows it`).toBe(true);
    });

    it(`lesson ${l.id} ends with its exercise`, () => {
      const all = sections(l.body);
      expect(all.at(-1), `${l.file}: the last section is "Your turn"`).toBe('Your turn');
      const turn = l.body.slice(l.body.lastIndexOf('## Your turn'));
      expect(turn, `${l.file}: "Your turn" names the exercise folder`).toContain(`exercises/${l.exercise}/`);
      expect(turn.replace(/\s+/g, ' '), `${l.file}: "Your turn" says how to check it`).toContain(`npx shrinker-lab run ${l.id}`);
    });
  }

  it('the introduction maps every exercise to its passages of the thread', () => {
    const intro = body_of('00-introduction.md');
    const passages = heading_ids(body_of('thread.md'));
    for (const l of exercise_lessons) {
      const row = intro.split('\n').find((line) => line.startsWith(`| [${l.id}](${l.file})`));
      expect(row, `00-introduction.md: a map row "| [${l.id}](${l.file}) | ..."`).toBeDefined();
      const links = [...row!.matchAll(/\]\(thread\.md#([a-z0-9-]+)\)/g)].map((m) => m[1]!);
      expect(links.length, `${l.id}: the row links at least one passage of the thread`).toBeGreaterThan(0);
      for (const f of links) expect(passages.has(f), `${l.id}: thread.md#${f} is a passage heading`).toBe(true);
    }
  });

  it('every "sources §N" lands on a section sources.md has', () => {
    const have = new Set([...body_of('sources.md').matchAll(/^## §(\d+) /gm)].map((m) => Number(m[1])));
    // Numbered from 1 with no gap, so that "§N" is also the N-th section.
    expect([...have]).toEqual([...have].map((_, k) => k + 1));
    const bad: string[] = [];
    for (const l of lessons) {
      if (l.file === 'sources.md') continue;
      for (const m of l.body.matchAll(/§(\d+)/g)) if (!have.has(Number(m[1]))) bad.push(`${l.file}: §${m[1]}`);
      for (const m of l.body.matchAll(/\]\(sources\.md#([^)]+)\)/g)) if (!/^s\d+$/.test(m[1]!) || !have.has(Number(m[1]!.slice(1)))) bad.push(`${l.file}: #${m[1]}`);
    }
    expect(bad).toEqual([]);
  });

  it('every link to a lesson heading (#fragment) lands on one', () => {
    const bad: string[] = [];
    for (const l of lessons) {
      for (const m of l.body.matchAll(/\]\(((?:\d\d-[a-z0-9-]+|thread|sources)\.md)#([^)]+)\)/g)) {
        const target = lessons.find((t) => t.file === m[1]);
        if (!target || !heading_ids(target.body).has(m[2]!)) bad.push(`${l.file} -> ${m[1]}#${m[2]}`);
      }
    }
    expect(bad).toEqual([]);
  });

  // The mail as sent, as one line of words: quote markers and line breaks gone.
  const mail_words = (() => {
    const thread = body_of('thread.md');
    const mail = thread.slice(thread.indexOf('## The mail as sent'));
    const text = mail.slice(mail.indexOf('```text') + 7, mail.lastIndexOf('```'));
    return words(text.split('\n').map((line) => line.replace(/^(>\s?)+/, '')).join(' '));
  })();

  for (const l of exercise_lessons) {
    it(`lesson ${l.id} quotes the thread in its own words, with attribution, and cites its sources`, () => {
      const quotes = attributed_quotes(l.body).filter((q) => /Chris Wilson|Andrea Arcangeli/.test(q.by));
      expect(quotes.length, `${l.file}: at least one quote of the thread ending "> — Chris Wilson, ..." or "> — Andrea Arcangeli, ..."`).toBeGreaterThan(0);
      for (const q of quotes) {
        for (const piece of q.text.split(/\[\.\.\.\]|…/)) {
          const w = words(piece);
          if (w) expect(mail_words.includes(w), `${l.file}: quoted as ${q.by}, but not in the mail:\n${w}`).toBe(true);
        }
      }
      expect(l.body, `${l.file}: cites lessons/sources.md ("sources §N")`).toMatch(/sources §\d+/);
    });
  }

  it('every starter has a TODO, and no TODO gives the fix away (line numbers, "delete this line", the line below, the reference\'s own lines)', () => {
    const problems: string[] = [];
    for (const e of manifest.exercises) {
      const files = readdirSync(starter_dir(e)).filter((f) => f.endsWith('.ts'));
      const todos = files.flatMap((f) => todos_of(readFileSync(join(starter_dir(e), f), 'utf8')));
      if (todos.length === 0) problems.push(`${e.id}: no TODO in the starter`);
      for (const f of files) {
        const solution = join(solution_dir(e), f);
        const reference = statSync(solution, { throwIfNoEntry: false }) ? readFileSync(solution, 'utf8') : '';
        problems.push(...todo_problems(`exercises/${e.id}/${f}`, readFileSync(join(starter_dir(e), f), 'utf8'), reference));
      }
    }
    expect(problems).toEqual([]);
  });

  it('the TODO rule refuses a starter that gives the fix away (crafted in memory)', () => {
    const solution = ['export function scan(i915) {', '  const { locked, unlock } = shrinker_lock(i915);', '  if (!locked) return SHRINK_STOP;', '  return 0;', '}'].join('\n');
    const starter = (todo: string[]) => ['export function scan(i915) {', '  const { locked, unlock } = shrinker_lock(i915);', ...todo, '  if (!locked) return 0;', '  return 0;', '}'].join('\n');
    const verdict = (todo: string[]) => todo_problems('crafted.ts', starter(todo), solution);
    expect(verdict(['  // TODO: what should reclaim hear when another task holds the lock?'])).toEqual([]);
    expect(verdict(['  // TODO: the bug is on line 4.'])[0]).toMatch(/names a line number/);
    expect(verdict(['  // TODO: delete this line and think again.'])[0]).toMatch(/which line to delete/);
    expect(verdict(['  // TODO: look hard at the line below: what does reclaim', '  // hear from it?'])[0]).toMatch(/the line below or above/);
    expect(verdict(['  // TODO: it should read', '  // if (!locked) return SHRINK_STOP;'])[0]).toMatch(/quotes a line the reference changes: `if \(!locked\) return SHRINK_STOP`/);
    expect(verdict(['  // TODO: `if (!locked) return 0` is wrong'])[0]).toMatch(/quotes a line the reference changes/);
    // A blank comment line ends the TODO: the notes after it are not part of it.
    expect(todos_of(['/**', ' * TODO: who calls?', ' *', ' * line 12 of the old code', ' */'].join('\n'))).toEqual([{ line: 2, text: 'TODO: who calls?' }]);
  });

  it('nothing cites "kernel-facts §N", a document the repository does not ship', () => {
    const hits: string[] = [];
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (/\.(ts|md|json)$/.test(name) && /kernel-facts\s*§/.test(readFileSync(path, 'utf8'))) hits.push(path.slice(COURSE_ROOT.length + 1));
      }
    };
    for (const d of ['lessons', 'kernel', 'scenarios', 'checks', 'course', 'explorer', 'exercises', 'solutions', 'docs']) walk(join(COURSE_ROOT, d));
    expect(hits).toEqual([]);
  });
});

/** @text with runs of white space made single spaces, and the backticks of `identifiers` dropped. */
function words(text: string): string {
  return text.replace(/`/g, '').replace(/\s+/g, ' ').trim();
}

/** The block quotes of @body that end with an attribution line "> — Who, where, when". */
function attributed_quotes(body: string): { by: string; text: string }[] {
  const out: { by: string; text: string }[] = [];
  let block: string[] = [];
  for (const line of [...body.split('\n'), '']) {
    if (line.startsWith('>')) {
      block.push(line.replace(/^>\s?/, ''));
      continue;
    }
    const by = block.length ? /^— (.+)$/.exec(block.at(-1)!.trim()) : null;
    if (by) out.push({ by: by[1]!, text: block.slice(0, -1).join('\n') });
    block = [];
  }
  return out;
}

interface model_excerpt {
  lesson: string;
  exercise: manifest_exercise;
  /** Whose code the excerpt was printed with. */
  code: 'starter' | 'solution';
  schedule: string;
  lines: string[];
}

/** The ```text model-output[-solution] <schedule> fences of every lesson. */
function model_excerpts(): model_excerpt[] {
  const out: model_excerpt[] = [];
  for (const l of exercise_lessons) {
    const exercise = manifest.exercises.find((e) => e.id === l.exercise)!;
    for (const m of l.body.matchAll(/^```text model-output(-solution)? (\S+)\n([\s\S]*?)^```$/gm)) {
      out.push({ lesson: l.file, exercise, code: m[1] ? 'solution' : 'starter', schedule: m[2]!, lines: m[3]!.split('\n') });
    }
  }
  return out;
}

/** A line of an excerpt that only marks a cut ("...", "  ... 5,000 more ...", "…"). */
const is_cut = (line: string): boolean => line.trim() === '' || /^\s*(\.\.\.|…)/.test(line);

/** The scenario @id that @e's checks build with @code (the checks run in capture mode: nothing is explored). */
async function built_scenario(e: manifest_exercise, code: model_excerpt['code'], id: string): Promise<{ sc: scenario; opts: verdict_options } | undefined> {
  const suite = await load_suite(e);
  const impl = await load_impl(e, code === 'starter' ? starter_dir(e) : solution_dir(e));
  let found: { sc: scenario; opts: verdict_options } | undefined;
  capture_scenarios((sc, opts) => {
    if (sc.id === id && !found) found = { sc, opts };
  });
  try {
    for (const c of suite.checks) {
      await run_checks(suite, impl, [c.id]);
      if (found) break;
    }
  } finally {
    capture_scenarios(null);
  }
  return found;
}

// A replayed scenario must stay cheap: the excerpts are short runs.
const REPLAY_STEP_BUDGET = 20_000;

/**
 * The runs behind ```text model-log <name> fences: check workloads run
 * directly (run_once), so no schedule string replays them. Each returns the
 * kernel log, as dmesg prints it, of the exercise's starter on the workload.
 */
const LOGGED_RUNS: Record<string, () => Promise<string[]>> = {
  // Lesson 05: the first workload of the check "no-oom-kill-when-i915-gave-memory-back"
  // (a GEM ioctl holding struct_mutex allocates while its 12 purgeable pages are busy on the GPU).
  'ex05-holder-allocates': async () => {
    const e = manifest.exercises.find((x) => x.id.startsWith('05-'))!;
    const oom = (await load_impl(e, starter_dir(e))).i915_gem_shrinker_oom as oom_fn;
    const { result } = await run_oom_workload(oom, {
      objects: [{ kind: 'purgeable', pages: 12 }],
      busy_ms: 20,
      swap: false,
      lockdep: true,
      comm: 'i915_ioctl',
      other: 'Xorg',
      holder: 'caller',
      gfp: 'GFP_KERNEL',
      beyond: 4,
      balloon: null,
      release: '4.12',
    }, REPLAY_STEP_BUDGET);
    return result.dmesg;
  },
};

/** A line of a failure message as a lesson quotes it: no indentation, no "<- your code" mark. */
function unmarked(line: string): string {
  return line.trim().replace(/\s+<- your code.*$/, '');
}

/** Does every line of @lines that is not a cut appear in @printed, in order? The first line that does not, or null. */
function first_missing(lines: readonly string[], printed: readonly string[]): string | null {
  let at = 0;
  for (const line of lines) {
    if (is_cut(line)) continue;
    const k = printed.indexOf(line.trimEnd(), at);
    if (k < 0) return line;
    at = k + 1;
  }
  return null;
}

describe('kernel logs a lesson shows as the model output are what the model prints', () => {
  const excerpts = model_excerpts();

  it('the lessons mark their model excerpts', () => {
    expect(new Set(excerpts.map((x) => x.lesson)).size).toBeGreaterThanOrEqual(8);
  });

  for (const x of excerpts) {
    it(`${x.lesson}: ${x.schedule} on the ${x.code}`, async () => {
      const id = parse_schedule(x.schedule).scenario_id;
      const hit = await built_scenario(x.exercise, x.code, id);
      expect(hit, `${x.exercise.id}'s checks build no scenario "${id}" with the ${x.code}`).toBeDefined();
      const r = await replay_schedule(hit!.sc, parse_schedule(x.schedule, id).schedule, hit!.opts.fail_on);
      expect(r.schedule_string, 'the schedule string is current (npx shrinker-lab replay prints it)').toBe(x.schedule);
      expect(r.result.steps).toBeLessThanOrEqual(REPLAY_STEP_BUDGET);
      const printed = render_timeline(r.timeline).split('\n').map((s) => s.trimEnd());
      expect(first_missing(x.lines, printed), `${x.lesson}: a line the model does not print (in this order) with the ${x.code} for ${x.schedule}`).toBeNull();
    });
  }

  const failures = exercise_lessons.flatMap((l) =>
    [...l.body.matchAll(/^```text model-failure (\S+)\n([\s\S]*?)^```$/gm)].map((m) => ({ lesson: l.file, exercise: manifest.exercises.find((e) => e.id === l.exercise)!, check: m[1]!, lines: m[2]!.split('\n') })),
  );
  for (const x of failures) {
    it(`${x.lesson}: the failure of ${x.check} on the starter`, async () => {
      const [r] = await run_checks(await load_suite(x.exercise), await load_impl(x.exercise, starter_dir(x.exercise)), [x.check]);
      expect(r?.status, `${x.exercise.id}: check ${x.check} fails on the starter`).toBe('failed');
      const printed = r!.message.split('\n').map(unmarked);
      expect(first_missing(x.lines.map(unmarked), printed), `${x.lesson}: a line the failure of ${x.check} does not print (in this order) on the starter`).toBeNull();
    });
  }

  const logs = [...exercise_lessons.flatMap((l) => [...l.body.matchAll(/^```text model-log (\S+)\n([\s\S]*?)^```$/gm)].map((m) => ({ lesson: l.file, name: m[1]!, lines: m[2]!.split('\n') })))];
  for (const x of logs) {
    it(`${x.lesson}: the log of ${x.name} on the starter`, async () => {
      const run = LOGGED_RUNS[x.name];
      expect(run, `${x.lesson}: no run named "${x.name}" in LOGGED_RUNS`).toBeDefined();
      const printed = (await run!()).map((s) => s.trimEnd());
      expect(first_missing(x.lines, printed), `${x.lesson}: a line the model does not print (in this order) for ${x.name}`).toBeNull();
    });
  }
});
