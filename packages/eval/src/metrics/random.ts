/**
 * A small seeded PRNG (sfc32, state expanded from the seed with splitmix32) so bootstrap intervals,
 * SVM coordinate order and head initialisation repeat exactly across runs and machines.
 * Math.random cannot be seeded; crypto is slow and not repeatable.
 */
export interface Rng {
  /** Uniform in [0, 1), 32 bits of randomness. */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Standard normal (Box–Muller). */
  normal(): number;
  /** Fills out[0..count) with uniform integers in [0, n): the bootstrap's hot loop, with the state in locals. */
  fillInts(out: Int32Array, n: number, count?: number): void;
}

export function createRng(seed: number): Rng {
  let s = seed >>> 0;
  const splitmix = (): number => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = splitmix();
  const u32 = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t;
  };
  for (let i = 0; i < 12; i++) u32();
  let spare: number | null = null;
  return {
    next: () => u32() / 4294967296,
    fillInts: (out, n, count = out.length) => {
      let la = a;
      let lb = b;
      let lc = c;
      let ld = d;
      const scale = n / 4294967296;
      for (let i = 0; i < count; i++) {
        const t = (((la + lb) >>> 0) + ld) >>> 0;
        ld = (ld + 1) >>> 0;
        la = lb ^ (lb >>> 9);
        lb = (lc + (lc << 3)) >>> 0;
        lc = ((lc << 21) | (lc >>> 11)) >>> 0;
        lc = (lc + t) >>> 0;
        out[i] = Math.floor(t * scale);
      }
      a = la;
      b = lb;
      c = lc;
      d = ld;
    },
    int: (n) => Math.floor((u32() / 4294967296) * n),
    normal: () => {
      if (spare !== null) {
        const v = spare;
        spare = null;
        return v;
      }
      let u = 0;
      while (u === 0) u = u32() / 4294967296;
      const v = u32() / 4294967296;
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return r * Math.cos(2 * Math.PI * v);
    },
  };
}
