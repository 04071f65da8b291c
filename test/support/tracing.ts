import { context, propagation, trace } from '@opentelemetry/api';
import { type TracingOptions, startTracing } from '../../src/shared/observe/tracing.js';

/**
 * startTestTracing registers a tracer provider for one test file, as `npm start` does,
 * and `stop` takes it away again, so the global OpenTelemetry API is left as it was found.
 *
 * @example const tracing = startTestTracing({ serviceName: 'carve', exporter }); afterAll(tracing.stop)
 */
export function startTestTracing(opts: TracingOptions) {
  const tracing = startTracing(opts);
  return {
    async stop() {
      await tracing.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}
