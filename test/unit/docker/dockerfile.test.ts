import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { validate, ValidationSeverity, type ValidatorSettings } from 'dockerfile-utils';
import { describe, expect, it } from 'vitest';
import {
  dockerignorePath,
  execForm,
  isIgnored,
  keyValues,
  parseDockerfile,
  parseDockerignore,
  readDockerfile,
  repoRoot,
  words,
  type Stage,
} from './dockerfile-model.js';

/** Every optional check of dockerfile-utils raised to an error. */
const STRICT: ValidatorSettings = {
  deprecatedMaintainer: ValidationSeverity.ERROR,
  directiveCasing: ValidationSeverity.ERROR,
  emptyContinuationLine: ValidationSeverity.ERROR,
  instructionCasing: ValidationSeverity.ERROR,
  instructionCmdMultiple: ValidationSeverity.ERROR,
  instructionEntrypointMultiple: ValidationSeverity.ERROR,
  instructionHealthcheckMultiple: ValidationSeverity.ERROR,
  instructionJSONInSingleQuotes: ValidationSeverity.ERROR,
  instructionWorkdirRelative: ValidationSeverity.ERROR,
};

const { text, model } = readDockerfile();
const runtime = model.stages[model.stages.length - 1]!;
const stageNamed = (name: string): Stage => {
  const s = model.stages.find((x) => x.name === name);
  if (!s) throw new Error(`docker/Dockerfile has no stage named ${name}`);
  return s;
};
const all = (stage: Stage, keyword: string) => stage.instructions.filter((i) => i.keyword === keyword);
const runText = (stage: Stage) =>
  all(stage, 'RUN')
    .map((i) => i.args)
    .join('\n');
const envOf = (stage: Stage) => new Map(all(stage, 'ENV').flatMap((i) => [...keyValues(i.args)]));

describe('docker/Dockerfile', () => {
  it('passes dockerfile-utils validation with every check an error', () => {
    const problems = validate(text, STRICT).map((d) => `line ${d.range.start.line + 1}: ${d.message}`);
    expect(problems).toEqual([]);
  });

  it('the validator does flag a broken copy of it (the check above can fail)', () => {
    const broken = text.replace(/^USER .*$/m, 'USER').replace(/^WORKDIR \/app$/m, 'WORKDIR app');
    expect(broken).not.toBe(text);
    expect(validate(broken, STRICT).length).toBeGreaterThanOrEqual(2);
  });

  it('takes every base image from an ARG whose default is a real public image', () => {
    const stageNames = new Set(model.stages.map((s) => s.name).filter(Boolean));
    for (const stage of model.stages) {
      const ref = /^\$\{(\w+)\}$/.exec(stage.from);
      expect(ref, `FROM ${stage.from} must be \${ARG}`).not.toBeNull();
      expect(model.globalArgs.has(ref![1]!), `ARG ${ref![1]} declared before the first FROM`).toBe(true);
      expect(stageNames.has(stage.image)).toBe(false);
      // Docker Hub official images, tagged, neither local nor floating.
      expect(stage.image).toMatch(/^(docker\.io\/library\/)?(node|golang):[0-9][\w.-]*$/);
      expect(stage.image).not.toMatch(/localhost|:latest$/);
    }
    expect(model.globalArgs.get('NODE_BUILD_IMAGE')).toBe('node:24-bookworm-slim');
    expect(model.globalArgs.get('NODE_IMAGE')).toBe('node:24-bookworm-slim');
    expect(model.globalArgs.get('GO_IMAGE')).toMatch(/^golang:1\.(2[6-9]|[3-9]\d)(\.\d+)?-bookworm$/);
  });

  it('builds and runs on Node 24 LTS, on Debian bookworm', () => {
    for (const arg of ['NODE_BUILD_IMAGE', 'NODE_IMAGE']) {
      expect(model.globalArgs.get(arg), arg).toMatch(/^node:24[.-]/);
      expect(model.globalArgs.get(arg), arg).toMatch(/bookworm/);
    }
    expect(runtime.from).toBe('${NODE_IMAGE}');
    expect(stageNamed('build').from).toBe('${NODE_BUILD_IMAGE}');
    expect(stageNamed('s5cmd').from).toBe('${GO_IMAGE}');
  });

  it('compiles in the build stage and keeps production dependencies only', () => {
    const build = stageNamed('build');
    const run = runText(build);
    expect(run).toMatch(/\bnpm ci\b/);
    expect(run).toMatch(/\bnpm run build\b/);
    expect(run).toMatch(/\bnpm prune --omit=dev\b|\bnpm ci\b[^\n]*--omit=dev/);
    const copies = all(runtime, 'COPY')
      .filter((c) => c.flags.from === 'build')
      .map((c) => words(c.args)[0]);
    expect(copies.sort()).toEqual(['/app/dist', '/app/node_modules', '/app/package.json']);
  });

  it('builds s5cmd v2.3.0 with the Go toolchain through the module proxy, nothing downloaded by hand', () => {
    const go = stageNamed('s5cmd');
    const run = runText(go);
    expect(run).toMatch(/go install\b[^\n]*github\.com\/peak\/s5cmd\/v2\b/);
    expect(run).toMatch(/require github\.com\/peak\/s5cmd\/v2 v%s/);
    expect(all(go, 'ARG').map((a) => a.args)).toContain('S5CMD_VERSION=2.3.0');
    expect(run).toMatch(/version\.Version=\$\{S5CMD_VERSION\}/);
    expect(envOf(go).get('CGO_ENABLED')).toBe('0');
    expect(envOf(go).get('GOTOOLCHAIN')).toBe('local');
    expect(text).not.toMatch(/\b(curl|wget)\b/);
    expect(model.instructions.filter((i) => i.keyword === 'ADD')).toEqual([]);
    const s5cmd = all(runtime, 'COPY').find((c) => c.flags.from === 's5cmd');
    expect(s5cmd && words(s5cmd.args)).toEqual(['/out/s5cmd', '/usr/local/bin/s5cmd']);
  });

  it('runs as a non-root numeric user, created in the image', () => {
    const users = all(runtime, 'USER');
    expect(users.length).toBeGreaterThan(0);
    const user = users[users.length - 1]!.args;
    const [uid, gid] = user.split(':');
    expect(uid).toMatch(/^\d+$/);
    expect(Number(uid)).toBeGreaterThanOrEqual(1000);
    expect(gid === undefined || Number(gid) > 0).toBe(true);
    expect(runText(runtime)).toMatch(new RegExp(`useradd\\b[^\\n]*--uid ${uid}\\b`));
    // Nothing after USER switches back to root.
    const last = runtime.instructions.indexOf(users[users.length - 1]!);
    expect(runtime.instructions.slice(last + 1).filter((i) => i.keyword === 'RUN' || i.keyword === 'USER')).toEqual([]);
  });

  it('starts the job under tini (forwards signals, reaps children) through the heap-sizing entrypoint, --help by default', () => {
    const entrypoints = all(runtime, 'ENTRYPOINT');
    expect(entrypoints).toHaveLength(1);
    expect(execForm(entrypoints[0]!.args)).toEqual(['/usr/bin/tini', '--', '/app/entrypoint.sh', 'node', '/app/dist/cli/main.js']);
    const copy = all(runtime, 'COPY').find((c) => words(c.args).at(-1) === '/app/entrypoint.sh');
    expect(copy && words(copy.args)).toEqual(['docker/entrypoint.sh', '/app/entrypoint.sh']);
    expect(copy?.flags.chmod).toBe('0555');
    // It execs its arguments, so the job stays tini's direct child and gets its signals.
    expect(readFileSync(join(repoRoot, 'docker/entrypoint.sh'), 'utf8')).toMatch(/^exec "\$@"$/m);
    expect(runText(runtime)).toMatch(/apt-get install\b[^\n]*\btini\b/);
    expect(execForm(all(runtime, 'CMD')[0]!.args)).toEqual(['--help']);
    expect(all(runtime, 'HEALTHCHECK').map((h) => h.args)).toEqual(['NONE']);
  });

  it('sets the runtime environment: production, /tmp for everything written, the bundled s5cmd', () => {
    const env = envOf(runtime);
    expect(Object.fromEntries(env)).toMatchObject({
      NODE_ENV: 'production',
      HOME: '/tmp',
      TMPDIR: '/tmp',
      S3DS_S5CMD_PATH: '/usr/local/bin/s5cmd',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    });
    expect(all(runtime, 'VOLUME')).toEqual([]);
  });

  it('carries OCI labels that agree with package.json', () => {
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string; license: string };
    const labels = new Map(all(runtime, 'LABEL').flatMap((l) => [...keyValues(l.args)]));
    expect(labels.get('org.opencontainers.image.title')).toBe('s3-direct-sync');
    expect(labels.get('org.opencontainers.image.licenses')).toBe(pkg.license);
    expect(labels.get('org.opencontainers.image.version')).toBe('${VERSION}');
    expect(labels.get('org.opencontainers.image.revision')).toBe('${REVISION}');
    // scripts/build-image.sh passes package.json's version and the git revision.
    expect(all(runtime, 'ARG').map((a) => a.args.split('=')[0])).toEqual(expect.arrayContaining(['VERSION', 'REVISION']));
    expect(pkg.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('reads a stand-alone example the way Docker does (reader self-check)', () => {
    const m = parseDockerfile('# c\nARG B=x:1\nFROM ${B} AS one\nRUN --mount=type=secret,id=s a \\\n  # skipped\n  b\nENV A=1 C="two words"\n');
    expect(m.stages).toEqual([expect.objectContaining({ from: '${B}', image: 'x:1', name: 'one' })]);
    expect(m.stages[0]!.instructions[0]).toMatchObject({ keyword: 'RUN', flags: { mount: 'type=secret,id=s' }, args: 'a b', line: 4 });
    expect([...keyValues(m.stages[0]!.instructions[1]!.args)]).toEqual([
      ['A', '1'],
      ['C', 'two words'],
    ]);
  });
});

describe('.dockerignore', () => {
  const rules = parseDockerignore(readFileSync(dockerignorePath, 'utf8'));

  it('keeps dependencies, build output, git, tests, Terraform state and caches out of the context', () => {
    for (const p of [
      'node_modules/yargs/index.js',
      'dist/cli/main.js',
      '.git/HEAD',
      'test/fixtures/binance-archive.ts',
      'test/integration/image.test.ts',
      'terraform/environments/terraform.tfstate',
      'terraform/environments/.terraform/dev/providers/x',
      'coverage/index.html',
      '.tmp/archive/data.zip',
      'report.json',
      'scripts/build-image.sh',
      'docker/Dockerfile',
      'config/dev.json',
    ]) {
      expect(isIgnored(rules, p), p).toBe(true);
    }
  });

  it('keeps every file the Dockerfile copies from the context', () => {
    const sources = model.instructions
      .filter((i) => i.keyword === 'COPY' && !i.flags.from)
      .flatMap((i) => words(i.args).slice(0, -1))
      .map((p) => p.replace(/^\.\//, '').replace(/\/$/, ''));
    expect(sources).toEqual(expect.arrayContaining(['package.json', 'package-lock.json', 'src']));
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const full = join(dir, name);
        if (statSync(full).isDirectory()) walk(full);
        else files.push(relative(repoRoot, full).split('\\').join('/'));
      }
    };
    for (const s of sources) {
      if (statSync(join(repoRoot, s)).isDirectory()) walk(join(repoRoot, s));
      else files.push(s);
    }
    const needed = files.filter((f) => !/\.test\.ts$/.test(f));
    expect(needed.length).toBeGreaterThan(10);
    expect(needed.filter((f) => isIgnored(rules, f))).toEqual([]);
  });

  it('is read with Docker semantics (reader self-check)', () => {
    const r = parseDockerignore('*\n!src/\nsrc/**/*.test.ts\n');
    expect(isIgnored(r, 'src/a/b.ts')).toBe(false);
    expect(isIgnored(r, 'src/a/b.test.ts')).toBe(true);
    expect(isIgnored(r, 'other/x')).toBe(true);
    expect(isIgnored(parseDockerignore('node_modules\n'), 'node_modules/a/b')).toBe(true);
    expect(isIgnored(parseDockerignore('node_modules\n'), 'src/node_modules.ts')).toBe(false);
  });
});
