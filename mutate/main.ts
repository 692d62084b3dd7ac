// npm run mutate: how well do the check suites grade?
//
//   npm run mutate                          every exercise: StrykerJS + the kernel operators on the reference solution
//   npm run mutate -- --exercise 03         one exercise (several: --exercise 03,05)
//   npm run mutate -- --only kernel         just the kernel operators (fast, no Stryker)
//   npm run mutate -- --only stryker        just StrykerJS
//   npm run mutate -- --starters            mutate the starters instead: every one-edit change that passes all checks
//   npm run mutate -- --jobs 2              kernel operators: two workers side by side
//   npm run mutate -- --update-survivors    also rewrite mutate/survivors/<id>.json (keeps judgements, adds new survivors as open)
//   npm run mutate -- --all-checks          kernel operators: run every check on a killed mutant too (slower; names every check that kills it)
//   npm run mutate -- --stryker-runner vitest   StrykerJS through its vitest runner (a vitest run per mutant) instead of
//                                           mutate/stryker/check_runner.ts (the suite imported once): same verdicts, slower
//
// Per exercise it prints the score, killed / (total - compile errors -
// equivalent), per tool and together, the survivors (equivalent ones with
// why, open ones to be closed by a stronger check), and the time taken.
// Every outcome also goes to out/mutate/<id>.<starter|solution.TOOLS>.json.
// Not part of npm test: StrykerJS alone takes minutes per exercise.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { COURSE_ROOT, read_manifest, solution_dir, starter_dir } from '../course/files';
import type { manifest_exercise } from '../course/manifest';
import { generate_mutants, type operator_name, KERNEL_OPERATORS } from './operators';
import { run_mutants } from './runner';
import { run_stryker, type stryker_runner } from './stryker';
import { function_at, key_of, merge_survivors, read_survivors, score_of, text_between, write_survivors, type outcome, type score, type tool } from './survivors';

interface options {
  exercises: string[];
  tools: tool[];
  starters: boolean;
  update: boolean;
  jobs: number;
  all_checks: boolean;
  stryker_runner: stryker_runner;
}

function parse_args(argv: string[]): options {
  const o: options = { exercises: [], tools: ['stryker', 'kernel'], starters: false, update: false, jobs: 1, all_checks: false, stryker_runner: 'checks' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--exercise' || a === '-e') o.exercises.push(...value().split(','));
    else if (a === '--only') {
      const v = value();
      if (v !== 'kernel' && v !== 'stryker') throw new Error('--only takes kernel or stryker');
      o.tools = [v];
    } else if (a === '--starters') o.starters = true;
    else if (a === '--update-survivors') o.update = true;
    else if (a === '--all-checks') o.all_checks = true;
    else if (a === '--stryker-runner') {
      const v = value();
      if (v !== 'checks' && v !== 'vitest') throw new Error('--stryker-runner takes checks or vitest');
      o.stryker_runner = v;
    }
    else if (a === '--jobs' || a === '-j') o.jobs = Math.max(1, Number.parseInt(value(), 10) || 1);
    else if (a === '--help' || a === '-h') {
      console.log(readFileSync(new URL(import.meta.url), 'utf8').split('\n').filter((l) => l.startsWith('//   ')).map((l) => l.slice(3)).join('\n'));
      process.exit(0);
    } else throw new Error(`unknown argument ${a} (try --help)`);
  }
  return o;
}

const pct = (s: score) => `${(100 * s.score).toFixed(1)}%`;
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function read_files(e: manifest_exercise, dir: string): Record<string, string> {
  return Object.fromEntries(e.files.map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
}

/** kernel_outcomes - generate and run the generator's mutants of @e's files in @dir. */
async function kernel_outcomes(e: manifest_exercise, dir: string, target: outcome['target'], operators: readonly operator_name[] | undefined, jobs: number, all_checks: boolean): Promise<{ outcomes: outcome[]; baseline_failed: string[] }> {
  const files = read_files(e, dir);
  const mutants = Object.entries(files).flatMap(([name, text]) => generate_mutants(text, join(target === 'solution' ? 'solutions' : 'exercises', e.id, name), { operators }));
  const seen = new Map<string, number>();
  const outcomes: outcome[] = [];
  let done = 0;
  const { baseline, results } = await run_mutants({ root: COURSE_ROOT, exercise: e.id, source_dir: dir, files, jobs, bail: !all_checks }, mutants.map((m) => ({ key: m.id, files: { ...files, [m.file]: m.text } })), () => {
    done++;
    if (process.stdout.isTTY) process.stdout.write(`\r  kernel operators: ${done}/${mutants.length}`);
  });
  if (process.stdout.isTTY) process.stdout.write('\r\x1b[K');
  for (const m of mutants) {
    const r = results.get(m.id)!;
    const base = { tool: 'kernel' as const, target, file: m.file, line: m.line, column: m.column, operator: m.operator, function_name: m.function_name, original: m.original, replacement: m.replacement, description: m.description, status: r.status, failed: r.failed, detail: r.detail, ms: r.ms };
    outcomes.push({ ...base, key: key_of(base, seen) });
  }
  return { outcomes, baseline_failed: baseline.status === 'survived' ? [] : baseline.failed.length ? baseline.failed : [baseline.detail] };
}

async function stryker_outcomes(e: manifest_exercise, runner: stryker_runner): Promise<outcome[]> {
  const files = read_files(e, solution_dir(e));
  const seen = new Map<string, number>();
  const results = await run_stryker(COURSE_ROOT, e.id, { runner });
  results.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.mutator.localeCompare(b.mutator) || a.replacement.localeCompare(b.replacement));
  return results.map((r) => {
    const text = files[r.file] ?? '';
    const base = {
      tool: 'stryker' as const,
      target: 'solution' as const,
      file: r.file,
      line: r.line,
      column: r.column,
      operator: r.mutator,
      function_name: function_at(text, r.line, r.column),
      original: text_between(text, r.line, r.column, r.end_line, r.end_column),
      replacement: r.replacement.replace(/\s+/g, ' ').trim(),
      description: `${r.mutator}: ${r.replacement.replace(/\s+/g, ' ').trim()}`,
      status: r.status,
      failed: r.failed,
      detail: r.detail,
      ms: 0,
    };
    return { ...base, key: key_of(base, seen) };
  });
}

interface exercise_report {
  exercise: string;
  target: 'solution' | 'starter';
  ms: number;
  ms_by_tool: Partial<Record<tool, number>>;
  scores: score[];
  outcomes: outcome[];
}

async function mutate_exercise(e: manifest_exercise, o: options): Promise<exercise_report> {
  const t0 = performance.now();
  const outcomes: outcome[] = [];
  const ms_by_tool: Partial<Record<tool, number>> = {};
  const f0 = read_survivors(COURSE_ROOT, e.id);
  if (o.starters) {
    const { outcomes: k } = await kernel_outcomes(e, starter_dir(e), 'starter', undefined, o.jobs, o.all_checks);
    outcomes.push(...k);
    ms_by_tool.kernel = performance.now() - t0;
    const passes = k.filter((x) => x.status === 'survived');
    const judged = new Map(f0.starter_passes.map((s) => [s.key, s]));
    console.log(`  ${k.length} one-edit changes of the starter (${k.filter((x) => x.status === 'compile-error').length} do not compile); ${passes.length} pass every check:`);
    for (const p of passes) {
      const j = judged.get(p.key);
      console.log(`    ${j?.verdict === 'intended' ? 'intended' : 'HOLE    '} ${p.file}:${p.line} ${p.operator}: ${p.original.slice(0, 70)} -> ${p.replacement.slice(0, 70)}${j?.why ? `\n             ${j.why}` : ''}`);
    }
    // Read again right before writing: another run may have updated the file meanwhile.
    if (o.update) write_survivors(COURSE_ROOT, merge_survivors(read_survivors(COURSE_ROOT, e.id), outcomes, { tools: ['kernel'], starter: true, solution: false }));
    return { exercise: e.id, target: 'starter', ms: performance.now() - t0, ms_by_tool, scores: [], outcomes };
  }
  for (const t of o.tools) {
    const t1 = performance.now();
    if (t === 'stryker') outcomes.push(...(await stryker_outcomes(e, o.stryker_runner)));
    else {
      const { outcomes: k, baseline_failed } = await kernel_outcomes(e, solution_dir(e), 'solution', KERNEL_OPERATORS, o.jobs, o.all_checks);
      if (baseline_failed.length) throw new Error(`${e.id}: the reference solution fails its own checks (${baseline_failed.join(', ')}); fix that first`);
      outcomes.push(...k);
    }
    ms_by_tool[t] = performance.now() - t1;
  }
  const f = o.update ? merge_survivors(read_survivors(COURSE_ROOT, e.id), outcomes, { tools: o.tools, starter: false, solution: true }) : f0;
  if (o.update) write_survivors(COURSE_ROOT, f);
  const scores = [...o.tools.map((t) => score_of(outcomes, f, t)), ...(o.tools.length > 1 ? [score_of(outcomes, f, 'all')] : [])];
  for (const s of scores) {
    console.log(`  ${s.tool.padEnd(8)} ${pct(s).padStart(6)}  killed ${s.killed} of ${s.killed + s.survived} (${s.total} mutants, ${s.compile_errors} do not compile, ${s.equivalent} equivalent)${s.tool !== 'all' ? `  ${secs(ms_by_tool[s.tool]!)}` : ''}`);
  }
  const judged = new Map(f.survivors.map((s) => [s.key, s]));
  for (const x of outcomes.filter((y) => y.status === 'survived')) {
    const j = judged.get(x.key);
    console.log(`    ${j?.status === 'equivalent' ? 'equivalent' : 'OPEN      '} ${x.file}:${x.line}:${x.column} ${x.tool}/${x.operator}: ${x.original.slice(0, 60)} -> ${x.replacement.slice(0, 60)}${j?.why ? `\n               ${j.why}` : ''}`);
  }
  return { exercise: e.id, target: 'solution', ms: performance.now() - t0, ms_by_tool, scores, outcomes };
}

async function main(): Promise<void> {
  const o = parse_args(process.argv.slice(2));
  const all = read_manifest().exercises;
  const chosen = o.exercises.length ? all.filter((e) => o.exercises.some((x) => e.id === x || e.id.startsWith(`${x}-`))) : all;
  if (chosen.length === 0) throw new Error(`no exercise matches ${o.exercises.join(', ')}`);
  const t0 = performance.now();
  const reports: exercise_report[] = [];
  for (const e of chosen) {
    console.log(`\n${e.id} (${o.starters ? 'starter' : 'reference solution'})`);
    reports.push(await mutate_exercise(e, o));
    console.log(`  time: ${secs(reports.at(-1)!.ms)}`);
  }
  const total = performance.now() - t0;
  console.log(`\n${o.starters ? 'starters' : 'summary'}: ${chosen.length} exercise(s) in ${secs(total)}`);
  for (const r of reports) {
    const all_score = r.scores.at(-1);
    const passes = r.outcomes.filter((x) => x.status === 'survived').length;
    console.log(`  ${r.exercise.padEnd(36)} ${all_score ? `${pct(all_score).padStart(6)} (${all_score.killed}/${all_score.killed + all_score.survived})` : `${passes} passing one-edit change(s)`}  ${secs(r.ms)}`);
  }
  mkdirSync(join(COURSE_ROOT, 'out', 'mutate'), { recursive: true });
  const what = o.starters ? 'starter' : `solution.${o.tools.join('+')}`;
  for (const r of reports) writeFileSync(join(COURSE_ROOT, 'out', 'mutate', `${r.exercise}.${what}.json`), `${JSON.stringify(r, null, 2)}\n`);
}

main().catch((e: unknown) => {
  console.error(`mutate: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
