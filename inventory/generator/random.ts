/**
 * A small, fast, seedable random number generator (sfc32) with the distributions the generator
 * needs. Every random choice of the generator goes through an `Rng` derived from the user's seed,
 * so the same seed always produces the same data, on every machine.
 */

const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');
const UUID_BUFFER = Buffer.alloc(36);

/**
 * cyrb128: hashes a string into four 32-bit words. Used only to seed independent streams, so two
 * labels never share a 128-bit starting state in practice (a 32-bit seed per stream would collide
 * among tens of thousands of SKUs).
 */
function cyrb128(text: string): [number, number, number, number] {
  let h1 = 1779033703,
    h2 = 3144134277,
    h3 = 1013904242,
    h4 = 2773480762;
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** A stream for `seed` and a label path, e.g. `new Rng(42, 'history', 17)`. */
  constructor(seed: number, ...labels: Array<string | number>) {
    [this.a, this.b, this.c, this.d] = cyrb128([seed, ...labels].join('/'));
    for (let i = 0; i < 12; i++) this.u32();
  }

  /** A uniform 32-bit unsigned integer. */
  u32(): number {
    this.a |= 0;
    this.b |= 0;
    this.c |= 0;
    this.d |= 0;
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A uniform number in [0, 1). */
  next(): number {
    return this.u32() / 4294967296;
  }

  /** A uniform integer in [min, max] (both inclusive). */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** A uniform number in [min, max). */
  uniform(min: number, max: number): number {
    return min + this.next() * (max - min);
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** A standard normal variate (Box–Muller; one of the pair is discarded to keep streams simple). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** A Poisson count with mean `lambda` (Knuth below 30, a rounded normal above). */
  poisson(lambda: number): number {
    if (lambda <= 0) return 0;
    if (lambda >= 30) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * this.normal()));
    const limit = Math.exp(-lambda);
    let k = 0;
    let p = this.next();
    while (p > limit) {
      k++;
      p *= this.next();
    }
    return k;
  }

  /** An index drawn from a cumulative weight table (last entry = total weight). */
  weighted(cumulative: ArrayLike<number>): number {
    const target = this.next() * cumulative[cumulative.length - 1]!;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cumulative[mid]! > target) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** A UUID with the version-4 layout, whose 122 random bits come from this stream. */
  uuid(): string {
    // Written into one buffer and decoded once: a flat string, not a chain of concatenations that
    // the garbage collector would have to walk for every one of millions of rows.
    let p = 0;
    for (let w = 0; w < 4; w++) {
      let x = this.u32();
      if (w === 1) x = (x & 0xffff0fff) | 0x00004000; // version nibble = 4
      if (w === 2) x = (x & 0x3fffffff) | 0x80000000; // variant bits = 10
      for (let shift = 28; shift >= 0; shift -= 4) {
        if (p === 8 || p === 13 || p === 18 || p === 23) UUID_BUFFER[p++] = 0x2d;
        UUID_BUFFER[p++] = HEX_DIGITS[(x >>> shift) & 15]!;
      }
    }
    return UUID_BUFFER.toString('latin1', 0, 36);
  }
}

/** Cumulative sums of `weights`, for `Rng.weighted`. */
export function cumulative(weights: readonly number[]): number[] {
  let sum = 0;
  return weights.map((w) => (sum += w));
}
