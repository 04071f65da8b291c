import { assertPostgresReachable } from './postgres.js';

// Runs once before any test file: a missing Postgres fails the run with instructions.
export default async function setup() {
  await assertPostgresReachable();
}
