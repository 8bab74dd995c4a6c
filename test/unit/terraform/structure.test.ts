import { describe, it, expect } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ENVIRONMENTS, envDir, listTfFiles, moduleDir, parseDir, parseFile, repoRoot, tfRoot } from './hcl.js';
import { parse } from '@cdktf/hcl2json';

describe('terraform files', () => {
  const files = listTfFiles(tfRoot);

  it('has the module and one root per environment', () => {
    expect(files.some((f) => f.startsWith(moduleDir))).toBe(true);
    for (const env of ENVIRONMENTS) {
      expect(files.some((f) => f.startsWith(envDir(env) + path.sep)), env).toBe(true);
    }
  });

  it.each(files.map((f) => [path.relative(repoRoot, f), f]))('%s parses', async (_rel, file) => {
    const doc = await parseFile(file);
    expect(Object.keys(doc).length).toBeGreaterThan(0);
  });

  it('.tflint.hcl parses and enables the AWS ruleset without source/version', async () => {
    const cfg = await parse('.tflint.hcl', readFileSync(path.join(repoRoot, '.tflint.hcl'), 'utf8'));
    const aws = cfg.plugin?.aws?.[0];
    expect(aws?.enabled).toBe(true);
    expect(aws?.source).toBeUndefined();
    expect(aws?.version).toBeUndefined();
  });
});

describe('module interface', () => {
  it('types, describes and validates its variables', async () => {
    const m = await parseDir(moduleDir);
    const vars = Object.entries(m.variable) as Array<[string, Array<Record<string, unknown>>]>;
    expect(vars.length).toBeGreaterThan(40);
    const unvalidated: string[] = [];
    for (const [name, [v]] of vars) {
      expect(v?.type, name).toBeDefined();
      expect(String(v?.description ?? '').length, name).toBeGreaterThan(10);
      // Booleans and free-form maps need no validation; everything else states what it accepts.
      const type = String(v?.type);
      if (type !== '${bool}' && name !== 'tags' && !v?.validation) unvalidated.push(name);
    }
    expect(unvalidated).toEqual([]);
  });

  it('describes every output', async () => {
    for (const dir of [moduleDir, ...ENVIRONMENTS.map(envDir)]) {
      const d = await parseDir(dir);
      for (const [name, [o]] of Object.entries(d.output) as Array<[string, Array<Record<string, unknown>>]>) {
        expect(String(o?.description ?? '').length, `${dir}: ${name}`).toBeGreaterThan(5);
      }
    }
  });

  it('pins the AWS provider to a major version in the roots, a minimum in the module, and terraform >= 1.5', async () => {
    for (const dir of [moduleDir, ...ENVIRONMENTS.map(envDir)]) {
      const d = await parseDir(dir);
      const tf = d.terraform[0];
      expect(tf.required_version, dir).toMatch(/^>= 1\.[5-9]/);
      const aws = tf.required_providers[0].aws;
      expect(aws.source).toBe('hashicorp/aws');
      // A module states a minimum only: the root that calls it chooses the upper bound.
      expect(aws.version, dir).toMatch(dir === moduleDir ? /^>= [56]\.\d+$/ : /^~> [56]\.\d+$/);
      // No active backend: nothing here may need a network to initialise.
      expect(tf.backend, dir).toBeUndefined();
    }
  });
});

describe.each(ENVIRONMENTS)('environment %s', (env) => {
  it('calls the module from the local path and configures the provider from a variable', async () => {
    const d = await parseDir(envDir(env));
    expect(Object.keys(d.module)).toEqual(['s3_direct_sync']);
    expect(d.module.s3_direct_sync[0].source).toBe('../../modules/s3-direct-sync');
    expect(d.module.s3_direct_sync[0].environment).toBe(env);
    expect(d.provider.aws[0].region).toBe('${var.aws_region}');
  });
});

describe('READMEs', () => {
  const cases = [
    ['module', moduleDir],
    ...ENVIRONMENTS.map((e) => [e, envDir(e)]),
  ] as Array<[string, string]>;

  it.each(cases)('%s README lists every input and output in tables', async (_name, dir) => {
    const readmePath = path.join(dir, 'README.md');
    expect(existsSync(readmePath)).toBe(true);
    const readme = readFileSync(readmePath, 'utf8');
    const d = await parseDir(dir);
    const inputs = readme.slice(readme.indexOf('## Inputs'), readme.indexOf('## Outputs'));
    const outputs = readme.slice(readme.indexOf('## Outputs'));
    expect(inputs).toMatch(/\| Name \| Description \| Type \| Default \|/);
    expect(outputs).toMatch(/\| Name \| Description \|/);
    for (const name of Object.keys(d.variable)) expect(inputs, `input ${name}`).toContain(`| \`${name}\` |`);
    for (const name of Object.keys(d.output)) expect(outputs, `output ${name}`).toContain(`| \`${name}\` |`);
    // and nothing stale: every row names something that exists
    const rows = [...inputs.matchAll(/^\| `([a-z0-9_]+)` \|/gm)].map((m) => m[1]);
    expect(rows.sort()).toEqual(Object.keys(d.variable).sort());
    const outRows = [...outputs.matchAll(/^\| `([a-z0-9_]+)` \|/gm)].map((m) => m[1]);
    expect(outRows.sort()).toEqual(Object.keys(d.output).sort());
  });
});
