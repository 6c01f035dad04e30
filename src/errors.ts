/**
 * A failure a person can act on: what went wrong, and what to do about it.
 * main.ts turns exactly one of these into the step's single `::error::`.
 */
export class ActionError extends Error {
  constructor(
    message: string,
    readonly fix: string
  ) {
    super(message)
    this.name = 'ActionError'
  }

  /** The one line the step fails with. */
  toString(): string {
    return this.fix ? `${this.message} ${this.fix}` : this.message
  }
}

/** Raised when the workflow is cancelled (SIGINT/SIGTERM from the runner). */
export class CancelledError extends Error {
  constructor(readonly signal: string) {
    super(`cancelled by ${signal}`)
    this.name = 'CancelledError'
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
