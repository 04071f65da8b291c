import { ROOT_CONTEXT, context } from '@opentelemetry/api';
import type { Logger } from '../log/logger.js';

export interface WorkLoopOptions {
  name: string;
  /** Does one round of work; true means there may be more, so go again at once. */
  runOnce: () => Promise<boolean>;
  /** How long to wait between rounds when idle: the fallback when no nudge comes. */
  idleMs: number;
  logger: Logger;
}

/**
 * WorkLoop runs a background job round after round, one round at a time. A nudge
 * (a commit that published, an event received) starts a round at once instead of
 * waiting out the idle interval; nudges during a round coalesce into one more round.
 * A round that throws is logged and retried after the idle interval.
 *
 * @example const loop = new WorkLoop({ name: 'outbox relay', runOnce: relay.runOnce, idleMs: 500, logger }); loop.start()
 */
export class WorkLoop {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = true;

  constructor(private readonly opts: WorkLoopOptions) {}

  start(): void {
    this.stopped = false;
    this.nudge();
  }

  /** nudge asks for a round soon; safe to call from anywhere, any number of times. */
  nudge(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.timer = undefined;
    // A nudge may come from inside a request; the round is nobody's request, so it starts no trace's child.
    this.running = context.with(ROOT_CONTEXT, () => this.round()).finally(() => {
      this.running = undefined;
      if (this.stopped) return;
      if (this.again) {
        this.again = false;
        this.nudge();
      } else {
        this.timer = setTimeout(() => this.nudge(), this.opts.idleMs);
        this.timer.unref();
      }
    });
  }

  private async round(): Promise<void> {
    try {
      // Keep going while each round finds work, so a backlog drains without waiting.
      while (!this.stopped && (await this.opts.runOnce())) {}
    } catch (err) {
      this.opts.logger.error({ err, loop: this.opts.name }, 'background round failed; retrying');
    }
  }

  /** stop ends the loop after the round in progress, if any. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }
}
