import { describe, expect, it } from 'vitest';
import { parseS5cmdVersion, s5cmdVersionProblem } from '../../../src/engines/s5cmd-locate.js';

describe('the s5cmd version', () => {
  it('reads the version from what `s5cmd version` prints', () => {
    expect(parseS5cmdVersion('v2.3.0-release')).toEqual([2, 3, 0]);
    expect(parseS5cmdVersion('v2.2.2-48f7e59')).toEqual([2, 2, 2]);
    expect(parseS5cmdVersion('development')).toBeUndefined();
  });

  it('accepts 2.3.0 and newer', () => {
    for (const v of ['v2.3.0-release', 'v2.3.1', 'v2.10.0', 'v3.0.0-dev']) expect(s5cmdVersionProblem(v), v).toBeUndefined();
  });

  it('names the version found and the one needed when older or unreadable', () => {
    expect(s5cmdVersionProblem('v2.2.2-48f7e59')).toBe('it is version 2.2.2, older than the 2.3.0 this job needs');
    expect(s5cmdVersionProblem('v1.4.0')).toMatch(/version 1\.4\.0, older than the 2\.3\.0/);
    expect(s5cmdVersionProblem('development')).toBe("its version cannot be read from 'development' (needs 2.3.0 or newer)");
  });
});
