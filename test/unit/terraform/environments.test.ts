// Guards the one-root layout against copy-paste drift: an environment is only its tfvars and backend
// file, every environment sets the same variables, and the root passes each of them on.
import { describe, it, expect } from 'vitest';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { ENVIRONMENTS, type Hcl, backendConfigPath, parseAttributes, parseDir, rootDir, tfvarsPath } from './hcl.js';

/** Required root variables an operator adds for the environment's network (README.md, Usage). */
const NETWORK_INPUTS = ['vpc_id', 'subnet_ids'];
/** Root variables the provider block reads instead of the module. */
const PROVIDER_INPUTS = ['aws_region', 'default_tags'];

const tfvarsOf = async (): Promise<Array<[string, Record<string, unknown>]>> =>
  Promise.all(ENVIRONMENTS.map(async (env) => [env, await parseAttributes(tfvarsPath(env))] as [string, Record<string, unknown>]));

/** The root variables whose value an expression reads. */
function varsIn(expr: unknown): string[] {
  return [...JSON.stringify(expr ?? null).matchAll(/\bvar\.(\w+)/g)].map((m) => m[1] as string);
}

describe('one root for every environment', () => {
  it('holds the shared .tf files and, per environment, only a tfvars and a backend file', () => {
    const names = readdirSync(rootDir).filter((n) => !n.startsWith('.'));
    expect(
      names.filter((n) => statSync(path.join(rootDir, n)).isDirectory()),
      'no per-environment directories',
    ).toEqual([]);
    expect(names.filter((n) => n.endsWith('.tf')).sort()).toEqual(['main.tf', 'outputs.tf', 'providers.tf', 'variables.tf', 'versions.tf']);
    expect(names.filter((n) => n.endsWith('.tfvars')).sort()).toEqual(ENVIRONMENTS.map((e) => `${e}.tfvars`).sort());
    expect(names.filter((n) => n.endsWith('.tfbackend')).sort()).toEqual(ENVIRONMENTS.map((e) => `${e}.s3.tfbackend`).sort());
  });

  it('every environment sets the same variables', async () => {
    const all = await tfvarsOf();
    const first = Object.keys(all[0]?.[1] ?? {}).sort();
    expect(first.length).toBeGreaterThan(10);
    for (const [env, tfvars] of all) expect(Object.keys(tfvars).sort(), env).toEqual(first);
  });

  it('the tfvars set every root variable without a default (but the network) and only root variables', async () => {
    const root = await parseDir(rootDir);
    const declared = Object.keys(root.variable);
    const required = Object.entries(root.variable as Record<string, Hcl[]>)
      .filter(([name, [v]]) => !('default' in v) && !NETWORK_INPUTS.includes(name))
      .map(([name]) => name);
    for (const [env, tfvars] of await tfvarsOf()) {
      expect(
        required.filter((name) => !(name in tfvars)),
        `${env}: not set`,
      ).toEqual([]);
      expect(
        Object.keys(tfvars).filter((name) => !declared.includes(name)),
        `${env}: not a root variable`,
      ).toEqual([]);
    }
    // Typed and described here too: the module validates them.
    for (const name of required) {
      const [v] = root.variable[name] as Hcl[];
      expect(v.type, name).toBeDefined();
      expect(String(v.description ?? '').length, name).toBeGreaterThan(10);
    }
  });

  it('passes every root variable on: each tfvars value to the module input of the same name', async () => {
    const root = await parseDir(rootDir);
    const call = root.module.s3_direct_sync[0] as Record<string, unknown>;
    const read = new Set([...Object.values(call).flatMap(varsIn), ...varsIn(root.provider)]);
    expect(
      Object.keys(root.variable).filter((name) => !read.has(name)),
      'declared but never used',
    ).toEqual([]);
    for (const name of PROVIDER_INPUTS) expect(varsIn(root.provider), name).toContain(name);
    for (const [env, tfvars] of await tfvarsOf()) {
      for (const name of Object.keys(tfvars)) {
        expect(varsIn(PROVIDER_INPUTS.includes(name) ? root.provider : call[name]), `${env}: ${name}`).toContain(name);
      }
    }
  });

  it('gives no two environments the same state key or destination bucket', async () => {
    const keys = await Promise.all(ENVIRONMENTS.map(async (env) => (await parseAttributes(backendConfigPath(env))).key));
    expect(new Set(keys).size).toBe(ENVIRONMENTS.length);
    const buckets = (await tfvarsOf()).map(([, tfvars]) => tfvars.destination_bucket);
    expect(new Set(buckets).size).toBe(ENVIRONMENTS.length);
  });
});
