import { describe, expect, it } from 'vitest';
import { ExitCode, UsageError } from '../../../src/exit-codes.js';
import { resolveLogLevel } from '../../../src/observe/log-level.js';

describe('resolveLogLevel', () => {
  it('takes the flag over the environment, info by default, any case', () => {
    expect(resolveLogLevel('debug', 'error')).toBe('debug');
    expect(resolveLogLevel(undefined, 'WARN')).toBe('warn');
    expect(resolveLogLevel(undefined, '  ')).toBe('info');
    expect(resolveLogLevel(undefined, undefined)).toBe('info');
  });

  it.each([
    ['trace', undefined, /--log-level 'trace'/],
    ['bogus', undefined, /--log-level 'bogus'/],
    [undefined, 'verbose', /S3DS_LOG_LEVEL 'verbose'/],
  ])('refuses %s / %s with exit 2 naming the accepted values', (flag, env, named) => {
    let caught: unknown;
    try {
      resolveLogLevel(flag, env);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(UsageError);
    expect((caught as UsageError).exitCode).toBe(ExitCode.badConfig);
    expect((caught as Error).message).toMatch(named);
    expect((caught as Error).message).toMatch(/error, warn, info, debug/);
  });
});
