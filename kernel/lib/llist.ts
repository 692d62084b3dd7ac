// Models: lib/llist.c and include/linux/llist.h, v4.11: a lock-less list.
// i915's RCU callback pushes freed objects here; only the push that finds the
// list empty queues the free worker, so one work item drains them all.
import { model_struct } from '../model_struct';

export class llist_head<T> {
  /** Newest first, as llist_add pushes at the head. */
  items: T[] = [];
  constructor() {
    model_struct(this);
  }
}

/** llist_add - push @item; returns true if the list was empty before. */
export function llist_add<T>(item: T, head: llist_head<T>): boolean {
  const was_empty = head.items.length === 0;
  head.items.unshift(item);
  return was_empty;
}

/** llist_del_all - take every entry (newest first), leaving the list empty. */
export function llist_del_all<T>(head: llist_head<T>): T[] {
  const all = head.items;
  head.items = [];
  return all;
}

/** llist_empty - nothing queued? */
export function llist_empty<T>(head: llist_head<T>): boolean {
  return head.items.length === 0;
}
