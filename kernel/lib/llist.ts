// Models: lib/llist.c and include/linux/llist.h, v4.11: a lock-less list.
// i915's RCU callback pushes freed objects here; only the push that finds the
// list empty queues the free worker, so one work item drains them all.
//
// The entries are the list's: they change only through llist_add() and
// llist_del_all(), as in C, where a llist_head is one `first` pointer that
// only those cmpxchg. As a plain array field, code handed the device could
// empty i915.mm.free_list (`items = []`, `items.length = 0`) so that the free
// worker never frees what was queued, or push objects onto it that were never
// released. Here the entries live in a private field; `items` reads a frozen
// copy (a snapshot, as a walk of a llist_del_all()'d chain would see), and
// the head refuses new properties.
import { model_struct } from '../model_struct';

let add!: <T>(item: T, head: llist_head<T>) => boolean;
let del_all!: <T>(head: llist_head<T>) => T[];
let empty!: <T>(head: llist_head<T>) => boolean;

export class llist_head<T> {
  /** Newest first, as llist_add pushes at the head. */
  #items: T[] = [];
  /** The entries, newest first: a frozen snapshot (only llist_add/llist_del_all change the list). */
  get items(): readonly T[] {
    return Object.freeze(this.#items.slice());
  }
  set items(_: readonly T[]) {
    throw new TypeError("Cannot assign to read only property 'items' of object '#<llist_head>': a lock-less list changes only through llist_add() and llist_del_all()");
  }
  constructor() {
    model_struct(this);
  }

  static {
    add = (item, head) => {
      const was_empty = head.#items.length === 0;
      head.#items.unshift(item);
      return was_empty;
    };
    del_all = (head) => {
      const all = head.#items;
      head.#items = [];
      return all;
    };
    empty = (head) => head.#items.length === 0;
  }
}

/** llist_add - push @item; returns true if the list was empty before. */
export function llist_add<T>(item: T, head: llist_head<T>): boolean {
  return add(item, head);
}

/** llist_del_all - take every entry (newest first), leaving the list empty. */
export function llist_del_all<T>(head: llist_head<T>): T[] {
  return del_all(head);
}

/** llist_empty - nothing queued? */
export function llist_empty<T>(head: llist_head<T>): boolean {
  return empty(head);
}
