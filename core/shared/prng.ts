/**
 * A small deterministic pseudo-random generator (mulberry32): the same sequence for the same seed, so the
 * demo data is the same on every first start and a bench run's order can be repeated. Not for secrets.
 * Returns numbers in [0, 1).
 */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
