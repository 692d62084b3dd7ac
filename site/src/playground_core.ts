// The replay playground's engine, without the page: the thread's scenarios by
// id, and "replay this schedule string" as plain data. It runs the kernel
// model in the browser (and in node, for the tests): explorer/ and
// scenarios/ use no Node APIs.
import { format_schedule, parse_schedule, replay, type scenario } from '../../explorer/index';
import { count_hides_memory, flush_from_reclaim, rcu_hang, shrinker_lock_recursion } from '../../scenarios/thread';

/** The thread's scenarios, in the order the lessons meet them. */
export function playground_scenarios(): scenario[] {
  return [rcu_hang('4.10'), rcu_hang('4.11'), shrinker_lock_recursion('mutex_lock'), flush_from_reclaim(true), count_hides_memory('trylock')];
}

export type playground_result =
  | { ok: true; scenario_id: string; schedule_string: string; dmesg: string; timeline: string; failures: string[] }
  | { ok: false; error: string };

/** default_schedule_string - the string that replays @sc under the kernel's own (default) schedule. */
export function default_schedule_string(sc: scenario): string {
  return format_schedule(sc.id, []);
}

/** run_schedule_string - replay @text against the scenario it names; errors come back as data. */
export async function run_schedule_string(text: string, scenarios: readonly scenario[] = playground_scenarios()): Promise<playground_result> {
  const trimmed = text.trim();
  if (!trimmed) return { ok: false, error: 'Paste a schedule string first (it starts with "sl1:").' };
  let id: string;
  try {
    id = parse_schedule(trimmed).scenario_id;
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
  const sc = scenarios.find((s) => s.id === id);
  if (!sc) return { ok: false, error: `The playground does not know scenario "${id}". It knows: ${scenarios.map((s) => s.id).join(', ')}.` };
  try {
    const r = await replay(sc, trimmed);
    return {
      ok: true,
      scenario_id: sc.id,
      schedule_string: r.schedule_string,
      dmesg: r.dmesg_text,
      timeline: r.timeline_text,
      failures: r.failures.map((f) => `${f.kind}: ${f.title}`),
    };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}
