import { describe, it, expect } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ENVIRONMENTS, backendConfigPath, listTfFiles, moduleDir, parseAttributes, parseDir, parseFile, repoRoot, rootDir, tfRoot, tfvarsPath } from './hcl.js';
import { parse } from '@cdktf/hcl2json';

describe('terraform files', () => {
  const files = listTfFiles(tfRoot);

  const envFiles = ENVIRONMENTS.flatMap((env) => [tfvarsPath(env), backendConfigPath(env)]);

  it('has the module and one root with a tfvars and a backend file per environment', () => {
    expect(files.some((f) => f.startsWith(moduleDir + path.sep))).toBe(true);
    expect(files.some((f) => f.startsWith(rootDir + path.sep))).toBe(true);
    for (const file of envFiles) expect(existsSync(file), file).toBe(true);
  });

  it.each([...files, ...envFiles].map((f) => [path.relative(repoRoot, f), f]))('%s parses', async (_rel, file) => {
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
    for (const dir of [moduleDir, rootDir]) {
      const d = await parseDir(dir);
      for (const [name, [o]] of Object.entries(d.output) as Array<[string, Array<Record<string, unknown>>]>) {
        expect(String(o?.description ?? '').length, `${dir}: ${name}`).toBeGreaterThan(5);
      }
    }
  });

  it('needs AWS provider >= 5.x and terraform >= 1.5, and no backend', async () => {
    const tf = (await parseDir(moduleDir)).terraform[0];
    expect(tf.required_version).toMatch(/^>= 1\.[5-9]/);
    const aws = tf.required_providers[0].aws;
    expect(aws.source).toBe('hashicorp/aws');
    // A minimum only: the root that calls the module chooses the upper bound.
    expect(aws.version).toMatch(/^>= [56]\.\d+$/);
    expect(tf.backend).toBeUndefined();
  });
});

describe('root', () => {
  it('pins the AWS provider to a major version, and terraform >= 1.10 for the S3 lock file', async () => {
    const tf = (await parseDir(rootDir)).terraform[0];
    expect(tf.required_version).toMatch(/^>= 1\.(1[0-9]|[2-9][0-9])\./);
    const aws = tf.required_providers[0].aws;
    expect(aws.source).toBe('hashicorp/aws');
    expect(aws.version).toMatch(/^~> [56]\.\d+$/);
    // A partial S3 backend: every setting comes from <env>.s3.tfbackend, so none can be shared by mistake.
    expect(tf.backend).toEqual({ s3: [{}] });
  });

  it('calls the module from the local path and configures the provider from a variable', async () => {
    const d = await parseDir(rootDir);
    expect(Object.keys(d.module)).toEqual(['s3_direct_sync']);
    expect(d.module.s3_direct_sync[0].source).toBe('../modules/s3-direct-sync');
    expect(d.module.s3_direct_sync[0].environment).toBe('${var.environment}');
    expect(d.provider.aws[0].region).toBe('${var.aws_region}');
  });
});

describe.each(ENVIRONMENTS)('environment %s', (env) => {
  it('names itself in its tfvars', async () => {
    expect((await parseAttributes(tfvarsPath(env))).environment).toBe(env);
  });

  it('keeps its state under its own key in an encrypted, locked S3 backend', async () => {
    const backend = await parseAttributes(backendConfigPath(env));
    expect(Object.keys(backend).sort()).toEqual(['bucket', 'encrypt', 'key', 'region', 'use_lockfile']);
    expect(backend.key).toBe(`s3-direct-sync/${env}/terraform.tfstate`);
    expect(backend.encrypt).toBe(true);
    expect(backend.use_lockfile).toBe(true);
  });
});

describe('READMEs', () => {
  const cases = [
    ['module', moduleDir],
    ['root', rootDir],
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
