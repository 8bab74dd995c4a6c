/**
 * Settings the job accepted once and no longer reads. Existing config files, secrets, task
 * definitions and scripts still set them, so they load (not refused as unknown) with a warning
 * that names each one as having no effect.
 */
import type { Options } from 'yargs';

export interface RetiredSetting {
  /** Dotted key in a config document. */
  path: string;
  /** CLI flag without dashes. */
  flag: string;
  /** Environment variable. */
  env: string;
  /** What it was, and where (if anywhere) it still means something. */
  note: string;
}

export const RETIRED_SETTINGS: readonly RetiredSetting[] = [
  {
    path: 'enable_performance_analytics',
    flag: 'performance-analytics',
    env: 'S3DS_PERFORMANCE_ANALYTICS',
    note: "the job never read it; in Terraform, the module variable of that name adds a CloudWatch dashboard of the job's metrics",
  },
];

function warning(name: string, where: string, s: RetiredSetting): string {
  return `${name}: retired setting${where}, it has no effect in the job (${s.note}); remove it`;
}

/** Removes the retired keys from a config document (values and labels), returning a warning for each one it set. */
export function dropRetiredKeys(values: Record<string, unknown>, labels: Map<string, string>, source: string): string[] {
  const warnings: string[] = [];
  for (const s of RETIRED_SETTINGS) {
    const keys = s.path.split('.');
    let node: unknown = values;
    for (const k of keys.slice(0, -1)) node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[k] : undefined;
    const last = keys[keys.length - 1]!;
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, last)) continue;
    delete (node as Record<string, unknown>)[last];
    labels.delete(s.path);
    warnings.push(warning(s.path, ` in ${source}`, s));
  }
  return warnings;
}

/** A warning for each retired variable set (not empty) in the environment. */
export function retiredEnvWarnings(environ: Record<string, string | undefined>): string[] {
  return RETIRED_SETTINGS.filter((s) => (environ[s.env] ?? '').trim() !== '').map((s) => warning(s.env, ' in the environment', s));
}

/** A warning for each retired flag on the command line (parsed yargs argv). */
export function retiredFlagWarnings(argv: Record<string, unknown>): string[] {
  const camel = (flag: string) => flag.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
  return RETIRED_SETTINGS.filter((s) => argv[s.flag] !== undefined || argv[camel(s.flag)] !== undefined).map((s) => warning(`--${s.flag}`, '', s));
}

/** yargs options that accept the retired flags without listing them in --help. */
export function retiredYargsOptions(): Record<string, Options> {
  return Object.fromEntries(RETIRED_SETTINGS.map((s) => [s.flag, { type: 'boolean', hidden: true, describe: `Retired: no effect. [env ${s.env}]` }]));
}
