/**
 * Relative date bounds (`-3d`: three days before today, UTC) as the configuration spells them, and
 * the command-line fix-up they need. Kept free of heavy imports: the CLI entry point loads it.
 */

const RELATIVE_DATE_RE = /^-(\d{1,5})d$/;

/** The N of `-Nd`, or undefined when `s` is not a relative date. */
export function relativeDays(s: string): number | undefined {
  const m = RELATIVE_DATE_RE.exec(s);
  return m ? Number(m[1]) : undefined;
}

export function isRelativeDate(s: string): boolean {
  return RELATIVE_DATE_RE.test(s);
}

/** The flags of selection.date_from and selection.date_to (flags.ts names every flag; a test keeps the two in step). */
export const DATE_FLAGS: readonly string[] = ['--date-from', '--date-to'];

/**
 * yargs reads the `-3d` of `--date-from -3d` as the short flags -3 and -d; joined into
 * `--date-from=-3d` it is the flag's value, as meant.
 */
export function joinRelativeDateArgs(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const next = args[i + 1];
    if (DATE_FLAGS.includes(arg) && next !== undefined && isRelativeDate(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}
