// Happens-before over one run's steps, kept from run to run.
//
// The DPOR search (dpor.ts) replays every schedule from a fresh boot, and a
// new schedule repeats the previous one up to its first new decision: the
// steps before it are the same steps, with the same footprints (the search
// checks that, or says the scenario is not deterministic). Their vector
// clocks and the per-object "latest access of each task" tables are the same
// too, so instead of recomputing them over the whole run after every
// schedule, this keeps them, rolls the tables back to the first new step
// (an undo log) and computes only the new steps. Only races whose later step
// is new are reported: the others were found after an earlier run.
//
// Tasks are columns numbered in the order they first step (pids may be
// anywhere up to PID_MAX_LIMIT: boot param first_pid); a step's clock holds,
// per task, 1 + the index of that task's latest step ordered before it.

/** What the race finder needs of one step. */
export interface hb_step {
  pid: number;
  reads: Iterable<number> | null;
  writes: Iterable<number> | null;
  adds: Iterable<number> | null;
  /**
   * Range reads (footprint_read_range), flat: object, value, lo, hi: the step behaves alike while the object's value
   * stays in [lo, hi] (the recorder keeps one entry per object, relative: value 0, lo and hi the shifts allowed).
   */
  ranges: readonly number[] | null;
  /** Net delta of the step's adds per object, flat: object, delta (NaN: not known). */
  deltas: readonly number[] | null;
  opaque: boolean;
}

/** Tables the undo log names: the latest step of each task, its latest opaque step, and per object its latest write, read, add. */
const T_LAST = 0;
const T_OPAQUE = 1;
const T_WRITE = 2;
const T_READ = 3;
const T_ADD = 4;
const T_RANGE = 5;

/**
 * Per counter object, its adds in step order, flat: step, task column,
 * delta, and after it the running totals of positive deltas, of negative
 * deltas and of adds whose delta is not known.
 */
const ADD_FIELDS = 6;
/**
 * Per counter object, its range reads in step order, flat: step, column,
 * value, lo, hi, the positive and negative sums of the earlier adds that were
 * not ordered before it, whether one of them was of unknown delta (1/0), and
 * the add totals (positive, negative, unknown) when it was made.
 */
const RANGE_FIELDS = 11;

/** Per task, the later of @cand and @a (a table's latest steps). */
function take_latest(cand: Int32Array, a: Int32Array | undefined, width: number): void {
  if (a) for (let q = 0; q < width; q++) if (a[q]! > cand[q]!) cand[q] = a[q]!;
}

/** Task columns allocated at first (doubled when a run has more tasks), and steps. */
const INITIAL_TASKS = 8;
const INITIAL_STEPS = 256;

export class happens_before {
  /** Task columns allocated (a clock's stride), and in use. */
  private cap = INITIAL_TASKS;
  width = 0;
  /** The pid of each column, and back. */
  readonly pids: number[] = [];
  private readonly column = new Map<number, number>();
  /** Steps whose clocks and table updates are valid (a prefix of the current run). */
  private n = 0;
  /** Each step's task column. */
  task: Int32Array = new Int32Array(INITIAL_STEPS);
  /** One clock per step, @cap entries each. */
  store: Int32Array = new Int32Array(INITIAL_STEPS * INITIAL_TASKS);
  private last_of: Int32Array = new Int32Array(INITIAL_TASKS).fill(-1);
  private last_opaque: Int32Array = new Int32Array(INITIAL_TASKS).fill(-1);
  private readonly tables: Map<number, Int32Array>[] = [new Map(), new Map(), new Map(), new Map()]; // write, read, add, range read
  /** Counters' adds and range reads (ADD_FIELDS, RANGE_FIELDS): value-level independence. */
  private readonly add_log = new Map<number, number[]>();
  private readonly range_log = new Map<number, number[]>();
  /** The clock of the step being added before its conditional conflicts (which it decides). */
  private pre: Int32Array = new Int32Array(INITIAL_TASKS);
  /** Undo log: (table, object, column, old value) per change; where each step's changes begin. */
  private undo: number[] = [];
  private step_undo: Int32Array = new Int32Array(INITIAL_STEPS);
  private readonly cand_buf: Int32Array[] = [new Int32Array(INITIAL_TASKS)];

  /** Entry @r (a task column) of step @k's clock. */
  clock(k: number, r: number): number {
    return this.store[k * this.cap + r]!;
  }

  private col(pid: number): number {
    let c = this.column.get(pid);
    if (c !== undefined) return c;
    c = this.width++;
    if (c >= this.cap) this.grow_columns(this.cap * 2);
    this.column.set(pid, c);
    this.pids.push(pid);
    return c;
  }

  private grow_columns(cap: number): void {
    const old = this.cap;
    const store = new Int32Array((this.store.length / old) * cap);
    for (let k = 0; k < this.n; k++) store.set(this.store.subarray(k * old, k * old + old), k * cap);
    this.store = store;
    const widen = (a: Int32Array): Int32Array => {
      const b = new Int32Array(cap).fill(-1);
      b.set(a);
      return b;
    };
    this.last_of = widen(this.last_of);
    this.last_opaque = widen(this.last_opaque);
    for (const m of this.tables) for (const [o, a] of m) m.set(o, widen(a));
    this.cand_buf[0] = new Int32Array(cap);
    this.pre = new Int32Array(cap);
    this.cap = cap;
  }

  private grow_steps(steps: number): void {
    let len = this.task.length;
    while (len < steps) len *= 2;
    if (len === this.task.length) return;
    const task = new Int32Array(len);
    task.set(this.task.subarray(0, this.n));
    this.task = task;
    const su = new Int32Array(len);
    su.set(this.step_undo.subarray(0, this.n));
    this.step_undo = su;
    const store = new Int32Array(len * this.cap);
    store.set(this.store.subarray(0, this.n * this.cap));
    this.store = store;
  }

  private table(t: number, o: number): Int32Array {
    const m = this.tables[t - T_WRITE]!;
    let a = m.get(o);
    if (!a) {
      a = new Int32Array(this.cap).fill(-1);
      m.set(o, a);
    }
    return a;
  }

  private array_of(t: number, o: number): Int32Array {
    return t === T_LAST ? this.last_of : t === T_OPAQUE ? this.last_opaque : this.table(t, o);
  }

  private set(t: number, o: number, col: number, v: number): void {
    const a = this.array_of(t, o);
    this.undo.push(t, o, col, a[col]!);
    a[col] = v;
  }

  /** Undo every step from @k on. */
  private roll_back(k: number): void {
    if (k >= this.n) return;
    const to = this.step_undo[k]!;
    const u = this.undo;
    for (let x = u.length - 4; x >= to; x -= 4) this.array_of(u[x]!, u[x + 1]!)[u[x + 2]!] = u[x + 3]!;
    u.length = to;
    for (const log of this.add_log.values()) while (log.length > 0 && log[log.length - ADD_FIELDS]! >= k) log.length -= ADD_FIELDS;
    for (const log of this.range_log.values()) while (log.length > 0 && log[log.length - RANGE_FIELDS]! >= k) log.length -= RANGE_FIELDS;
    this.n = k;
  }

  /** Log step @j's (column @p) net add of @delta to counter @o. */
  private log_add(o: number, j: number, p: number, delta: number): void {
    let log = this.add_log.get(o);
    if (!log) this.add_log.set(o, (log = []));
    const e = log.length;
    const pos = e > 0 ? log[e - 3]! : 0;
    const neg = e > 0 ? log[e - 2]! : 0;
    const unk = e > 0 ? log[e - 1]! : 0;
    const known = !Number.isNaN(delta);
    log.push(j, p, delta, pos + (known && delta > 0 ? delta : 0), neg + (known && delta < 0 ? delta : 0), unk + (known ? 0 : 1));
  }

  /**
   * Conditional conflicts of step @j (column @p, clock so far @pre, the
   * earliest step of another task not ordered before it @min_open): raise
   * @cand to the latest step of each task that conflicts with it only through
   * a counter's value. Two cases, both conservative over every order of the
   * adds that are not ordered against the read:
   * - j range-reads counter o (value v, same answer in [lo, hi]): the earlier
   *   adds to o not ordered before j could all run after it instead; if
   *   leaving out their positive sum or their negative sum could take v out of
   *   [lo, hi], all of them conflict with j.
   * - j adds to o: an earlier range read of o not ordered before j could see,
   *   in some order, its value less those earlier adds and plus any later ones
   *   up to j (the totals since the read); if that window leaves its [lo, hi],
   *   the read conflicts with j.
   */
  private value_conflicts(e: hb_step, j: number, p: number, cand: Int32Array, min_open: number): void {
    const pre = this.pre;
    if (e.deltas) {
      for (let x = 0; x < e.deltas.length; x += 2) {
        const o = e.deltas[x]!;
        const reads = this.range_log.get(o);
        if (!reads || reads.length === 0) continue;
        const adds = this.add_log.get(o)!;
        const a = adds.length - ADD_FIELDS;
        const pos_now = adds[a + 3]!;
        const neg_now = adds[a + 4]!;
        const unk_now = adds[a + 5]!;
        for (let r = reads.length - RANGE_FIELDS; r >= 0; r -= RANGE_FIELDS) {
          const i = reads[r]!;
          if (i < min_open) break;
          const q = reads[r + 1]!;
          if (q === p || pre[q]! >= i + 1 || cand[q]! >= i) continue;
          const v = reads[r + 2]!;
          const low = v - reads[r + 5]! + (neg_now - reads[r + 9]!);
          const high = v - reads[r + 6]! + (pos_now - reads[r + 8]!);
          const unknown = reads[r + 7]! > 0 || unk_now - reads[r + 10]! > 0;
          if (unknown || low < reads[r + 3]! || high > reads[r + 4]!) cand[q] = i;
        }
      }
    }
    if (e.ranges) {
      for (let x = 0; x < e.ranges.length; x += 4) {
        const o = e.ranges[x]!;
        const adds = this.add_log.get(o);
        let pos = 0;
        let neg = 0;
        let unk = 0;
        if (adds) {
          for (let a = adds.length - ADD_FIELDS; a >= 0; a -= ADD_FIELDS) {
            const i = adds[a]!;
            if (i < min_open) break;
            const q = adds[a + 1]!;
            if (q === p || pre[q]! >= i + 1) continue;
            const d = adds[a + 2]!;
            if (Number.isNaN(d)) unk = 1;
            else if (d > 0) pos += d;
            else neg += d;
          }
        }
        const v = e.ranges[x + 1]!;
        if (unk > 0 || v - pos < e.ranges[x + 2]! || v - neg > e.ranges[x + 3]!) {
          // Some order of these adds changes the answer: all of them conflict with j.
          for (let a = adds!.length - ADD_FIELDS; a >= 0; a -= ADD_FIELDS) {
            const i = adds![a]!;
            if (i < min_open) break;
            const q = adds![a + 1]!;
            if (q === p || pre[q]! >= i + 1) continue;
            if (i > cand[q]!) cand[q] = i;
          }
        }
        let log = this.range_log.get(o);
        if (!log) this.range_log.set(o, (log = []));
        const last = adds && adds.length > 0 ? adds.length - ADD_FIELDS : -1;
        log.push(j, p, v, e.ranges[x + 2]!, e.ranges[x + 3]!, pos, neg, unk, last >= 0 ? adds![last + 3]! : 0, last >= 0 ? adds![last + 4]! : 0, last >= 0 ? adds![last + 5]! : 0);
      }
    }
  }

  /**
   * update - make the tables those of @events (a run whose steps before
   * @from are the previous run's), and return the races whose later step is
   * at or after @from, as flat pairs (i, j): two conflicting steps of
   * different tasks, i before j, not ordered through another step.
   */
  update(events: readonly hb_step[], from: number): number[] {
    const start = Math.min(from, this.n);
    this.roll_back(start);
    const total = events.length;
    this.grow_steps(total);
    const races: number[] = [];
    const [tw, tr, ta, tg] = this.tables;
    for (let j = start; j < total; j++) {
      const e = events[j]!;
      const p = this.col(e.pid);
      const width = this.width;
      const cap = this.cap;
      const cand = this.cand_buf[0]!;
      cand.fill(-1, 0, width);
      if (e.opaque) {
        for (let q = 0; q < width; q++) cand[q] = this.last_of[q]!;
      } else {
        const lo = this.last_opaque;
        for (let q = 0; q < width; q++) cand[q] = lo[q]!;
        // A write conflicts with every access; an add with reads and writes; a read with writes and adds.
        if (e.writes) {
          for (const o of e.writes) {
            take_latest(cand, tw!.get(o), width);
            take_latest(cand, tr!.get(o), width);
            take_latest(cand, ta!.get(o), width);
            take_latest(cand, tg!.get(o), width);
          }
        }
        if (e.ranges) for (let x = 0; x < e.ranges.length; x += 4) take_latest(cand, tw!.get(e.ranges[x]!), width);
        if (e.reads) {
          for (const o of e.reads) {
            take_latest(cand, tw!.get(o), width);
            take_latest(cand, ta!.get(o), width);
          }
        }
        if (e.adds) {
          for (const o of e.adds) {
            take_latest(cand, tw!.get(o), width);
            take_latest(cand, tr!.get(o), width);
          }
        }
      }
      this.task[j] = p;
      this.step_undo[j] = this.undo.length;
      const prev = this.last_of[p]!;
      const store = this.store;
      const base = j * cap;
      if (!e.opaque && (e.deltas || e.ranges)) {
        // j's clock from its other conflicts, to tell which counter accesses are not ordered before it.
        const pre = this.pre;
        if (prev >= 0) pre.set(store.subarray(prev * cap, prev * cap + width));
        else pre.fill(0, 0, width);
        for (let q = 0; q < width; q++) {
          const i = cand[q]!;
          if (q === p || i < 0) continue;
          const bi = i * cap;
          for (let r = 0; r < width; r++) if (store[bi + r]! > pre[r]!) pre[r] = store[bi + r]!;
        }
        let min_open = j;
        for (let q = 0; q < width; q++) if (q !== p && pre[q]! < min_open) min_open = pre[q]!;
        if (e.deltas) for (let x = 0; x < e.deltas.length; x += 2) this.log_add(e.deltas[x]!, j, p, e.deltas[x + 1]!);
        this.value_conflicts(e, j, p, cand, min_open);
      }
      if (prev >= 0) store.copyWithin(base, prev * cap, prev * cap + width);
      else store.fill(0, base, base + width);
      for (let q = 0; q < width; q++) {
        if (q === p) continue;
        const i = cand[q]!;
        if (i < 0) continue;
        // A race unless i is already ordered before j's task's previous step.
        if (j >= from && (prev < 0 || store[prev * cap + q]! < i + 1)) races.push(i, j);
        const bi = i * cap;
        for (let r = 0; r < width; r++) if (store[bi + r]! > store[base + r]!) store[base + r] = store[bi + r]!;
      }
      store[base + p] = j + 1;
      this.set(T_LAST, -1, p, j);
      if (e.opaque) this.set(T_OPAQUE, -1, p, j);
      if (e.writes) for (const o of e.writes) this.set(T_WRITE, o, p, j);
      if (e.reads) for (const o of e.reads) this.set(T_READ, o, p, j);
      if (e.adds) for (const o of e.adds) this.set(T_ADD, o, p, j);
      if (e.ranges) for (let x = 0; x < e.ranges.length; x += 4) this.set(T_RANGE, e.ranges[x]!, p, j);
      this.n = j + 1;
    }
    return races;
  }
}
