/**
 * A small reader of docker/Dockerfile and .dockerignore for the unit tests: instructions with their
 * flags and arguments, grouped by stage, with the global ARG defaults; and the .dockerignore rules
 * with Docker's semantics (last matching pattern wins, a pattern matching a folder covers its
 * contents, `!` re-includes).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import picomatch from 'picomatch';

export const repoRoot = join(import.meta.dirname, '..', '..', '..');
export const dockerfilePath = join(repoRoot, 'docker', 'Dockerfile');
export const dockerignorePath = join(repoRoot, '.dockerignore');

export interface Instruction {
  keyword: string;
  /** `--name=value` flags before the arguments (RUN --mount, COPY --from, ...). */
  flags: Record<string, string>;
  /** The arguments after the flags, continuation lines joined with a space. */
  args: string;
  /** 1-based line of the keyword. */
  line: number;
}

export interface Stage {
  /** The FROM argument as written, e.g. `${NODE_IMAGE}`. */
  from: string;
  /** The image after substituting the global ARG defaults. */
  image: string;
  name?: string;
  instructions: Instruction[];
}

export interface Dockerfile {
  /** ARGs before the first FROM: name → default (undefined when none). */
  globalArgs: Map<string, string | undefined>;
  stages: Stage[];
  instructions: Instruction[];
}

/** Splits on whitespace, keeping double- or single-quoted parts together (quotes removed). */
export function words(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote: string | undefined;
  let any = false;
  for (const ch of text) {
    if (quote) {
      if (ch === quote) quote = undefined;
      else cur += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      any = true;
    } else if (/\s/.test(ch)) {
      if (cur || any) out.push(cur);
      cur = '';
      any = false;
    } else cur += ch;
  }
  if (quote) throw new Error(`unterminated quote in: ${text}`);
  if (cur || any) out.push(cur);
  return out;
}

/** `K=V K2="v 2"` (ENV, LABEL, ARG) as a map. */
export function keyValues(args: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const w of words(args)) {
    const i = w.indexOf('=');
    if (i <= 0) throw new Error(`expected KEY=VALUE, got '${w}' in: ${args}`);
    m.set(w.slice(0, i), w.slice(i + 1));
  }
  return m;
}

/** The exec (JSON array) form of CMD / ENTRYPOINT, or undefined for the shell form. */
export function execForm(args: string): string[] | undefined {
  if (!args.trimStart().startsWith('[')) return undefined;
  const v: unknown = JSON.parse(args);
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw new Error(`not a JSON array of strings: ${args}`);
  return v as string[];
}

function substitute(text: string, vars: Map<string, string | undefined>): string {
  return text.replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, a: string | undefined, b: string | undefined) => vars.get((a ?? b)!) ?? whole);
}

export function parseDockerfile(text: string): Dockerfile {
  const lines = text.split('\n');
  const instructions: Instruction[] = [];
  let i = 0;
  // Parser directives (# syntax=...) are comments for this reader.
  while (i < lines.length) {
    const raw = lines[i]!;
    const trimmed = raw.trim();
    i++;
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const line = i;
    let body = raw.replace(/\s+$/, '');
    // Continuation: a trailing backslash joins the next line; comment lines in between are skipped.
    while (body.endsWith('\\')) {
      body = body.slice(0, -1);
      while (i < lines.length && lines[i]!.trim().startsWith('#')) i++;
      if (i >= lines.length) break;
      body += ' ' + lines[i]!.trim();
      i++;
    }
    const m = /^\s*(\w+)\s*(.*)$/s.exec(body);
    if (!m) throw new Error(`line ${line}: cannot read '${raw}'`);
    let rest = m[2]!.trim();
    const flags: Record<string, string> = {};
    for (;;) {
      const f = /^--([\w-]+)(?:=(\S*))?\s+/.exec(rest);
      if (!f) break;
      flags[f[1]!] = f[2] ?? 'true';
      rest = rest.slice(f[0].length);
    }
    instructions.push({ keyword: m[1]!.toUpperCase(), flags, args: rest.replace(/\s+/g, ' ').trim(), line });
  }

  const globalArgs = new Map<string, string | undefined>();
  const stages: Stage[] = [];
  for (const ins of instructions) {
    if (ins.keyword === 'FROM') {
      const [from, as, name] = words(ins.args);
      if (!from) throw new Error(`line ${ins.line}: FROM without an image`);
      stages.push({ from, image: substitute(from, globalArgs), name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] });
    } else if (stages.length === 0) {
      if (ins.keyword !== 'ARG') throw new Error(`line ${ins.line}: ${ins.keyword} before the first FROM`);
      const [decl] = words(ins.args);
      const eq = decl!.indexOf('=');
      globalArgs.set(eq < 0 ? decl! : decl!.slice(0, eq), eq < 0 ? undefined : decl!.slice(eq + 1));
    } else {
      stages[stages.length - 1]!.instructions.push(ins);
    }
  }
  return { globalArgs, stages, instructions };
}

export function readDockerfile(): { text: string; model: Dockerfile } {
  const text = readFileSync(dockerfilePath, 'utf8');
  return { text, model: parseDockerfile(text) };
}

export interface IgnoreRule {
  pattern: string;
  negated: boolean;
  match: (path: string) => boolean;
}

export function parseDockerignore(text: string): IgnoreRule[] {
  const rules: IgnoreRule[] = [];
  for (const raw of text.split('\n')) {
    let p = raw.trim();
    if (!p || p.startsWith('#')) continue;
    const negated = p.startsWith('!');
    if (negated) p = p.slice(1).trim();
    p = p.replace(/^\/+/, '').replace(/\/+$/, '');
    if (p === '' || p === '.') continue;
    rules.push({ pattern: p, negated, match: picomatch(p, { dot: true }) });
  }
  return rules;
}

/** True when a context path (relative, '/'-separated) is left out of the build context. */
export function isIgnored(rules: IgnoreRule[], path: string): boolean {
  const parts = path.split('/');
  const candidates = parts.map((_, k) => parts.slice(0, k + 1).join('/'));
  let ignored = false;
  for (const rule of rules) {
    if (candidates.some((c) => rule.match(c))) ignored = !rule.negated;
  }
  return ignored;
}
