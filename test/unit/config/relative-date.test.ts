import { describe, expect, it } from 'vitest';
import { FLAGS } from '../../../src/config/flags.js';
import { DATE_FLAGS, joinRelativeDateArgs, relativeDays } from '../../../src/config/relative-date.js';
import { parseConfigDate } from '../../../src/config/schema.js';

describe('relative dates', () => {
  it('reads -Nd only', () => {
    expect(relativeDays('-3d')).toBe(3);
    expect(relativeDays('-0d')).toBe(0);
    for (const s of ['3d', '-3', '-3w', '--3d', '-d', '-123456d', '2024-01-01']) expect(relativeDays(s), s).toBeUndefined();
  });

  it('counts back whole UTC days from now, across months and years', () => {
    const now = new Date('2024-03-01T23:59:00Z');
    expect(parseConfigDate('-1d', now)).toEqual({ year: 2024, month: 2, day: 29 });
    expect(parseConfigDate('-0d', now)).toEqual({ year: 2024, month: 3, day: 1 });
    expect(parseConfigDate('-61d', now)).toEqual({ year: 2023, month: 12, day: 31 });
    // Just after midnight UTC it is already the next day, whatever the local time zone says.
    expect(parseConfigDate('-1d', new Date('2024-03-02T00:00:01Z'))).toEqual({ year: 2024, month: 3, day: 1 });
  });

  it('joins `--date-from -3d` into one argument, which yargs would read as short flags', () => {
    expect(joinRelativeDateArgs(['sync', '--date-from', '-3d', '--date-to', '-1d', '--symbol', 'x'])).toEqual([
      'sync',
      '--date-from=-3d',
      '--date-to=-1d',
      '--symbol',
      'x',
    ]);
    expect(joinRelativeDateArgs(['sync', '--date-from', '2024-01-01', '-v'])).toEqual(['sync', '--date-from', '2024-01-01', '-v']);
    expect(joinRelativeDateArgs(['sync', '--date-from=-3d', '--date-to'])).toEqual(['sync', '--date-from=-3d', '--date-to']);
  });

  it('knows the flags of date_from and date_to', () => {
    const flags = FLAGS.filter((f) => f.path === 'selection.date_from' || f.path === 'selection.date_to').map((f) => `--${f.flag}`);
    expect([...DATE_FLAGS].sort()).toEqual(flags.sort());
  });
});
