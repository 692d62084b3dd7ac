// Models: lib/random32.c (prandom_u32_state), v4.11, in spirit only: a small
// seeded generator (xorshift32) so that every "random" choice in the model is
// reproducible from the boot seed. Never Math.random.

export class prandom_state {
  private s: number;
  constructor(seed: number) {
    // 0 is a fixed point of xorshift; mix the seed so small seeds differ a lot.
    this.s = (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) >>> 0) || 0x6d2b79f5;
  }
  /** prandom_u32_state - the next 32-bit value. */
  u32(): number {
    let x = this.s;
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    this.s = x;
    return x;
  }
  /** A value in [0, n). */
  below(n: number): number {
    return this.u32() % n;
  }
}
