// Models: mm/backing-dev.c (congestion_wait), v4.11.
// congestion_wait sleeps until a backing device stops being congested or
// @timeout passes. The model has no congestion state: it always sleeps the
// whole timeout (a writeback completes meanwhile: page_writeback.ts).
import { schedule_timeout_uninterruptible } from '../sched/core';

export const BLK_RW_ASYNC = 0;
export const BLK_RW_SYNC = 1;

/** congestion_wait - wait for I/O to make progress, at most @timeout jiffies. */
export async function congestion_wait(sync: number, timeout: number): Promise<number> {
  void sync;
  return schedule_timeout_uninterruptible(timeout);
}
