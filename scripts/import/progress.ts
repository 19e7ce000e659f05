/**
 * The progress bar: share of the file read (bytes: known before the end, unlike rows),
 * rows done, rows per second, ETA. On a terminal it redraws; elsewhere (CI, logs) it
 * prints a line every few seconds.
 */
import cliProgress from 'cli-progress';

export interface Progress {
  update(bytesRead: number, rowsDone: number): void;
  stop(): void;
}

export function progressBar(totalBytes: number, quiet: boolean): Progress {
  if (quiet) return { update() {}, stop() {} };
  const bar = new cliProgress.SingleBar(
    {
      format: ' {bar} {percentage}% | {rows} rows | {rate} rows/s | ETA {eta_formatted}',
      stream: process.stderr,
      noTTYOutput: true,
      notTTYSchedule: 5000,
      etaBuffer: 50,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  const started = Date.now();
  bar.start(Math.max(totalBytes, 1), 0, { rows: 0, rate: 0 });
  return {
    update(bytesRead, rowsDone) {
      const seconds = (Date.now() - started) / 1000;
      bar.update(Math.min(bytesRead, totalBytes), { rows: rowsDone, rate: seconds > 0 ? Math.round(rowsDone / seconds) : 0 });
    },
    stop: () => bar.stop(),
  };
}
