import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/** Where cgroup v2 publishes this container's CPU quota: "max 100000" or "<quota> <period>". */
export const CGROUP_CPU_MAX_PATH = '/sys/fs/cgroup/cpu.max';

/**
 * The CPUs a cgroup v2 `cpu.max` allows, rounded down and at least 1; null when it sets no limit
 * ("max") or cannot be read as one.
 */
export function parseCpuMax(text: string): number | null {
  const [quota, period = '100000'] = text.trim().split(/\s+/);
  if (!quota || quota === 'max') return null;
  const q = Number(quota);
  const p = Number(period);
  if (!Number.isFinite(q) || !Number.isFinite(p) || q <= 0 || p <= 0) return null;
  return Math.max(1, Math.floor(q / p));
}

export interface AvailableCpusSources {
  /** Returns the file's text, or throws (e.g. ENOENT on cgroup v1 or outside Linux). */
  readCpuMax?: () => string;
  parallelism?: () => number;
}

/**
 * The CPUs this process may actually use: the cgroup quota (a Kubernetes CPU limit or
 * `docker run --cpus`), capped by the CPUs the OS gives it, and os.availableParallelism() alone
 * when no quota is set or the file is missing. Node's own count ignores the quota, so a pod
 * limited to 1 CPU on a 64-core node would otherwise size itself for 64.
 */
export function availableCpus(sources: AvailableCpusSources = {}): number {
  const readCpuMax = sources.readCpuMax ?? (() => readFileSync(CGROUP_CPU_MAX_PATH, 'utf8'));
  const parallelism = Math.max(1, (sources.parallelism ?? availableParallelism)());
  let quota: number | null = null;
  try {
    quota = parseCpuMax(readCpuMax());
  } catch {
    quota = null;
  }
  return quota === null ? parallelism : Math.min(quota, parallelism);
}
