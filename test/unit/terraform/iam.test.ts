import { describe, it, expect } from 'vitest';
import { ENVIRONMENTS, type Hcl, type Statement, evalString, localsOf, rawStatements, renderPolicy } from './hcl.js';
import { ACCOUNT, envModel, loadModule } from './model.js';

// Actions that have no resource-level permissions: "*" is the only valid resource for them.
const NO_RESOURCE_LEVEL = new Set(['cloudwatch:PutMetricData', 'ecr:GetAuthorizationToken']);

/** Least-privilege rules for an identity policy that touches S3; returns every violation found. */
export function policyProblems(statements: Statement[], s3: { buckets: Record<string, string[]> }): string[] {
  const problems: string[] = [];
  for (const s of statements) {
    const where = `${s.sid || '(no sid)'}`;
    if (s.effect !== 'Allow') problems.push(`${where}: identity policies here only allow`);
    for (const a of s.actions) {
      if (a.includes('*')) problems.push(`${where}: wildcard action ${a}`);
    }
    for (const r of s.resources) {
      if (r === '*' && !s.actions.every((a) => NO_RESOURCE_LEVEL.has(a))) {
        problems.push(`${where}: resource "*" for ${s.actions.join(',')}`);
      }
      if (r.startsWith('arn:aws:s3:::')) {
        const rest = r.slice('arn:aws:s3:::'.length);
        const [bucket, ...keyParts] = rest.split('/');
        const key = keyParts.join('/');
        const prefixes = s3.buckets[bucket ?? ''];
        if (!prefixes) {
          problems.push(`${where}: S3 resource ${r} is not one of the job's buckets`);
        } else if (rest.includes('/')) {
          if (!prefixes.some((p) => key === `${p}*`)) {
            problems.push(`${where}: object ARN ${r} is not <bucket>/<configured prefix>*`);
          }
        } else if (r.includes('*')) {
          problems.push(`${where}: wildcard bucket ARN ${r}`);
        }
      }
    }
    if (s.actions.includes('s3:ListBucket')) {
      const bucket = (s.resources[0] ?? '').replace('arn:aws:s3:::', '');
      const prefixes = s3.buckets[bucket] ?? [];
      const cond = s.conditions.find((c) => c.variable === 's3:prefix');
      if (!cond || cond.test !== 'StringLike') {
        problems.push(`${where}: s3:ListBucket without a StringLike s3:prefix condition`);
      } else {
        const expected = prefixes.flatMap((p) => [p, `${p}*`]).sort();
        if (JSON.stringify([...cond.values].sort()) !== JSON.stringify(expected)) {
          problems.push(`${where}: s3:prefix ${JSON.stringify(cond.values)} != ${JSON.stringify(expected)}`);
        }
      }
      if (s.actions.length !== 1) problems.push(`${where}: s3:ListBucket must stand alone (its condition)`);
    }
    if (s.actions.includes('iam:PassRole')) {
      const cond = s.conditions.find((c) => c.variable === 'iam:PassedToService');
      if (!cond || cond.test !== 'StringEquals' || JSON.stringify(cond.values) !== '["ecs-tasks.amazonaws.com"]') {
        problems.push(`${where}: iam:PassRole without iam:PassedToService = ecs-tasks.amazonaws.com`);
      }
      if (s.resources.some((r) => r.includes('*'))) problems.push(`${where}: iam:PassRole on a wildcard`);
    }
    if (s.actions.includes('cloudwatch:PutMetricData')) {
      const cond = s.conditions.find((c) => c.variable === 'cloudwatch:namespace');
      if (!cond || cond.test !== 'StringEquals' || JSON.stringify(cond.values) !== '["S3DirectSync"]') {
        problems.push(`${where}: cloudwatch:PutMetricData without the S3DirectSync namespace condition`);
      }
    }
    if (s.actions.includes('ecs:RunTask')) {
      const cond = s.conditions.find((c) => c.variable === 'ecs:cluster');
      if (!cond) problems.push(`${where}: ecs:RunTask without an ecs:cluster condition`);
      if (!s.resources.every((r) => /:task-definition\/[a-z0-9-]+:\*$/.test(r))) {
        problems.push(`${where}: ecs:RunTask not limited to one task definition family`);
      }
    }
  }
  return problems;
}

const doc = (m: Hcl, name: string): Hcl => {
  const d = m.data?.aws_iam_policy_document?.[name]?.[0];
  if (!d) throw new Error(`policy document ${name} not found`);
  return d;
};

const ALL_FEATURES = {
  copy_object_tags: true,
  enable_fanout: true,
  metrics_backend: 'cloudwatch',
  destination_credentials_secret_arn: `arn:aws:secretsmanager:ap-northeast-1:${ACCOUNT}:secret:dest-creds-AbCdEf`,
  config_secret_arn: `arn:aws:secretsmanager:ap-northeast-1:${ACCOUNT}:secret:config-AbCdEf`,
  injected_secrets: { S3DS_API_TOKEN: `arn:aws:secretsmanager:ap-northeast-1:${ACCOUNT}:secret:token-AbCdEf` },
  secrets_kms_key_arns: [`arn:aws:kms:ap-northeast-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`],
};

describe('policy checker', () => {
  it('reports wildcard actions, bucket-wide resources, missing conditions', () => {
    const bad: Statement[] = [
      { sid: 'a', effect: 'Allow', actions: ['s3:*'], resources: ['arn:aws:s3:::*'], conditions: [], gate: null },
      { sid: 'b', effect: 'Allow', actions: ['s3:GetObject'], resources: ['arn:aws:s3:::src/*'], conditions: [], gate: null },
      {
        sid: 'c',
        effect: 'Allow',
        actions: ['s3:ListBucket'],
        resources: ['arn:aws:s3:::src'],
        conditions: [{ test: 'StringEquals', variable: 's3:prefix', values: ['data/'] }],
        gate: null,
      },
      { sid: 'd', effect: 'Allow', actions: ['iam:PassRole'], resources: ['arn:aws:iam::1:role/x'], conditions: [], gate: null },
      { sid: 'e', effect: 'Allow', actions: ['cloudwatch:PutMetricData'], resources: ['*'], conditions: [], gate: null },
      { sid: 'f', effect: 'Allow', actions: ['s3:PutObject'], resources: ['*'], conditions: [], gate: null },
    ];
    const problems = policyProblems(bad, { buckets: { src: ['data/'] } });
    for (const sid of ['a', 'b', 'c', 'd', 'e', 'f']) {
      expect(
        problems.some((p) => p.startsWith(`${sid}:`)),
        `no problem reported for ${sid}`,
      ).toBe(true);
    }
  });
});

describe('module locals mirrored by the tests', () => {
  it('keeps the HCL the test model (model.ts) mirrors', async () => {
    const locals = localsOf(await loadModule());
    expect(locals.source_key_prefixes).toBe(
      '${length(var.source_prefixes) == 0 ? [var.source_root] : [for p in var.source_prefixes : "${var.source_root}${p}"]}',
    );
    expect(locals.destination_kms).toBe('${var.destination_encryption == "aws:kms"}');
    expect(locals.runtime_secret_arns).toBe('${compact([var.destination_credentials_secret_arn, var.config_secret_arn])}');
    expect(locals.cluster_arn).toBe('${local.create_cluster ? aws_ecs_cluster.this[0].arn : var.existing_cluster_arn}');
    expect(String(locals.destination_allowed_vpce_ids).replace(/\s+/g, ' ')).toBe(
      '${distinct(concat( var.destination_allowed_vpce_ids, var.create_s3_gateway_endpoint ? [aws_vpc_endpoint.s3[0].id] : [], ))}',
    );
    expect(locals.source_bucket_arn).toBe('arn:${local.partition}:s3:::${var.source_bucket}');
    expect(locals.task_definition_family_arn).toBe('arn:${local.partition}:ecs:${local.region}:${local.account_id}:task-definition/${local.task_family}:*');
  });
});

describe.each(ENVIRONMENTS)('IAM for %s', (env) => {
  for (const [variant, overrides] of [
    ['as deployed', {}],
    ['with every optional feature on', ALL_FEATURES],
  ] as const) {
    it(`task role is least privilege (${variant})`, async () => {
      const m = await envModel(env, overrides);
      const v = m.vars;
      const statements = renderPolicy(doc(m.moduleDoc, 'task'), m.ctx);
      const sourcePrefixes = m.ctx.computed.source_key_prefixes as string[];
      const buckets = {
        [String(v.source_bucket)]: sourcePrefixes,
        [String(v.destination_bucket)]: [String(v.destination_prefix)],
      };
      expect(policyProblems(statements, { buckets })).toEqual([]);

      // Source: only reads, on every configured prefix, and nothing else.
      const src = `arn:aws:s3:::${v.source_bucket}`;
      const sourceActions = new Set(statements.filter((s) => s.resources.some((r) => r === src || r.startsWith(`${src}/`))).flatMap((s) => s.actions));
      const expectedSource = ['s3:GetObject', 's3:ListBucket', ...(v.copy_object_tags ? ['s3:GetObjectTagging'] : [])];
      expect([...sourceActions].sort()).toEqual(expectedSource.sort());
      const reads = statements.find((s) => s.actions.includes('s3:GetObject') && s.resources[0]?.startsWith(src));
      expect(reads?.resources.sort()).toEqual(sourcePrefixes.map((p) => `${src}/${p}*`).sort());

      // Destination: DeleteObject exactly when sync_mode = sync.
      const deletes = statements.filter((s) => s.actions.includes('s3:DeleteObject'));
      expect(deletes.length).toBe(v.sync_mode === 'sync' ? 1 : 0);
      const dest = `arn:aws:s3:::${v.destination_bucket}`;
      const writes = statements.find((s) => s.actions.includes('s3:PutObject'));
      expect(writes?.resources).toEqual([`${dest}/${v.destination_prefix}*`]);
      expect(writes?.actions.sort()).toEqual(
        ['s3:AbortMultipartUpload', 's3:GetObject', 's3:GetObjectAttributes', 's3:ListMultipartUploadParts', 's3:PutObject'].sort(),
      );
      // The run's lease (<prefix>_leases/*.json): conditional PutObject, GetObject, listed under the
      // prefix, released by overwriting, so it needs no s3:DeleteObject (copy mode has none).
      const leaseKey = `${dest}/${v.destination_prefix}_leases/all.json`;
      const covers = (pattern: string, arn: string) => (pattern.endsWith('*') ? arn.startsWith(pattern.slice(0, -1)) : arn === pattern);
      for (const action of ['s3:PutObject', 's3:GetObject']) {
        expect(
          statements.some((s) => s.actions.includes(action) && s.resources.some((r) => covers(r, leaseKey))),
          action,
        ).toBe(true);
      }
      const destList = statements.find((s) => s.actions.includes('s3:ListBucket') && s.resources[0] === dest);
      const listPrefixes = destList?.conditions.find((c) => c.variable === 's3:prefix')?.values ?? [];
      expect(listPrefixes.some((p) => covers(p, `${v.destination_prefix}_leases/`))).toBe(true);
      const mpu = statements.find((s) => s.actions.includes('s3:ListBucketMultipartUploads'));
      expect(mpu?.resources).toEqual([dest]);

      // KMS: the one destination key through S3 only, when SSE-KMS is on.
      const kms = statements.filter((s) => s.actions.some((a) => a.startsWith('kms:')) && s.sid.startsWith('Destination'));
      if (v.destination_encryption === 'aws:kms') {
        expect(kms).toHaveLength(1);
        expect(kms[0]?.actions.sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
        expect(kms[0]?.resources).toEqual([m.ctx.computed.destination_kms_key_arn]);
        expect(kms[0]?.conditions).toContainEqual({
          test: 'StringEquals',
          variable: 'kms:ViaService',
          values: ['s3.ap-northeast-1.amazonaws.com'],
        });
      } else {
        expect(kms).toHaveLength(0);
      }

      // Secrets: exactly the configured ones.
      const secrets = statements.filter((s) => s.actions.includes('secretsmanager:GetSecretValue')).flatMap((s) => s.resources);
      expect(secrets.sort()).toEqual([v.destination_credentials_secret_arn, v.config_secret_arn].filter((x): x is string => typeof x === 'string').sort());

      // PutMetricData only with the PutMetricData backend; fan-out statements only with enable_fanout.
      expect(statements.some((s) => s.actions.includes('cloudwatch:PutMetricData'))).toBe(v.metrics_backend === 'cloudwatch');
      expect(statements.some((s) => s.actions.includes('ecs:RunTask'))).toBe(Boolean(v.enable_fanout));
      expect(statements.some((s) => s.actions.includes('iam:PassRole'))).toBe(Boolean(v.enable_fanout));
      if (v.enable_fanout) {
        const describeTasks = statements.find((s) => s.actions.includes('ecs:DescribeTasks'));
        expect(describeTasks?.resources).toEqual([`arn:aws:ecs:ap-northeast-1:${ACCOUNT}:task/${m.ctx.computed.cluster_name}/*`]);
        const pass = statements.find((s) => s.actions.includes('iam:PassRole'));
        expect(pass?.resources.sort()).toEqual(['<aws_iam_role.execution.arn>', '<aws_iam_role.task.arn>']);
      }
    });

    it(`execution role pulls, logs and reads injected secrets only (${variant})`, async () => {
      const m = await envModel(env, overrides);
      const statements = renderPolicy(doc(m.moduleDoc, 'execution'), m.ctx);
      expect(policyProblems(statements, { buckets: {} })).toEqual([]);
      const byAction = (a: string) => statements.filter((s) => s.actions.includes(a));
      expect(byAction('ecr:GetAuthorizationToken')[0]?.resources).toEqual(['*']);
      expect(byAction('ecr:BatchGetImage')[0]?.resources).toEqual(['<aws_ecr_repository.this.arn>']);
      expect(byAction('logs:PutLogEvents')[0]?.resources).toEqual(['<aws_cloudwatch_log_group.this.arn>:log-stream:*']);
      const secrets = byAction('secretsmanager:GetSecretValue').flatMap((s) => s.resources);
      expect(secrets).toEqual(Object.values(m.vars.injected_secrets as Record<string, string>));
      const allActions = statements.flatMap((s) => s.actions).sort();
      const allowed = new Set([
        'ecr:GetAuthorizationToken',
        'ecr:BatchCheckLayerAvailability',
        'ecr:BatchGetImage',
        'ecr:GetDownloadUrlForLayer',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'secretsmanager:GetSecretValue',
        'kms:Decrypt',
      ]);
      expect(allActions.filter((a) => !allowed.has(a))).toEqual([]);
    });

    it(`scheduler role only runs this task definition and passes its two roles (${variant})`, async () => {
      const m = await envModel(env, overrides);
      const statements = renderPolicy(doc(m.moduleDoc, 'scheduler'), m.ctx);
      expect(policyProblems(statements, { buckets: {} })).toEqual([]);
      expect(statements.flatMap((s) => s.actions).sort()).toEqual(['ecs:RunTask', 'iam:PassRole', 'sqs:SendMessage']);
      const run = statements.find((s) => s.actions.includes('ecs:RunTask'));
      expect(run?.resources).toEqual([`arn:aws:ecs:ap-northeast-1:${ACCOUNT}:task-definition/s3-direct-sync-${env}:*`]);
      expect(run?.conditions).toEqual([{ test: 'ArnEquals', variable: 'ecs:cluster', values: ['<aws_ecs_cluster.this.arn>'] }]);
      const pass = statements.find((s) => s.actions.includes('iam:PassRole'));
      expect(pass?.resources.sort()).toEqual(['<aws_iam_role.execution.arn>', '<aws_iam_role.task.arn>']);
      // Both schedules run the task with its own roles: their TaskOverride changes only the command,
      // so passing the two roles is all RunTask needs for either.
      const input = String(m.moduleDoc.resource.aws_scheduler_schedule.this[0].target[0].input);
      expect(input).not.toMatch(/taskRoleArn|executionRoleArn/);
      // The dead-letter queue needs sqs:SendMessage on the schedule's role (EventBridge Scheduler
      // delivers dead letters with it); only on its own queue.
      const dlq = statements.find((s) => s.actions.includes('sqs:SendMessage'));
      expect(dlq?.resources).toEqual(['<aws_sqs_queue.schedule_dlq.arn>']);
    });
  }

  it('trust policies accept only the service acting for this account', async () => {
    const m = await envModel(env);
    for (const [name, service] of [
      ['ecs_tasks_assume', 'ecs-tasks.amazonaws.com'],
      ['scheduler_assume', 'scheduler.amazonaws.com'],
    ] as const) {
      const raw = rawStatements(doc(m.moduleDoc, name));
      expect(raw).toHaveLength(1);
      const s = raw[0]?.raw;
      expect(s.actions).toEqual(['sts:AssumeRole']);
      expect(s.principals[0].identifiers).toEqual([service]);
      expect(s.condition).toContainEqual({ test: 'StringEquals', variable: 'aws:SourceAccount', values: ['${local.account_id}'] });
    }
    expect(m.moduleDoc.resource.aws_iam_role.task[0].assume_role_policy).toBe('${data.aws_iam_policy_document.ecs_tasks_assume.json}');
    expect(m.moduleDoc.resource.aws_iam_role.scheduler[0].assume_role_policy).toBe('${data.aws_iam_policy_document.scheduler_assume.json}');
    // The scheduler role: only this module's schedule group, which holds the daily and the weekly
    // schedule and nothing else, may use it (Scheduler presents the group's ARN as aws:SourceArn), and
    // the two schedules' own ARNs are named.
    const scheduler = rawStatements(doc(m.moduleDoc, 'scheduler_assume'))[0]?.raw;
    const schedule = m.moduleDoc.resource.aws_scheduler_schedule.this[0];
    expect([schedule.name, schedule.group_name]).toEqual(['${local.name}-${each.key}', '${aws_scheduler_schedule_group.this.name}']);
    expect(m.moduleDoc.resource.aws_scheduler_schedule_group.this[0].name).toBe('${local.name}');
    const sourceArn = (scheduler.condition as Hcl[]).find((c) => c.variable === 'aws:SourceArn');
    expect(sourceArn.test).toBe('ArnLike');
    const values = String(sourceArn.values).replace(/\s+/g, ' ');
    const forEach =
      'arn:${local.partition}:scheduler:${local.region}:${local.account_id}:schedule/${aws_scheduler_schedule_group.this.name}/${local.name}-${key}';
    expect(values).toBe(`\${concat( [aws_scheduler_schedule_group.this.arn], [for key in keys(local.schedules) : "${forEach}"], )}`);
    expect(values).not.toContain('default');
    // Rendered for this environment: the group and both schedules, each named as the schedule resource names it.
    const keys = Object.keys(m.ctx.locals.schedules as object).sort();
    expect(keys).toEqual(['daily', 'weekly']);
    const named = keys.map((key) => evalString(forEach, m.ctx, { key }));
    expect(named).toEqual(
      keys.map((key) => `arn:aws:scheduler:ap-northeast-1:${ACCOUNT}:schedule/<aws_scheduler_schedule_group.this.name>/s3-direct-sync-${env}-${key}`),
    );
    expect(keys.map((key) => evalString(schedule.name, m.ctx, { 'each.key': key }))).toEqual(keys.map((key) => `s3-direct-sync-${env}-${key}`));
    const exec = rawStatements(doc(m.moduleDoc, 'ecs_execution_assume'));
    expect(exec.map(({ raw }) => raw.principals[0].identifiers)).toEqual([['ecs-tasks.amazonaws.com']]);
  });
});

describe('policy structure in the module', () => {
  it('grants s3:DeleteObject only inside a sync_mode == "sync" dynamic statement', async () => {
    const m = await loadModule();
    const documents = m.data.aws_iam_policy_document as Record<string, Hcl[]>;
    const withDelete = Object.entries(documents).flatMap(([name, [d]]) =>
      rawStatements(d)
        .filter(({ raw }) => JSON.stringify(raw.actions ?? []).includes('s3:DeleteObject') && (raw.effect ?? 'Allow') === 'Allow')
        .map((s) => ({ name, ...s })),
    );
    expect(withDelete).toHaveLength(1);
    expect(withDelete[0]?.name).toBe('task');
    expect(withDelete[0]?.gate).toBe('${var.sync_mode == "sync" ? [1] : []}');
  });

  it('has no wildcard in any Allow action and "*" resources only where required', async () => {
    const m = await loadModule();
    const documents = m.data.aws_iam_policy_document as Record<string, Hcl[]>;
    for (const [name, [d]] of Object.entries(documents)) {
      const isKeyPolicy = name.endsWith('_key_policy');
      for (const { raw } of rawStatements(d)) {
        const actions = JSON.stringify(raw.actions ?? []);
        const effect = raw.effect ?? 'Allow';
        if (effect === 'Allow') {
          expect(actions, `${name}/${raw.sid}`).not.toMatch(/\*/);
        } else {
          // Deny statements may say s3:* / sqs actions: they only take away (TLS-only, VPC endpoint only).
          const conds = (raw.condition ?? []).map((c: Hcl) => c.variable);
          expect(
            conds.some((c: string) => c === 'aws:SecureTransport' || c === 'aws:SourceVpce'),
            `${name}/${raw.sid}`,
          ).toBe(true);
        }
        const resources = JSON.stringify(raw.resources ?? []);
        if (resources === '["*"]' && effect === 'Allow' && !isKeyPolicy) {
          for (const a of raw.actions as string[]) expect(NO_RESOURCE_LEVEL.has(a), `${name}/${raw.sid}: ${a} on "*"`).toBe(true);
        }
        expect(resources, `${name}/${raw.sid}`).not.toContain('arn:aws:s3:::*');
        expect(resources, `${name}/${raw.sid}`).not.toMatch(/s3:::\$\{var\.[a-z_]+\}\/\*"/);
      }
    }
  });

  it('documents why "*" resources are needed next to them', async () => {
    const { readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { moduleDir } = await import('./hcl.js');
    const iam = readFileSync(join(moduleDir, 'iam.tf'), 'utf8').split('\n');
    iam.forEach((line, i) => {
      if (line.includes('resources = ["*"]')) {
        const context = iam.slice(Math.max(0, i - 4), i).join('\n');
        expect(context, `iam.tf:${i + 1}`).toMatch(/no resource-level permissions/);
      }
    });
  });
});
