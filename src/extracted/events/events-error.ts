/**
 * EventsUsageError is bad input on the command line or in the environment: the message
 * says what to type instead, and the CLI prints it without a stack trace and exits 2.
 */
export class EventsUsageError extends Error {
  override readonly name: string = 'EventsUsageError';
}

/**
 * EventsUnavailable is a module database the command cannot read: missing, unreachable,
 * or not migrated to the event tables yet. Like bad input, it exits 2 with one line.
 */
export class EventsUnavailable extends EventsUsageError {
  override readonly name = 'EventsUnavailable';
}
