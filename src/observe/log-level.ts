import { UsageError } from '../exit-codes.js';

export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

function isLogLevel(s: string): s is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(s);
}

/**
 * The log level from --log-level, else S3DS_LOG_LEVEL (empty counts as unset), else info.
 * Anything else is a usage error: winston treats an unknown level as "log nothing".
 */
export function resolveLogLevel(flag: unknown, env: string | undefined): LogLevel {
  const [raw, from] = flag !== undefined ? [flag, '--log-level'] : env !== undefined && env.trim() !== '' ? [env, 'S3DS_LOG_LEVEL'] : ['info', 'default'];
  const level = String(raw).trim().toLowerCase();
  if (isLogLevel(level)) return level;
  throw new UsageError(`${from} '${String(raw)}' is not a log level; accepts one of: ${LOG_LEVELS.join(', ')}`);
}
