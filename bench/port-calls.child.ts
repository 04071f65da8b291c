// Run bundled by the port-call scenarios, as Carve's own processes run: makes one run of
// the HTTP port calls (bench/port-calls.ts) or of the port's layers (bench/port-layers.ts)
// against the servers named in its argument, prints their samples as one JSON line, and exits.
import { startTracing } from '../src/shared/observe/tracing.js';
import { type CallerPlan, timeHttpCalls } from './port-calls.js';
import { timeLayers } from './port-layers.js';

// As `npm start` runs: a tracer provider, trace ids made and propagated, no exporter.
const tracing = startTracing({ serviceName: 'bench' });
const plan = JSON.parse(process.argv[2]!) as CallerPlan;
const samples = await (plan.kind === 'layers' ? timeLayers(plan) : timeHttpCalls(plan));
await tracing.shutdown();
process.stdout.write(`${JSON.stringify([...samples])}\n`);
