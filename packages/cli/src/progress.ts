import { Presets, SingleBar } from 'cli-progress';

export interface Progress {
  start(total: number, label: string): void;
  update(value: number, total?: number, label?: string): void;
  stop(): void;
}

/** Nothing drawn: stdout is not a terminal (a pipe, a file, CI), or --json was asked for. */
const silent: Progress = { start() {}, update() {}, stop() {} };

/**
 * A cli-progress bar on a terminal only: bytes with rate and ETA for uploads, percent for tasks. Drawn on stdout
 * (the terminal); when stdout is not a TTY nothing is drawn, so piped output stays clean.
 */
export function createProgress(
  stream: NodeJS.WriteStream,
  kind: 'bytes' | 'percent',
  enabled: boolean,
): Progress {
  if (!enabled || !stream.isTTY) return silent;
  const format =
    kind === 'bytes'
      ? '{label} |{bar}| {percentage}% | {value_mb}/{total_mb} MB | {rate} MB/s | ETA {eta_formatted}'
      : '{label} |{bar}| {percentage}% | {stage}';
  const bar = new SingleBar(
    { format, stream, hideCursor: true, etaBuffer: 50, fps: 5, clearOnComplete: false },
    Presets.shades_classic,
  );
  const startedAt = Date.now();
  const payload = (value: number, label: string) => ({
    label,
    stage: label,
    value_mb: (value / 1e6).toFixed(1),
    rate: (value / 1e6 / Math.max((Date.now() - startedAt) / 1000, 0.001)).toFixed(1),
  });
  let currentLabel = '';
  let totalMb = '0';
  return {
    start(total, label) {
      currentLabel = label;
      totalMb = (total / 1e6).toFixed(1);
      bar.start(total, 0, { ...payload(0, label), total_mb: totalMb });
    },
    update(value, total, label) {
      if (label) currentLabel = label;
      if (total !== undefined && total !== bar.getTotal()) {
        bar.setTotal(total);
        totalMb = (total / 1e6).toFixed(1);
      }
      bar.update(value, { ...payload(value, currentLabel), total_mb: totalMb });
    },
    stop() {
      bar.stop();
    },
  };
}
