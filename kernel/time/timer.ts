// Models: kernel/time/timer.c (struct timer_list, mod_timer, del_timer), v4.11.
// Timers fire in order of expiry, ties in order of arming, when the virtual
// clock reaches them. Their functions run in (modelled) softirq context and
// must not sleep: they may only wake tasks or queue work.
import { register_initcall } from '../init/initcall';
import { FP_TIMERS, footprint_opaque, footprint_write } from '../footprint';

export class timer_list {
  /** jiffies at which the timer fires, or -1 when not armed. */
  expires = -1;
  /** Arming order, so timers that expire together fire deterministically. */
  seq = 0;
  constructor(
    public fn: (t: timer_list) => void,
    public name: string,
  ) {}
}

let pending: timer_list[] = [];
let seq = 0;

register_initcall('core', 'timers', () => {
  pending = [];
  seq = 0;
});

/** timer_setup - initialise @fn to run when the timer expires. */
export function timer_setup(fn: (t: timer_list) => void, name: string): timer_list {
  return new timer_list(fn, name);
}

/** mod_timer - (re)arm @timer to fire at @expires (jiffies). Returns true if it was pending. */
export function mod_timer(timer: timer_list, expires: number): boolean {
  footprint_write(FP_TIMERS);
  const was = del_timer(timer);
  timer.expires = expires;
  timer.seq = ++seq;
  pending.push(timer);
  return was;
}

/** del_timer - disarm @timer. Returns true if it was pending. */
export function del_timer(timer: timer_list): boolean {
  footprint_write(FP_TIMERS);
  const i = pending.indexOf(timer);
  if (i < 0) return false;
  pending.splice(i, 1);
  timer.expires = -1;
  return true;
}

export function timer_pending(timer: timer_list): boolean {
  return timer.expires >= 0;
}

/** The earliest expiry of any pending timer, or -1. */
export function model_next_timer_expiry(): number {
  let best = -1;
  for (const t of pending) if (best < 0 || t.expires < best) best = t.expires;
  return best;
}

/** Fire every timer that has expired at @now (jiffies). Returns how many fired. */
export function __run_timers(now: number): number {
  let fired = 0;
  for (;;) {
    let due: timer_list | null = null;
    for (const t of pending) {
      if (t.expires <= now && (!due || t.expires < due.expires || (t.expires === due.expires && t.seq < due.seq))) due = t;
    }
    if (!due) return fired;
    del_timer(due);
    footprint_opaque(); // a timer's function runs between steps, on behalf of none: order it against everything
    due.fn(due);
    fired++;
  }
}
