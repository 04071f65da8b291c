/**
 * MoveError is a failure the person running carve can act on: its message says what is
 * wrong and what to do, so the CLI prints it without a stack trace and exits 1.
 */
export class MoveError extends Error {
  override readonly name: string = 'MoveError';
}

/** UsageError is bad input on the command line or in the environment; the CLI exits 2. */
export class UsageError extends MoveError {
  override readonly name = 'UsageError';
}

/**
 * MoveInterrupted says the copy stopped between two batches on request (Ctrl-C). Every
 * batch already written is committed, so running the same command again resumes.
 */
export class MoveInterrupted extends MoveError {
  override readonly name = 'MoveInterrupted';
}
