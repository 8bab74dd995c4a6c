// Helpers for the Terraform tests: parse HCL with @cdktf/hcl2json (offline WASM), merge a directory
// into one document, and render the module's IAM policy documents for one environment with a tiny,
// strict evaluator. The evaluator knows only the expression forms the module uses and throws on
// anything else, so a change in the Terraform that it cannot follow fails the tests loudly instead of
// passing unchecked.
import { parse } from '@cdktf/hcl2json';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// hcl2json returns loosely typed JSON; the tests inspect it structurally.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Hcl = any;

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const tfRoot = path.join(repoRoot, 'terraform');
export const moduleDir = path.join(tfRoot, 'modules', 's3-direct-sync');
export const ENVIRONMENTS = ['dev', 'staging', 'prod'] as const;
export type Environment = (typeof ENVIRONMENTS)[number];
/** The one root every environment deploys from; an environment is a tfvars file and a backend file in it. */
export const rootDir = path.join(tfRoot, 'environments');
export const tfvarsPath = (env: Environment): string => path.join(rootDir, `${env}.tfvars`);
export const backendConfigPath = (env: Environment): string => path.join(rootDir, `${env}.s3.tfbackend`);

export function listTfFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (name === '.terraform') continue;
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...listTfFiles(full));
    else if (name.endsWith('.tf')) out.push(full);
  }
  return out;
}

export async function parseFile(file: string): Promise<Hcl> {
  return parse(file, readFileSync(file, 'utf8'));
}

/** The attributes of a .tfvars or .tfbackend file (HCL with only top-level attributes). */
export async function parseAttributes(file: string): Promise<Record<string, unknown>> {
  return (await parseFile(file)) as Record<string, unknown>;
}

/** Parses every .tf file directly in dir and merges them like Terraform does for one module. */
export async function parseDir(dir: string): Promise<Hcl> {
  const merged: Hcl = {};
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.tf'))
    .sort();
  for (const f of files) {
    const doc = await parseFile(path.join(dir, f));
    for (const [kind, value] of Object.entries(doc as Record<string, unknown>)) {
      if (Array.isArray(value)) {
        merged[kind] = [...(merged[kind] ?? []), ...value];
      } else if (kind === 'resource' || kind === 'data') {
        merged[kind] ??= {};
        for (const [type, byName] of Object.entries(value as Record<string, Record<string, unknown>>)) {
          merged[kind][type] = { ...(merged[kind][type] ?? {}), ...byName };
        }
      } else {
        merged[kind] = { ...(merged[kind] ?? {}), ...(value as object) };
      }
    }
  }
  return merged;
}

/** All locals of a parsed module as one object (raw HCL strings / values). */
export function localsOf(doc: Hcl): Record<string, unknown> {
  return Object.assign({}, ...((doc.locals ?? []) as object[]));
}

/** The default of every variable of a parsed module (undefined when required). */
export function variableDefaults(doc: Hcl): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, blocks] of Object.entries(doc.variable ?? {})) {
    out[name] = (blocks as Hcl[])[0].default;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// A strict evaluator for the expressions the module's policies use.
// ---------------------------------------------------------------------------------------------------
export interface EvalContext {
  vars: Record<string, unknown>;
  /** Raw locals (HCL strings are evaluated on use). */
  locals: Record<string, unknown>;
  /** Precomputed locals whose HCL is not simple interpolation (the tests pin that HCL separately). */
  computed: Record<string, unknown>;
}

/** Splits "a ${x} b ${y}" into literal and expression parts, honouring nested braces and quotes. */
function splitTemplate(s: string): Array<{ lit: string } | { expr: string }> {
  const parts: Array<{ lit: string } | { expr: string }> = [];
  let i = 0;
  let lit = '';
  while (i < s.length) {
    if (s[i] === '$' && s[i + 1] === '{') {
      let depth = 1;
      let j = i + 2;
      let inQuote = false;
      while (j < s.length && depth > 0) {
        const c = s[j];
        if (c === '"' && s[j - 1] !== '\\') inQuote = !inQuote;
        else if (!inQuote && c === '{') depth++;
        else if (!inQuote && c === '}') depth--;
        else if (inQuote && c === '$' && s[j + 1] === '{') {
          // nested template inside a quoted string: skip it as a unit
          let d = 1;
          j += 2;
          while (j < s.length && d > 0) {
            if (s[j] === '{') d++;
            else if (s[j] === '}') d--;
            if (d > 0) j++;
          }
        }
        j++;
      }
      if (depth !== 0) throw new Error(`unbalanced interpolation in ${s}`);
      if (lit) parts.push({ lit });
      lit = '';
      parts.push({ expr: s.slice(i + 2, j - 1).trim() });
      i = j;
    } else {
      lit += s[i];
      i++;
    }
  }
  if (lit) parts.push({ lit });
  return parts;
}

export function evalString(s: string, ctx: EvalContext, scope: Record<string, unknown> = {}): unknown {
  const parts = splitTemplate(s);
  const only = parts[0];
  if (parts.length === 1 && only && 'expr' in only) return evalExpr(only.expr, ctx, scope);
  return parts.map((p) => ('lit' in p ? p.lit : String(evalExpr(p.expr, ctx, scope)))).join('');
}

export function evalValue(v: unknown, ctx: EvalContext, scope: Record<string, unknown> = {}): unknown {
  if (typeof v === 'string') return evalString(v, ctx, scope);
  if (Array.isArray(v)) return v.map((x) => evalValue(x, ctx, scope));
  return v;
}

function evalExpr(expr: string, ctx: EvalContext, scope: Record<string, unknown>): unknown {
  let m: RegExpMatchArray | null;
  if ((m = expr.match(/^var\.(\w+)$/))) {
    const name = m[1] as string;
    if (!(name in ctx.vars)) throw new Error(`unknown variable ${name}`);
    return ctx.vars[name];
  }
  if ((m = expr.match(/^local\.(\w+)$/))) {
    const name = m[1] as string;
    if (name in ctx.computed) return ctx.computed[name];
    if (!(name in ctx.locals)) throw new Error(`unknown local ${name}`);
    return evalValue(ctx.locals[name], ctx);
  }
  // A for expression's variable, or an iterator's (statement.value, each.key) put in scope by the caller.
  if ((m = expr.match(/^(\w+(?:\.\w+)?)$/)) && (m[1] as string) in scope) return scope[m[1] as string];
  if ((m = expr.match(/^(aws_\w+)\.(\w+)(\[0\])?\.(\w+)$/))) return `<${m[1]}.${m[2]}.${m[4]}>`;
  if ((m = expr.match(/^(.+?) && (.+)$/))) {
    const [left, right] = [evalExpr(m[1] as string, ctx, scope), evalExpr(m[2] as string, ctx, scope)];
    if (typeof left !== 'boolean' || typeof right !== 'boolean') throw new Error(`&& of non-booleans in ${expr}`);
    return left && right;
  }
  if ((m = expr.match(/^length\((var|local)\.(\w+)\) > 0$/))) {
    const v = evalExpr(`${m[1]}.${m[2]}`, ctx, scope);
    return Array.isArray(v) && v.length > 0;
  }
  if ((m = expr.match(/^\[for (\w+) in (local\.\w+|var\.\w+) : "(.*)"\]$/))) {
    const [, name, listExpr, tpl] = m as unknown as [string, string, string, string];
    const list = evalExpr(listExpr, ctx, scope) as unknown[];
    return list.map((item) => evalString(tpl, ctx, { ...scope, [name]: item }));
  }
  if ((m = expr.match(/^concat\((local\.\w+|var\.\w+), \[((?:"[^"]*")(?:, "[^"]*")*)\]\)$/))) {
    const head = evalExpr(m[1] as string, ctx, scope);
    if (!Array.isArray(head)) throw new Error(`concat of a non-list in ${expr}`);
    const tail = [...(m[2] as string).matchAll(/"([^"]*)"/g)].map((x) => evalString(x[1] as string, ctx, scope));
    return [...head, ...tail];
  }
  if ((m = expr.match(/^flatten\(\[for (\w+) in (local\.\w+|var\.\w+) : \[\1, "\$\{\1\}\*"\]\]\)$/))) {
    const list = evalExpr(m[2] as string, ctx, scope) as string[];
    return list.flatMap((p) => [p, `${p}*`]);
  }
  throw new Error(`expression not supported by the test evaluator: ${expr}`);
}

// ---------------------------------------------------------------------------------------------------
// Policy documents
// ---------------------------------------------------------------------------------------------------
export interface Condition {
  test: string;
  variable: string;
  values: string[];
}
export interface Statement {
  sid: string;
  effect: string;
  actions: string[];
  resources: string[];
  conditions: Condition[];
  /** for_each of the dynamic block the statement came from, or null for a static statement. */
  gate: string | null;
}

/**
 * Every `dynamic "statement"` gate the module uses, with its meaning in plain code. A gate not listed
 * here makes renderPolicy throw: a new conditional statement must be reviewed and added.
 */
export const GATES: Record<string, (v: Record<string, unknown>, c: Record<string, unknown>) => unknown[]> = {
  '${var.copy_object_tags ? [1] : []}': (v) => (v.copy_object_tags ? [1] : []),
  '${var.sync_mode == "sync" ? [1] : []}': (v) => (v.sync_mode === 'sync' ? [1] : []),
  '${local.destination_kms && local.destination_kms_key_arn != null ? [local.destination_kms_key_arn] : []}': (_v, c) =>
    c.destination_kms && c.destination_kms_key_arn != null ? [c.destination_kms_key_arn] : [],
  '${length(local.runtime_secret_arns) > 0 ? [1] : []}': (_v, c) => ((c.runtime_secret_arns as unknown[]).length > 0 ? [1] : []),
  '${length(local.runtime_secret_arns) > 0 && length(var.secrets_kms_key_arns) > 0 ? [1] : []}': (v, c) =>
    (c.runtime_secret_arns as unknown[]).length > 0 && (v.secrets_kms_key_arns as unknown[]).length > 0 ? [1] : [],
  '${var.metrics_backend == "cloudwatch" ? [1] : []}': (v) => (v.metrics_backend === 'cloudwatch' ? [1] : []),
  '${var.enable_fanout ? [1] : []}': (v) => (v.enable_fanout ? [1] : []),
  '${var.create_ecr_repository ? [1] : []}': (v) => (v.create_ecr_repository ? [1] : []),
  '${length(local.injected_secret_arns) > 0 ? [1] : []}': (_v, c) => ((c.injected_secret_arns as unknown[]).length > 0 ? [1] : []),
  '${length(local.injected_secret_arns) > 0 && length(var.secrets_kms_key_arns) > 0 ? [1] : []}': (v, c) =>
    (c.injected_secret_arns as unknown[]).length > 0 && (v.secrets_kms_key_arns as unknown[]).length > 0 ? [1] : [],
  '${var.restrict_destination_to_vpce ? [1] : []}': (v) => (v.restrict_destination_to_vpce ? [1] : []),
};

function asList(v: unknown, what: string): string[] {
  const list = typeof v === 'string' ? [v] : v;
  if (!Array.isArray(list) || !list.every((x) => typeof x === 'string')) {
    throw new Error(`${what} did not evaluate to a list of strings: ${JSON.stringify(v)}`);
  }
  return list as string[];
}

function renderStatement(raw: Hcl, ctx: EvalContext, gate: string | null, scope: Record<string, unknown>): Statement {
  return {
    sid: String(raw.sid ?? ''),
    effect: String(raw.effect ?? 'Allow'),
    actions: asList(evalValue(raw.actions, ctx, scope), `actions of ${raw.sid}`),
    resources: asList(evalValue(raw.resources, ctx, scope), `resources of ${raw.sid}`),
    conditions: ((raw.condition ?? []) as Hcl[]).map((c) => ({
      test: c.test,
      variable: c.variable,
      values: asList(evalValue(c.values, ctx, scope), `condition values of ${raw.sid}`),
    })),
    gate,
  };
}

/** All statements of a policy document as written (static + every dynamic), unevaluated. */
export function rawStatements(doc: Hcl): Array<{ raw: Hcl; gate: string | null }> {
  const out: Array<{ raw: Hcl; gate: string | null }> = [];
  for (const s of (doc.statement ?? []) as Hcl[]) out.push({ raw: s, gate: null });
  const dyn = Array.isArray(doc.dynamic) ? doc.dynamic : doc.dynamic ? [doc.dynamic] : [];
  for (const d of dyn as Hcl[]) {
    for (const block of (d.statement ?? []) as Hcl[]) {
      for (const content of block.content as Hcl[]) out.push({ raw: content, gate: block.for_each });
    }
  }
  return out;
}

/** The statements a policy document produces for the given inputs. */
export function renderPolicy(doc: Hcl, ctx: EvalContext): Statement[] {
  const out: Statement[] = [];
  for (const { raw, gate } of rawStatements(doc)) {
    if (gate === null) {
      out.push(renderStatement(raw, ctx, null, {}));
      continue;
    }
    const fn = GATES[gate];
    if (!fn) throw new Error(`unknown dynamic statement gate ${gate} (sid ${raw.sid}): review it and add it to GATES`);
    for (const value of fn(ctx.vars, ctx.computed)) {
      out.push(renderStatement(raw, ctx, gate, { 'statement.value': value }));
    }
  }
  return out;
}
