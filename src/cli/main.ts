#!/usr/bin/env node
import { ExitCode, JobError } from '../exit-codes.js';
import { scrubSecrets } from '../storage/secret-registry.js';
import { main } from './app.js';

// process.argv.slice(2), not yargs/helpers' hideBin: that import alone costs ~50 ms of startup.
main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  })
  .catch((err: unknown) => {
    process.stderr.write(`s3-direct-sync: ${scrubSecrets(err instanceof Error ? err.message : String(err))}\n`);
    process.exitCode = err instanceof JobError ? err.exitCode : ExitCode.someFailed;
  });
