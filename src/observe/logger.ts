import winston from 'winston';
import { redact } from './redact.js';

export type Logger = winston.Logger;

export interface LoggerOptions {
  level?: string;
  /** JSON lines (ECS, CloudWatch Logs Insights) or readable lines (a terminal). */
  json?: boolean;
  /** Extra strings that must never appear in a log line (secret values loaded at run time). */
  secrets?: () => Iterable<string>;
  stream?: NodeJS.WritableStream;
}

const redactFormat = winston.format((info, opts?: unknown) => redact(info, (opts as { secrets?: () => Iterable<string> } | undefined)?.secrets?.() ?? []));

/** Logs go to stderr: stdout carries the report (`--json`) and metric lines. */
export function createLogger(opts: LoggerOptions = {}): Logger {
  const json = opts.json ?? !process.stderr.isTTY;
  const format = json
    ? winston.format.combine(redactFormat({ secrets: opts.secrets }), winston.format.timestamp(), winston.format.json())
    : winston.format.combine(
        redactFormat({ secrets: opts.secrets }),
        winston.format.timestamp({ format: 'HH:mm:ss' }),
        winston.format.colorize(),
        winston.format.printf(({ timestamp, level, message, ...rest }) => {
          const extra = Object.entries(rest)
            .filter(([k]) => typeof k === 'string')
            .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
            .join(' ');
          return `${String(timestamp)} ${level} ${String(message)}${extra ? '  ' + extra : ''}`;
        }),
      );
  return winston.createLogger({
    level: opts.level ?? 'info',
    format,
    transports: [
      opts.stream
        ? new winston.transports.Stream({ stream: opts.stream })
        : new winston.transports.Console({ stderrLevels: ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'] }),
    ],
  });
}
