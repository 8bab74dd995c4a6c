/** Process exit codes (DESIGN.md). */
export const ExitCode = {
  ok: 0,
  someFailed: 1,
  badConfig: 2,
  interrupted: 3,
  preflight: 4,
  integrity: 5,
  /** Another run holds the destination's lease (or took it over from this run); nothing (more) was written. */
  leaseHeld: 6,
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

/** Another run holds the destination's lease, or this run lost it: exit 6, not a failure of the data. */
export class LeaseHeldError extends JobError {
  constructor(message: string) {
    super(message, ExitCode.leaseHeld);
    this.name = 'LeaseHeldError';
  }
}
