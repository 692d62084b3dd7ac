// What a run of every course scenario and thread scenario looks like, as
// digests: the explorer's bounded search with tracing off (how many
// schedules and steps, the failures and their schedule strings, every final
// kernel log) and replays with tracing on (the default schedule and each
// failure's: the timeline and the kernel log, byte for byte). Work on the
// hot path (explorer/run.ts, kernel/sched/core.ts...) must leave all of it
// unchanged: run_identity.test.ts compares it with run_identity.json, taken
// before such work. Regenerate that file (UPDATE_RUN_IDENTITY=1) only with a
// change meant to change runs, one that bumps MODEL_VERSION.
import { createHash } from 'node:crypto';
import { load_impl, read_manifest, solution_dir } from '../../course/files';
import { build_checked, scenario_declarations_of, type built_scenario } from '../../course/scenario_registry';
import { explore } from '../../explorer/explore';
import { replay_schedule } from '../../explorer/replay';
import { run_scenario } from '../../explorer/run';
import { ALL_FAILURE_KINDS, type scenario } from '../../explorer/scenario';
import type { schedule } from '../../explorer/schedule';
import { count_hides_memory, rcu_hang, shrinker_lock_recursion } from '../../scenarios/thread';

/** Scheduler steps the bounded search may spend per scenario: a budget in steps, never in time. */
export const IDENTITY_STEP_BUDGET = 4000;
/** The bound explored: every scenario's first departures, where most of its runs differ. */
export const IDENTITY_BOUND = 1;

export interface run_digest {
  schedules: number;
  steps: number;
  decisions: number;
  exhausted: boolean;
  failures: string[];
  /** Digest of every finished run's kernel log, in the order the search ran them. */
  final_logs: string;
  /** Digest of each replay (default schedule first, then each failure's) as schedule string -> digest. */
  replays: Record<string, string>;
}

function digest(s: string): string {
  return createHash('sha256').update(s).digest('hex').slice(0, 24);
}

async function digest_of(b: built_scenario): Promise<run_digest> {
  const logs = createHash('sha256');
  const sc: scenario = {
    ...b.scenario,
    setup: () => b.scenario.setup(),
    check(r) {
      logs.update(`${r.stop}\n${r.dmesg.join('\n')}\n\u0000`);
      return b.scenario.check ? b.scenario.check(r) : null;
    },
  };
  const within = <T>(body: () => Promise<T>): Promise<T> => (b.around ? b.around(body) : body());
  const x = await within(() => explore(sc, { preemption_bound: IDENTITY_BOUND, max_steps: IDENTITY_STEP_BUDGET, fail_on: b.options?.fail_on, stop_on: null }));
  // Replayed: the default schedule, one departure at the first, middle and last decision of the default run, and each failure's.
  const plain = await within(() => run_scenario(b.scenario, { schedule: [], strict: false, record_from: 0, trace: false, fail_on: new Set(b.options?.fail_on ?? ALL_FAILURE_KINDS) }));
  const departures: schedule[] = [];
  for (const k of [0, plain.alt_at.length >> 1, plain.alt_at.length - 1]) {
    const d = { at: plain.alt_at[k]!, pid: plain.alt_pid[k]! };
    if (k >= 0 && k < plain.alt_at.length && !departures.some((s) => s[0]!.at === d.at && s[0]!.pid === d.pid)) departures.push([d]);
  }
  const replays: Record<string, string> = {};
  for (const s of [[], ...departures, ...x.failures.map((f) => f.schedule)]) {
    const r = await within(() => replay_schedule(b.scenario, s));
    replays[r.schedule_string] = digest(`${r.timeline_text}\n\u0000${r.dmesg_text}\n\u0000${r.failures.map((f) => f.signature).join('\n')}`);
  }
  return {
    schedules: x.schedules,
    steps: x.steps,
    decisions: x.decisions,
    exhausted: x.exhausted,
    failures: x.failures.map((f) => `${f.signature} @ ${f.schedule_string}`),
    final_logs: logs.digest('hex').slice(0, 24),
    replays,
  };
}

/** The thread's scenarios, as the bench explores them. */
const THREAD: [string, () => scenario][] = [
  ["rcu_hang('4.10')", () => rcu_hang('4.10')],
  ["rcu_hang('4.11')", () => rcu_hang('4.11')],
  ["shrinker_lock_recursion('trylock_recursive')", () => shrinker_lock_recursion('trylock_recursive')],
  ["count_hides_memory('lockfree')", () => count_hides_memory('lockfree')],
];

/** run_identity - the digests of every course scenario (reference solutions) and of the thread's scenarios, by name. */
export async function run_identity(): Promise<Record<string, run_digest>> {
  const out: Record<string, run_digest> = {};
  for (const [name, make] of THREAD) out[`thread ${name}`] = await digest_of({ scenario: make() });
  for (const e of read_manifest().exercises) {
    const decl = scenario_declarations_of(await import(`../../${e.checks}`));
    if (!decl) continue;
    const impl = await load_impl(e, solution_dir(e));
    for (const d of decl.scenarios) out[`${e.id.slice(0, 2)} ${d.id}`] = await digest_of(build_checked(d, impl));
  }
  return out;
}
