import type { TestDialect } from './dialects.js';

/**
 * Runner is how the harness places the storefront's modules:
 * - in-process: one process, every port a function call;
 * - loopback: one process, every port call sent over HTTP to itself;
 * - multi-process: each module its own child process and database, behind a gateway.
 * Events follow: in-process delivery, HTTP push to /_events, and NATS JetStream across processes.
 */
export type Runner = 'in-process' | 'loopback' | 'multi-process';

export interface Topology {
  name: string;
  runner: Runner;
  /** Where the modules keep their data. multi-process puts payments on Postgres and the rest on SQLite. */
  dialect: TestDialect | 'mixed';
  /** multi-process only: run just these modules alone, beside a monolith hosting the rest. */
  extracted?: readonly string[];
  /** multi-process only: events travel through NATS JetStream rather than HTTP push. */
  broker?: boolean;
}

/**
 * TOPOLOGIES is every way the storefront suite runs. Like Service Weaver's
 * weavertest.AllRunners(): a test is written once, and never asks which one it is in.
 */
export const TOPOLOGIES: readonly Topology[] = [
  { name: 'in-process on SQLite', runner: 'in-process', dialect: 'sqlite' },
  { name: 'in-process on Postgres', runner: 'in-process', dialect: 'postgres' },
  { name: 'loopback HTTP on SQLite', runner: 'loopback', dialect: 'sqlite' },
  { name: 'multi-process, payments on Postgres, events on NATS', runner: 'multi-process', dialect: 'mixed', broker: true },
];

/** The arrangement a team reaches first: a monolith with payments (on Postgres) and catalog (on SQLite) extracted. */
export const PARTLY_EXTRACTED: Topology = {
  name: 'monolith with payments and catalog extracted',
  runner: 'multi-process',
  dialect: 'mixed',
  extracted: ['payments', 'catalog'],
};
