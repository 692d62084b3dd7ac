// The kernel model, in this process: what one boot costs (start_kernel with
// an empty setup: every initcall, then a scheduler with nothing to run), and
// the scheduler's raw speed on a trivial ping-pong of two tasks handing a
// completion back and forth (every step is a switch, no reclaim, no locks).
// The ping-pong rate is the floor for the explorer's steps per second.
import { user_task } from '../kernel/fork';
import { start_kernel } from '../kernel/init/main';
import { complete, init_completion, wait_for_completion } from '../kernel/sched/completion';
import { DECISIVE_RELOCATION, run_relocation } from '../scenarios/pin_before_alloc';
import { cpu_now } from './measure';
import { make_row, type row } from './row';

/** boot_cost - median time of one start_kernel({}, () => {}) over batches of @batch boots. */
export async function boot_cost(batches: number, batch: number): Promise<row> {
  // Warm-up, not measured: as many boots as an exploration of a few hundred schedules makes. After 50 a boot
  // still cost 207 µs of CPU; after 500, 24 µs (V8 optimises the boot path only after hundreds of runs).
  for (let i = 0; i < 1000; i++) await start_kernel({}, () => {});
  const per_boot: number[] = [];
  for (let b = 0; b < batches; b++) {
    const t0 = cpu_now();
    for (let i = 0; i < batch; i++) await start_kernel({}, () => {});
    per_boot.push((cpu_now() - t0) / batch);
  }
  return make_row('kernel.boot', 'start_kernel, empty setup (per boot)', 'ms', per_boot);
}

async function pingpong(rounds: number): Promise<{ steps: number; stop: string }> {
  const r = await start_kernel({ max_steps: 100 * rounds }, () => {
    const ping = init_completion('ping');
    const pong = init_completion('pong');
    user_task(async () => {
      for (let i = 0; i < rounds; i++) {
        complete(ping);
        await wait_for_completion(pong);
      }
    }, 'pinger');
    user_task(async () => {
      for (let i = 0; i < rounds; i++) {
        await wait_for_completion(ping);
        complete(pong);
      }
    }, 'ponger');
  });
  return { steps: r.steps, stop: r.stop };
}

/** sched_rate - scheduler steps per second of a two-task ping-pong of @rounds round trips. */
export async function sched_rate(reps: number, rounds: number): Promise<row> {
  await pingpong(rounds); // warm-up
  const rates: number[] = [];
  let info = '';
  for (let i = 0; i < reps; i++) {
    const t0 = cpu_now();
    const r = await pingpong(rounds);
    rates.push(r.steps / ((cpu_now() - t0) / 1000));
    info = `${rounds} round trips, ${r.steps} steps, stop: ${r.stop}`;
  }
  return make_row('kernel.pingpong', 'scheduler, 2-task ping-pong', 'steps/s', rates, { note: info });
}

/**
 * big_machine_cost - CPU of one run of 06's decisive relocation (free memory
 * filled down to the min watermark, then the reference-shaped relocation
 * with struct_mutex held) on a machine of @pages, median of @reps: what a
 * check pays for a big machine under pressure. The boot itself costs nothing
 * per page of RAM (the zone counts free pages, a struct page is made when its
 * frame is handed out); the fill takes at most about 16384 blocks
 * (scenarios/pin_before_alloc.ts fill_max_order). One row per size.
 */
export async function big_machine_cost(reps: number, sizes: Array<[key: string, label: string, pages: number]>): Promise<row[]> {
  const relocate = async (): Promise<number> => 0; // the cost of the machine, not of an answer
  await run_relocation({ ...DECISIVE_RELOCATION, totalram_pages: sizes[0]![2] }, relocate); // warm-up
  const rows: row[] = [];
  for (const [key, label, pages] of sizes) {
    const per_run: number[] = [];
    for (let i = 0; i < reps; i++) {
      const t0 = cpu_now();
      await run_relocation({ ...DECISIVE_RELOCATION, totalram_pages: pages }, relocate);
      per_run.push(cpu_now() - t0);
    }
    rows.push(make_row(`kernel.machine_at_min.${key}`, `06's relocation at min, ${label} of RAM (per run)`, 'ms', per_run));
  }
  return rows;
}
