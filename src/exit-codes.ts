/** Process exit codes (DESIGN.md). */
export const ExitCode = {
  ok: 0,
  someFailed: 1,
  badConfig: 2,
  interrupted: 3,
  preflight: 4,
  integrity: 5,
} as const;

/** An error that ends the run with a given exit code and a message meant for the user. */
export class JobError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = 'JobError';
  }
}

export class PreflightError extends JobError {
  constructor(message: string) {
    super(message, ExitCode.preflight);
    this.name = 'PreflightError';
  }
}

export class UsageError extends JobError {
  constructor(message: string) {
    super(message, ExitCode.badConfig);
    this.name = 'UsageError';
  }
}
