#!/usr/bin/env node
import { hideBin } from 'yargs/helpers';
import { ExitCode, JobError } from '../exit-codes.js';
import { scrubSecrets } from '../storage/secret-registry.js';
import { main } from './app.js';

main(hideBin(process.argv))
  .then((code) => {
    process.exitCode = code;
  })
  .catch((err: unknown) => {
    process.stderr.write(`s3-direct-sync: ${scrubSecrets(err instanceof Error ? err.message : String(err))}\n`);
    process.exitCode = err instanceof JobError ? err.exitCode : ExitCode.someFailed;
  });
