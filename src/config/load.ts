import { readFileSync } from 'node:fs';
import { argvLayer, envLayer, FLAGS, knownEnvNames, type ConfigLayer, type LabelledLayer } from './flags.js';
import { isPresetName, PRESET_NAMES, PRESETS } from './presets.js';
import { dropRetiredKeys, retiredEnvWarnings, retiredFlagWarnings } from './retired.js';
import { ConfigError, schemaLeaves, shapeAt, syncConfigSchema, type ConfigIssue, type SyncConfig } from './schema.js';

export { ConfigError } from './schema.js';

export type LayerName = 'default' | 'preset' | 'file' | 'secret' | 'env' | 'cli';

export interface LoadInput {
  preset?: string;
  configFile?: string;
  /** Secrets Manager payload: a JSON string or an already parsed object. */
  secret?: unknown;
  environ: Record<string, string | undefined>;
  /** Parsed yargs argv. */
  cli: Record<string, unknown>;
}

export interface LoadedConfig {
  config: SyncConfig;
  /** Dotted leaf paths set by any layer above the defaults; such values win over computed sizing. */
  explicit: Set<string>;
  /** The layer each leaf's value came from. */
  origin: Record<string, LayerName>;
  /** Notes about the configuration that do not stop the run, e.g. a retired setting (unknown keys do: they are errors). */
  warnings: string[];
}

interface Layer extends LabelledLayer {
  name: LayerName;
}

function isPlainObject(v: unknown): v is ConfigLayer {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function describeType(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v;
}

/** JSON null means "not set here": generated files (Terraform, templates) often write null for absent keys. */
function dropNulls(v: ConfigLayer): ConfigLayer {
  const out: ConfigLayer = {};
  for (const [k, x] of Object.entries(v)) {
    if (x === null) continue;
    out[k] = isPlainObject(x) ? dropNulls(x) : x;
  }
  return out;
}

/** Labels every path a document sets (objects and leaves) with one source label. */
function labelAll(values: ConfigLayer, label: string): Map<string, string> {
  const labels = new Map<string, string>();
  const walk = (node: ConfigLayer, prefix: string) => {
    for (const [k, v] of Object.entries(node)) {
      const path = prefix + k;
      labels.set(path, label);
      if (isPlainObject(v)) walk(v, `${path}.`);
    }
  };
  walk(values, '');
  return labels;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

/** ` (did you mean 'x'?)` for the closest known name, when it is close enough to be the intended one. */
function suggestion(name: string, known: readonly string[]): string {
  const best = known.map((k) => ({ k, d: editDistance(name.toLowerCase(), k.toLowerCase()) })).sort((x, y) => x.d - y.d)[0];
  return best && best.d <= Math.max(2, Math.floor(name.length / 4)) ? ` (did you mean '${best.k}'?)` : '';
}

/** Unknown keys of a config document: a typo must not leave the default silently in force. */
function unknownKeys(values: ConfigLayer, source: string): string[] {
  const out: string[] = [];
  const walk = (node: ConfigLayer, path: string[]) => {
    const shape = shapeAt(path);
    if (!shape) return;
    for (const [k, v] of Object.entries(node)) {
      if (k in shape) {
        if (isPlainObject(v)) walk(v, [...path, k]);
        continue;
      }
      out.push(`${[...path, k].join('.')}: unknown key in ${source}${suggestion(k, Object.keys(shape))}`);
    }
  };
  walk(values, []);
  return out;
}

/** S3DS_* variables that neither the configuration nor the CLI and scripts know. */
function unknownEnv(environ: Record<string, string | undefined>): string[] {
  const known = knownEnvNames();
  return Object.keys(environ)
    .filter((name) => name.startsWith('S3DS_') && !known.includes(name))
    .sort()
    .map((name) => `${name}: unknown variable in the environment${suggestion(name, known)}`);
}

function documentLayer(name: LayerName, label: string, doc: unknown, what: string): Layer {
  if (!isPlainObject(doc)) {
    throw new ConfigError(`${what} must hold a JSON object of configuration keys, got ${describeType(doc)}`);
  }
  const values = dropNulls(doc);
  return { name, values, labels: labelAll(values, label), problems: [] };
}

function presetLayer(preset: string): Layer {
  if (!isPresetName(preset)) {
    throw new ConfigError(`unknown preset '${preset}'; accepts one of: ${PRESET_NAMES.join(', ')}`);
  }
  return documentLayer('preset', `preset ${preset}`, structuredClone(PRESETS[preset]), `preset ${preset}`);
}

function fileLayer(file: string): Layer {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config file '${file}': ${(err as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`config file '${file}' is not valid JSON: ${(err as Error).message}`);
  }
  return documentLayer('file', `file ${file}`, doc, `config file '${file}'`);
}

function secretLayer(secret: unknown): Layer {
  let doc = secret;
  if (typeof secret === 'string') {
    try {
      doc = JSON.parse(secret);
    } catch (err) {
      throw new ConfigError(`the configuration secret is not valid JSON: ${(err as Error).message}`);
    }
  }
  return documentLayer('secret', 'secret', doc, 'the configuration secret');
}

function layerSource(name: 'preset' | 'file' | 'secret', input: LoadInput): string {
  return name === 'file' ? `file ${input.configFile}` : name === 'secret' ? 'the secret' : `preset ${input.preset}`;
}

function deepMerge(target: ConfigLayer, source: ConfigLayer): ConfigLayer {
  for (const [k, v] of Object.entries(source)) {
    const cur = target[k];
    target[k] = isPlainObject(v) && isPlainObject(cur) ? deepMerge(cur, v) : isPlainObject(v) ? deepMerge({}, v) : v;
  }
  return target;
}

function lookup(obj: unknown, path: readonly PropertyKey[]): { found: boolean; value?: unknown } {
  let node = obj;
  for (const k of path) {
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, k)) return { found: false };
    node = (node as Record<PropertyKey, unknown>)[k];
  }
  return { found: true, value: node };
}

function requiredHint(path: string): string {
  const flag = FLAGS.find((f) => f.path === path);
  return flag ? `set it with --${flag.flag}, ${flag.env} or "${path}" in the config file` : `set "${path}" in the config file`;
}

/**
 * Who set a leaf and where, in words for `plan --explain`: an environment preset states its
 * environment's policy; every other layer is an operator's setting.
 */
export function settingSource(path: string, layer: Exclude<LayerName, 'default'>): { origin: 'preset' | 'operator'; label: string } {
  const flag = FLAGS.find((f) => f.path === path);
  const labels: Record<typeof layer, string> = {
    preset: 'the environment preset',
    file: 'the config file',
    secret: 'the config secret',
    env: flag?.env ?? 'the environment',
    cli: flag ? `--${flag.flag}` : 'a command-line flag',
  };
  return { origin: layer === 'preset' ? 'preset' : 'operator', label: labels[layer] };
}

/**
 * Resolves the configuration from its layers, later winning: schema defaults < preset < config
 * file < secret < environment < CLI. Objects merge by leaf; arrays and scalars replace.
 * Throws ConfigError (exit 2) listing every bad field.
 */
export function loadConfig(input: LoadInput): LoadedConfig {
  const layers: Layer[] = [];
  if (input.preset !== undefined) layers.push(presetLayer(input.preset));
  if (input.configFile !== undefined) layers.push(fileLayer(input.configFile));
  if (input.secret !== undefined) layers.push(secretLayer(input.secret));
  layers.push({ name: 'env', ...envLayer(input.environ) });
  layers.push({ name: 'cli', ...argvLayer(input.cli) });

  const warnings: string[] = [];
  const unknown: string[] = [];
  for (const layer of layers) {
    if (layer.name === 'preset' || layer.name === 'file' || layer.name === 'secret') {
      warnings.push(...dropRetiredKeys(layer.values, layer.labels, layerSource(layer.name, input)));
    }
    if (layer.name === 'file') unknown.push(...unknownKeys(layer.values, `file ${input.configFile}`));
    if (layer.name === 'secret') unknown.push(...unknownKeys(layer.values, 'the secret'));
  }
  unknown.push(...unknownEnv(input.environ));
  warnings.push(...retiredEnvWarnings(input.environ), ...retiredFlagWarnings(input.cli));

  const merged: ConfigLayer = {};
  const setBy = new Map<string, { layer: LayerName; label: string }>();
  for (const layer of layers) {
    deepMerge(merged, layer.values);
    for (const [path, label] of layer.labels) setBy.set(path, { layer: layer.name, label });
  }

  const sourceOf = (path: readonly PropertyKey[]): string => {
    for (let n = path.length; n > 0; n--) {
      const hit = setBy.get(path.slice(0, n).join('.'));
      if (hit) return hit.label;
    }
    return 'default';
  };

  const problems = layers.flatMap((l) => l.problems);
  const issues: ConfigIssue[] = [...problems];
  const result = syncConfigSchema.safeParse(merged);
  if (!result.success) {
    for (const zi of result.error.issues) {
      const path = zi.path.join('.');
      // A field whose raw text was already rejected (a bad s3:// URL) is not reported twice.
      if (problems.some((p) => p.path === path)) continue;
      const got = lookup(merged, zi.path);
      issues.push(
        got.found && got.value !== undefined
          ? { path, hasValue: true, value: got.value, source: sourceOf(zi.path), accepts: zi.message }
          : { path, hasValue: false, source: requiredHint(path), accepts: zi.message },
      );
    }
  }
  if (issues.length > 0 || unknown.length > 0 || !result.success) throw ConfigError.fromIssues(issues, unknown);

  const explicit = new Set<string>();
  const origin: Record<string, LayerName> = {};
  for (const leaf of schemaLeaves()) {
    const hit = setBy.get(leaf.path);
    origin[leaf.path] = hit?.layer ?? 'default';
    if (hit) explicit.add(leaf.path);
  }
  return { config: result.data, explicit, origin, warnings };
}
