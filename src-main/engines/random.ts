/**
 * Seeded random numbers for the Monte Carlo engines: xoshiro128** (Blackman & Vigna 2018) seeded through
 * splitmix32, with `fork(seed, streamIndex)` giving an independent, reproducible stream per scenario or worker;
 * uniforms on [0, 1) with 53 random bits; normals by Box–Muller; gamma by Marsaglia & Tsang (2000) and beta as
 * G_a / (G_a + G_b). The distribution functions the samplers invert are in special-functions.ts. Engines only: no I/O.
 */

/** splitmix32 output function (a 32-bit finaliser) of a state. */
function mix32(state: number): number {
  let z = state;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return z ^ (z >>> 16); // int32, so the generator's fields stay small integers
}

const GOLDEN = 0x9e3779b9 | 0;

/** A xoshiro128** generator; `reseed` reuses the object (no allocation in hot loops). */
export class Rng {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private spareNormal = Number.NaN;

  constructor(seed: number, streamIndex = 0) {
    this.reseed(seed, streamIndex);
  }

  /** Sets the state from (seed, streamIndex): streams with different indices are statistically independent. */
  reseed(seed: number, streamIndex = 0): void {
    // Hash (seed, streamIndex) into a splitmix32 state, then draw the four words of xoshiro's state from it.
    const high = Math.floor(streamIndex / 4294967296) >>> 0;
    let state = mix32(((seed >>> 0) ^ 0x5bd1e995) + GOLDEN);
    state = mix32((state ^ Math.imul(streamIndex >>> 0, 0x27d4eb2d)) + GOLDEN);
    state = mix32((state ^ high) + 2 * GOLDEN);
    this.s0 = mix32((state = (state + GOLDEN) | 0));
    this.s1 = mix32((state = (state + GOLDEN) | 0));
    this.s2 = mix32((state = (state + GOLDEN) | 0));
    this.s3 = mix32((state = (state + GOLDEN) | 0));
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
    this.spareNormal = Number.NaN;
  }

  /** Next 32 random bits as an unsigned integer. */
  nextUint32(): number {
    const s1 = this.s1;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform on [0, 1) with 53 random bits. */
  uniform(): number {
    const high = this.nextUint32() >>> 5;
    const low = this.nextUint32() >>> 6;
    return (high * 67108864 + low) / 9007199254740992;
  }

  /** Uniform on (0, 1): never exactly 0. */
  uniformOpen(): number {
    let u = this.uniform();
    while (u === 0) u = this.uniform();
    return u;
  }

  /** Standard normal by Box–Muller (pairs cached). */
  normal(): number {
    if (!Number.isNaN(this.spareNormal)) {
      const z = this.spareNormal;
      this.spareNormal = Number.NaN;
      return z;
    }
    const radius = Math.sqrt(-2 * Math.log(this.uniformOpen()));
    const angle = 2 * Math.PI * this.uniform();
    this.spareNormal = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  }

  /** Gamma(shape, 1) by Marsaglia–Tsang (shape < 1 via the U^(1/shape) boost). */
  gamma(shape: number): number {
    if (shape < 1) return this.gamma(shape + 1) * Math.pow(this.uniformOpen(), 1 / shape);
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let z: number;
      let v: number;
      do {
        z = this.normal();
        v = 1 + c * z;
      } while (v <= 0);
      v = v * v * v;
      const u = this.uniformOpen();
      if (u < 1 - 0.0331 * z * z * z * z) return d * v;
      if (Math.log(u) < 0.5 * z * z + d * (1 - v + Math.log(v))) return d * v;
    }
  }

  /** Beta(a, b) as G_a / (G_a + G_b). */
  beta(a: number, b: number): number {
    const x = this.gamma(a);
    const y = this.gamma(b);
    return x + y > 0 ? x / (x + y) : 0;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** An independent stream for (seed, streamIndex), e.g. one per worker or per scenario. */
export function fork(seed: number, streamIndex: number): Rng {
  return new Rng(seed, streamIndex);
}
