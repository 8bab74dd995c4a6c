import { Writable } from 'node:stream';
import { loadConfig } from '../../src/config/load.js';
import { runJob, type JobOptions } from '../../src/job.js';
import { createLogger } from '../../src/observe/logger.js';
import type { RunReport } from '../../src/observe/report.js';
import type { LocalS3 } from '../../scripts/local-s3.js';

/** Runs the job in this process with CLI-style flags against a local server; logs are kept in `logs`. */
export async function runSync(
  s3: LocalS3,
  flags: Record<string, unknown>,
  opts: Partial<Pick<JobOptions, 'command' | 'dryRun' | 'signal' | 'abortSignal' | 'onAction' | 'shard'>> = {},
): Promise<RunReport & { logs: string }> {
  Object.assign(process.env, s3.env(), { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' });
  const { config, explicit } = loadConfig({ environ: {}, cli: { 'endpoint-url': s3.endpoint, region: s3.region, ...flags } });
  let logs = '';
  const stream = new Writable({
    write(chunk, _e, cb) {
      logs += String(chunk);
      cb();
    },
  });
  const report = await runJob(config, {
    command: opts.command ?? 'sync',
    dryRun: opts.dryRun ?? false,
    logger: createLogger({ json: true, stream }),
    env: process.env,
    explicit,
    progress: 'off',
    signal: opts.signal,
    abortSignal: opts.abortSignal,
    onAction: opts.onAction,
    shard: opts.shard,
  });
  return { ...report, logs };
}
