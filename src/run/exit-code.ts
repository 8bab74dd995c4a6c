import { ExitCode, type JobError } from '../exit-codes.js';

export interface ExitInput {
  fatal?: JobError;
  interrupted: boolean;
  checksumMismatches: number;
  failed: number;
  /** The deletes were refused by a guard (a failure record of class delete-cap). */
  deletesRefused: boolean;
}

/** Which outcome wins the exit code: a fatal error, then an interruption, then integrity, then failures. */
export function exitCodeOf(i: ExitInput): number {
  if (i.fatal) return i.fatal.exitCode;
  if (i.interrupted) return ExitCode.interrupted;
  if (i.checksumMismatches > 0) return ExitCode.integrity;
  if (i.failed > 0 || i.deletesRefused) return ExitCode.someFailed;
  return ExitCode.ok;
}
