// The explorer's schedules and their text form.
//
// The scheduler core (kernel/sched/core.ts) asks a policy only at *decision
// points*: steps where two or more tasks are runnable. It also says what the
// kernel's own policy would run there (the "default choice"). A schedule is
// therefore the sequence of choices at decision points, and since most
// choices are the default, the explorer stores only the deviations:
// "at decision #12 run pid 3 instead". Everything not listed is the default.
//
// The text form ("schedule string") is what a learner copies from a failing
// test into `replay` or the study site's playground:
//
//   sl1:<scenario-id>:m<model-version>:<deviations>:<checksum>
//   sl1:abba-deadlock:m1:3=2:5e0c        one deviation: decision #3 runs pid 2
//   sl1:abba-deadlock:m1:-:9a41          no deviation: the kernel's default run
//   sl1:owner-word:m1:3=2.17=1:04bd      two deviations, separated by "."
//
// "sl1" is the version of this text format; m<N> is MODEL_VERSION, the
// version of the model's semantics (a schedule means the same run only on
// the model that produced it). The checksum (4 hex digits of FNV-1a over
// everything before it) catches typos and truncated copies.

/** Bump when a change to the kernel model or the explorer changes which run a schedule string denotes. */
export const MODEL_VERSION = 1;

/** The text format's own tag. */
export const SCHEDULE_FORMAT = 'sl1';

/** One deviation: at decision @at (0-based, counting decision points of the run), run @pid. */
export interface deviation {
  readonly at: number;
  readonly pid: number;
}

/** A schedule: the deviations from the default choice, in increasing decision order. */
export type schedule = readonly deviation[];

/** A schedule string that is malformed, altered, or for another scenario or model version. */
export class schedule_string_error extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'schedule_string_error';
  }
}

/** Scenario ids go into schedule strings, so they use a small alphabet without ':' or whitespace. */
export const SCENARIO_ID_RE = /^[A-Za-z0-9][A-Za-z0-9._/-]*$/;

/**
 * preemptions - the cost of a schedule under the explorer's bound.
 *
 * Every deviation costs 1. CHESS (Musuvathi and Qadeer, PLDI 2007) counts
 * only *preemptions*: switching away from a task that could have gone on
 * running; choosing among tasks after one blocks is free there. The model
 * counts every deviation from the kernel's default choice instead (delay
 * bounding, Emmi, Qadeer and Rakamaric, POPL 2011). That keeps the space
 * small (a free choice at every block would multiply the schedules by the
 * number of runnable tasks at each one) while still covering every bug that
 * needs only a few departures from what the kernel would normally do, which
 * is the observation that makes bounded search work.
 */
export function preemptions(s: schedule): number {
  return s.length;
}

/** schedule_checksum - FNV-1a 32-bit hash of @text folded to 4 hex digits: a short checksum a human can compare. */
export function schedule_checksum(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return ((h ^ (h >>> 16)) & 0xffff).toString(16).padStart(4, '0');
}

function format_deviations(s: schedule): string {
  return s.length === 0 ? '-' : s.map((d) => `${d.at}=${d.pid}`).join('.');
}

/** format_schedule - the schedule string of @s for scenario @scenario_id. */
export function format_schedule(scenario_id: string, s: schedule): string {
  if (!SCENARIO_ID_RE.test(scenario_id)) {
    throw new schedule_string_error(`scenario id "${scenario_id}" cannot go into a schedule string: use letters, digits, ".", "_", "/" and "-" only.`);
  }
  const body = `${SCHEDULE_FORMAT}:${scenario_id}:m${MODEL_VERSION}:${format_deviations(s)}`;
  return `${body}:${schedule_checksum(body)}`;
}

/** A parsed schedule string. */
export interface parsed_schedule {
  scenario_id: string;
  model_version: number;
  schedule: schedule;
}

const NUM_RE = /^(0|[1-9][0-9]{0,8})$/;

/**
 * parse_schedule - turn a schedule string back into a schedule. Throws a
 * schedule_string_error that says what is wrong: not a schedule string, a
 * damaged field, a wrong checksum, or (when @expect_scenario is given) a
 * string made for another scenario or another model version.
 */
export function parse_schedule(text: string, expect_scenario?: string): parsed_schedule {
  const s = text.trim();
  const fields = s.split(':');
  if (fields[0] !== SCHEDULE_FORMAT) {
    throw new schedule_string_error(
      `"${s}" is not a schedule string: it should start with "${SCHEDULE_FORMAT}:" (like ${SCHEDULE_FORMAT}:<scenario>:m${MODEL_VERSION}:<deviations>:<checksum>).`,
    );
  }
  if (fields.length !== 5) {
    throw new schedule_string_error(`malformed schedule string "${s}": expected 5 fields separated by ":" (${SCHEDULE_FORMAT}:<scenario>:m<version>:<deviations>:<checksum>), found ${fields.length}.`);
  }
  const [, id, ver, devs, sum] = fields as [string, string, string, string, string];
  if (!SCENARIO_ID_RE.test(id)) throw new schedule_string_error(`malformed schedule string "${s}": "${id}" is not a scenario id.`);
  const vm = /^m(0|[1-9][0-9]*)$/.exec(ver);
  if (!vm) throw new schedule_string_error(`malformed schedule string "${s}": the third field should be the model version, like "m${MODEL_VERSION}", not "${ver}".`);
  if (!/^[0-9a-f]{4}$/.test(sum)) throw new schedule_string_error(`malformed schedule string "${s}": the last field should be a 4-digit hex checksum, not "${sum}".`);
  const body = s.slice(0, s.length - sum.length - 1);
  if (schedule_checksum(body) !== sum) {
    throw new schedule_string_error(`schedule string "${s}" fails its checksum: it was altered or mistyped. Copy it again from the test output.`);
  }
  const schedule: deviation[] = [];
  if (devs !== '-') {
    let last = -1;
    for (const part of devs.split('.')) {
      const m = /^([^=]*)=([^=]*)$/.exec(part);
      if (!m || !NUM_RE.test(m[1]!) || !NUM_RE.test(m[2]!)) {
        throw new schedule_string_error(`malformed schedule string "${s}": "${part}" should be <decision>=<pid>, like "12=3".`);
      }
      const at = Number(m[1]);
      const pid = Number(m[2]);
      if (at <= last) throw new schedule_string_error(`malformed schedule string "${s}": decisions must be listed in increasing order, and ${at} comes after ${last}.`);
      if (pid === 0) throw new schedule_string_error(`malformed schedule string "${s}": pid 0 (the idle task) is never a choice.`);
      schedule.push({ at, pid });
      last = at;
    }
  }
  const model_version = Number(vm[1]);
  if (expect_scenario !== undefined && id !== expect_scenario) {
    throw new schedule_string_error(`schedule string "${s}" is for scenario "${id}", not "${expect_scenario}".`);
  }
  if (model_version !== MODEL_VERSION) {
    throw new schedule_string_error(
      `schedule string "${s}" was made by model version ${model_version}, and this is version ${MODEL_VERSION}: ` +
        'the kernel model changed since, so it may not denote the same run. Run the explorer again for a fresh string.',
    );
  }
  return { scenario_id: id, model_version, schedule };
}
