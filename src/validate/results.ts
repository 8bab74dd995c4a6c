/** Check results and how they are shown: a table for a terminal, a JSON document for tools (pure). */
import { formatLatency } from '../units.js';

/** How long each check's requests may take by default. */
export const DEFAULT_CHECK_TIMEOUT_MS = 15_000;

/** Every check `validate` runs, in the order it reports them. */
export const CHECK_NAMES = [
  'config',
  'credentials',
  'source-listable',
  'destination-exists',
  'destination-writable',
  's5cmd',
  'endpoint-latency',
  'resources',
] as const;

export type CheckName = (typeof CHECK_NAMES)[number];

export function isCheckName(s: string): s is CheckName {
  return (CHECK_NAMES as readonly string[]).includes(s);
}

export interface CheckResult {
  name: CheckName;
  /** Passed, or skipped (a skipped check never fails the run). */
  ok: boolean;
  skipped?: boolean;
  detail: string;
  /** Time the check's requests took (median of three for endpoint-latency). */
  latency_ms?: number;
  /** What to change when it failed (or, for a passed check, what to look at). */
  hint?: string;
}

export interface ChecksDocument {
  ok: boolean;
  failed: CheckName[];
  checks: CheckResult[];
}

export function failedChecks(results: readonly CheckResult[]): CheckName[] {
  return results.filter((r) => !r.ok).map((r) => r.name);
}

/** The `--json` output of validate. */
export function checksDocument(results: readonly CheckResult[]): ChecksDocument {
  const failed = failedChecks(results);
  return { ok: failed.length === 0, failed, checks: [...results] };
}

export function resultLabel(r: CheckResult): 'ok' | 'skipped' | 'FAIL' {
  return !r.ok ? 'FAIL' : r.skipped ? 'skipped' : 'ok';
}

/**
 * A table with CHECK, RESULT and DETAIL columns; a hint goes on its own line under the detail,
 * and the last line counts the results.
 */
export function formatChecks(results: readonly CheckResult[]): string {
  const nameWidth = Math.max('CHECK'.length, ...results.map((r) => r.name.length)) + 2;
  const resultWidth = Math.max('RESULT'.length, ...results.map((r) => resultLabel(r).length)) + 2;
  const indent = ' '.repeat(nameWidth + resultWidth);
  const lines = ['CHECK'.padEnd(nameWidth) + 'RESULT'.padEnd(resultWidth) + 'DETAIL'];
  for (const r of results) {
    const detail = r.latency_ms !== undefined && r.name !== 'endpoint-latency' ? `${r.detail} (${formatLatency(r.latency_ms)})` : r.detail;
    const [first = '', ...rest] = detail.split('\n');
    lines.push((r.name.padEnd(nameWidth) + resultLabel(r).padEnd(resultWidth) + first).trimEnd());
    for (const more of rest) lines.push(indent + more);
    if (r.hint) lines.push(`${indent}hint: ${r.hint}`);
  }
  const failed = results.filter((r) => !r.ok).length;
  const skipped = results.filter((r) => r.ok && r.skipped).length;
  const passed = results.length - failed - skipped;
  lines.push('', `${passed} passed, ${skipped} skipped, ${failed} failed${failed > 0 ? `: ${failedChecks(results).join(', ')}` : ''}`);
  return lines.join('\n');
}
