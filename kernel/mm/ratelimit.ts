// Models: lib/ratelimit.c (___ratelimit, DEFAULT_RATELIMIT_INTERVAL/BURST),
// v4.11, for mm's own messages (warn_alloc, the OOM killer's dump_header):
// at most 10 messages per 5 seconds of (virtual) time per call site.
// Simplified: the "N callbacks suppressed" line is not printed.
import { HZ, model_ticks } from '../time/timekeeping';

export const DEFAULT_RATELIMIT_INTERVAL = 5 * HZ;
export const DEFAULT_RATELIMIT_BURST = 10;

export class ratelimit_state {
  begin = 0;
  printed = 0;
  constructor(
    public readonly interval = DEFAULT_RATELIMIT_INTERVAL,
    public readonly burst = DEFAULT_RATELIMIT_BURST,
  ) {}
}

/** __ratelimit - may this call site print now? */
export function __ratelimit(rs: ratelimit_state): boolean {
  const now = model_ticks();
  if (rs.printed === 0 || now - rs.begin >= rs.interval) {
    rs.begin = now;
    rs.printed = 0;
  }
  if (rs.printed >= rs.burst) return false;
  rs.printed++;
  return true;
}
