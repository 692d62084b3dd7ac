// Models: kernel/printk/printk.c, v4.11: the log buffer that dmesg reads.
// Each line carries the "[%5lu.%06lu] " timestamp of the virtual clock, so the
// model's log reads like a real kernel's and two runs with the same schedule
// produce the same bytes.
import { register_initcall } from '../init/initcall';
import { ktime_get_ns, NSEC_PER_SEC } from '../time/timekeeping';
import { FP_LOG, footprint_write } from '../footprint';

export const KERN_EMERG = 0;
export const KERN_ALERT = 1;
export const KERN_CRIT = 2;
export const KERN_ERR = 3;
export const KERN_WARNING = 4;
export const KERN_NOTICE = 5;
export const KERN_INFO = 6;
export const KERN_DEBUG = 7;

export interface printk_record {
  ts_ns: number;
  level: number;
  text: string;
}

let log_buf: printk_record[] = [];
let listeners: Array<(r: printk_record) => void> = [];

register_initcall('core', 'printk', () => {
  log_buf = [];
  listeners = [];
});

/** printk - append one or more lines at @level to the log buffer. */
export function printk(level: number, text: string): void {
  footprint_write(FP_LOG);
  const ts_ns = ktime_get_ns();
  for (const line of text.split('\n')) {
    const r = { ts_ns, level, text: line };
    log_buf.push(r);
    for (const l of listeners) l(r);
  }
}

export const pr_emerg = (s: string): void => printk(KERN_EMERG, s);
export const pr_err = (s: string): void => printk(KERN_ERR, s);
export const pr_warn = (s: string): void => printk(KERN_WARNING, s);
export const pr_info = (s: string): void => printk(KERN_INFO, s);
export const pr_debug = (s: string): void => printk(KERN_DEBUG, s);

/** "[  460.684901] " for a timestamp, as printk's print_time() writes it. */
export function format_timestamp(ts_ns: number): string {
  const secs = Math.floor(ts_ns / NSEC_PER_SEC);
  const usecs = Math.floor((ts_ns % NSEC_PER_SEC) / 1000);
  return `[${String(secs).padStart(5, ' ')}.${String(usecs).padStart(6, '0')}] `;
}

/** The log buffer as `dmesg` prints it. */
export function dmesg(): string[] {
  return log_buf.map((r) => format_timestamp(r.ts_ns) + r.text);
}

/** The raw records (for the study site and tests). */
export function log_records(): readonly printk_record[] {
  return log_buf;
}

/** Be told of each new line (the CLI streams dmesg with this). */
export function printk_listen(fn: (r: printk_record) => void): void {
  listeners.push(fn);
}
