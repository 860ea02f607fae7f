import type { MixEntry } from './options.js';

/** A small seeded PRNG (mulberry32): the same --seed gives the same task order and the same chaos victims. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface PlannedTask {
  seq: number;
  tenantIndex: number;
  entry: MixEntry;
}

/**
 * `tasks` tasks: tenants in turn (every tenant gets the same number, ±1), kinds in the mix's proportions
 * (largest remainder, so 20 tasks of 80/15/5 are 16/3/1), then shuffled so kinds interleave.
 */
export function planTasks(
  tasks: number,
  tenants: number,
  mix: MixEntry[],
  random: () => number,
): PlannedTask[] {
  const total = mix.reduce((sum, e) => sum + e.weight, 0);
  const exact = mix.map((e) => (e.weight / total) * tasks);
  const counts = exact.map(Math.floor);
  const order = exact.map((x, i) => ({ i, rest: x - Math.floor(x) })).sort((a, b) => b.rest - a.rest);
  for (let k = 0; counts.reduce((a, b) => a + b, 0) < tasks; k++) counts[order[k % order.length]!.i]! += 1;
  const entries = mix.flatMap((entry, i) => Array.from({ length: counts[i]! }, () => entry));
  for (let i = entries.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [entries[i], entries[j]] = [entries[j]!, entries[i]!];
  }
  return entries.map((entry, seq) => ({ seq, tenantIndex: seq % tenants, entry }));
}
