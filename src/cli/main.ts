#!/usr/bin/env node
import { ExitCode, JobError } from '../exit-codes.js';
import { scrubSecrets } from '../storage/secret-registry.js';
import { packageVersion } from './version.js';

/** The exit code of the command line; a plain `--version` answers without loading yargs (~70 ms). */
async function run(args: string[]): Promise<number> {
  if (args.length === 1 && args[0] === '--version') {
    process.stdout.write(`${packageVersion()}\n`);
    return ExitCode.ok;
  }
  const { main } = await import('./app.js');
  return main(args);
}

// process.argv.slice(2), not yargs/helpers' hideBin: that import alone costs ~50 ms of startup.
run(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  })
  .catch((err: unknown) => {
    process.stderr.write(`s3-direct-sync: ${scrubSecrets(err instanceof Error ? err.message : String(err))}\n`);
    process.exitCode = err instanceof JobError ? err.exitCode : ExitCode.someFailed;
  });
