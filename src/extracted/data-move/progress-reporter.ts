import { SingleBar } from 'cli-progress';
import type { MoveProgress } from './move-module.js';

/**
 * createProgressReporter draws the copy's progress on `stream`: a live bar on a terminal,
 * and on anything else (a CI log, a file, a pipe) one plain line every tenth of the way,
 * because a redrawn bar there is thousands of carriage returns in one line.
 *
 * @example await moveModule({ ...options, progress: createProgressReporter(process.stderr) })
 */
export function createProgressReporter(stream: NodeJS.WritableStream & { isTTY?: boolean }): MoveProgress {
  return stream.isTTY ? barReporter(stream) : lineReporter(stream);
}

function barReporter(stream: NodeJS.WritableStream): MoveProgress {
  const bar = new SingleBar({
    stream,
    format: '{table} [{bar}] {percentage}% | {value}/{total} rows | {rate} rows/s | ETA {eta_formatted}',
    hideCursor: true,
    barsize: 30,
  });
  const started = performance.now();
  let done = 0;
  return {
    note: (step) => stream.write(`${step}...\n`),
    begin: (total) => bar.start(total, 0, { table: 'copying', rate: 0 }),
    advance(table, rows) {
      done += rows;
      bar.update(done, { table, rate: perSecond(done, started) });
    },
    end: () => bar.stop(),
  };
}

function lineReporter(stream: NodeJS.WritableStream): MoveProgress {
  const started = performance.now();
  let total = 0;
  let done = 0;
  let nextTenth = 1;
  return {
    note: (step) => stream.write(`${step}...\n`),
    begin(rows) {
      total = rows;
      stream.write(`copying ${rows} rows\n`);
    },
    advance(table, rows) {
      done += rows;
      if (total === 0 || done < (total * nextTenth) / 10) return;
      while (done >= (total * nextTenth) / 10) nextTenth++;
      const percent = Math.floor((done / total) * 100);
      stream.write(`${table}: ${done}/${total} rows (${percent}%), ${perSecond(done, started)} rows/s\n`);
    },
    end() {},
  };
}

function perSecond(rows: number, since: number): number {
  const seconds = (performance.now() - since) / 1000;
  return seconds > 0 ? Math.round(rows / seconds) : 0;
}
