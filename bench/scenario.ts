// The shape every benchmark scenario returns, so one run can write one report.

/** Figure is one measured quantity: the median over repeated runs, with their spread. */
export interface Figure {
  /** What was measured: 'in-process port, validation in and out'. */
  name: string;
  median: number;
  /** Lowest and highest of the repeated runs. */
  min: number;
  max: number;
  unit: 'µs' | 'ms' | 'req/s' | 'rows/s' | 'MB' | 'ms CPU' | 'count';
  /** Other columns for the table, such as p99 or concurrency. */
  extra?: Record<string, string | number>;
}

/** Target is one of the limits and what this run measured against it. */
export interface Target {
  name: string;
  value: number;
  limit: string;
  met: boolean;
}

/** ScenarioResult is one section of bench/RESULTS.md. */
export interface ScenarioResult {
  title: string;
  figures: Figure[];
  /**
   * Targets checked within this run: ratios of figures taken side by side, never an
   * absolute timing. Throughput (rows/s) and memory (MB) are the issue's own absolute limits.
   */
  targets?: Target[];
  notes?: string[];
}

export interface ScenarioOptions {
  /** The smoke version: a few seconds, to keep the harness from rotting, not to measure. */
  quick: boolean;
  /** Where a scenario may keep files; removed after the run. */
  workDir: string;
  log: (line: string) => void;
}

export type Scenario = (opts: ScenarioOptions) => Promise<ScenarioResult>;
