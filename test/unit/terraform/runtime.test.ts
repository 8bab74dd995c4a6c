import { describe, it, expect } from 'vitest';
import yargs from 'yargs';
import { ENVIRONMENTS, type Hcl, evalString, evalValue, localsOf, renderPolicy } from './hcl.js';
import { type EnvModel, envModel, loadModule } from './model.js';
import { examplePreset } from '../../helpers/presets.js';
import { commonOptions } from '../../../src/cli/command-options.js';

/**
 * Renders local.container_environment for one environment. The local is a merge() of a literal
 * object, the set entries of local.job_overrides, and conditional single-entry objects; each entry
 * form is evaluated here and any other form throws, so a new entry cannot slip past the test.
 */
export function containerEnvironment(m: EnvModel): Record<string, string> {
  const raw = String(m.ctx.locals.container_environment);
  const v = m.vars;
  const out: Record<string, string> = {};
  const open = '${merge(\n    var.extra_environment,\n    {';
  if (!raw.startsWith(open)) throw new Error('extra_environment must come first (lowest priority)');
  const body = raw.slice(open.length, raw.indexOf('\n    },'));
  for (const line of body
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)) {
    const mm = line.match(/^(S3DS_[A-Z0-9_]+)\s*=\s*(.+)$/);
    if (!mm) throw new Error(`unexpected line in container_environment: ${line}`);
    const [, name, expr] = mm as unknown as [string, string, string];
    let x: RegExpMatchArray | null;
    if ((x = expr.match(/^var\.(\w+)$/))) out[name] = String(v[x[1] as string]);
    else if ((x = expr.match(/^tostring\(var\.(\w+)\)$/))) out[name] = String(v[x[1] as string]);
    else if ((x = expr.match(/^"(.*)"$/))) out[name] = String(evalString(x[1] as string, m.ctx));
    else if (expr === 'local.destination_kms ? "opaque" : "md5"') out[name] = m.ctx.computed.destination_kms ? 'opaque' : 'md5';
    else throw new Error(`unsupported entry ${line}`);
  }
  const conditional = raw.slice(raw.indexOf('\n    },') + 7);
  for (const part of conditional
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && l !== ')}')) {
    let x: RegExpMatchArray | null;
    if (part === '{ for name, value in local.job_overrides : name => tostring(value) if value != null },') {
      for (const [name, value] of Object.entries(jobOverrides(m))) if (value != null) out[name] = String(value);
    } else if ((x = part.match(/^var\.(\w+) != null \? \{ (S3DS_\w+) = var\.\1 \} : \{\},$/))) {
      if (v[x[1] as string] != null) out[x[2] as string] = String(v[x[1] as string]);
    } else if (part === 'length(var.source_prefixes) > 0 ? { S3DS_PREFIX = join(",", var.source_prefixes) } : {},') {
      const prefixes = v.source_prefixes as string[];
      if (prefixes.length > 0) out.S3DS_PREFIX = prefixes.join(',');
    } else {
      throw new Error(`unsupported conditional entry ${part}`);
    }
  }
  return out;
}

/** local.job_overrides: each entry must be a plain module variable (null = no entry). */
function jobOverrides(m: EnvModel): Record<string, unknown> {
  const raw = m.ctx.locals.job_overrides as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [name, expr] of Object.entries(raw)) {
    const x = String(expr).match(/^\$\{var\.(\w+)\}$/);
    if (!x || !name.startsWith('S3DS_')) throw new Error(`unsupported job override ${name} = ${String(expr)}`);
    out[name] = m.vars[x[1] as string];
  }
  return out;
}

/** What every deployed task carries: the environment (its preset), the locations, and the values other resources here depend on. */
const REQUIRED = [
  'S3DS_ENV',
  'S3DS_SOURCE',
  'S3DS_SOURCE_REGION',
  'S3DS_PREFIX',
  'S3DS_DESTINATION',
  'S3DS_DESTINATION_ETAGS', // SSE-KMS or not: the ETag kind
  'S3DS_SYNC_MODE', // s3:DeleteObject only in sync mode
  'S3DS_SHUTDOWN_DEADLINE_SECONDS', // stopTimeout = deadline + 5 s
  'S3DS_METRICS', // cloudwatch:PutMetricData only with the cloudwatch backend
  'S3DS_MONITORING', // the alarms watch the metrics the job emits with monitoring on
  'S3DS_COST_TRACKING', // the CostPerGB alarm needs the job's cost metric
].sort();

describe.each(ENVIRONMENTS)('runtime of %s', (env) => {
  it('passes S3DS_ENV, the locations and the values other resources depend on, and no tuning number', async () => {
    const m = await envModel(env);
    const p = examplePreset(env);
    const e = containerEnvironment(m);
    expect(Object.keys(e).sort()).toEqual(REQUIRED);
    expect(e).toEqual({
      S3DS_ENV: env,
      S3DS_SOURCE: 's3://data.binance.vision/data/',
      S3DS_SOURCE_REGION: 'ap-northeast-1',
      S3DS_PREFIX: (m.tfvars.source_prefixes as string[]).join(','),
      S3DS_DESTINATION: `s3://${p.destination_bucket}/binance/archive/`,
      S3DS_DESTINATION_ETAGS: 'opaque',
      S3DS_SYNC_MODE: m.vars.sync_mode,
      S3DS_SHUTDOWN_DEADLINE_SECONDS: '90',
      S3DS_METRICS: 'emf',
      S3DS_MONITORING: String(p.enable_monitoring === true),
      S3DS_COST_TRACKING: String(p.enable_cost_tracking === true),
    });

    const withSecrets = await envModel(env, {
      destination_credentials_secret_arn: 'arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:d-AbCdEf',
      config_secret_arn: 'arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:c-AbCdEf',
      source_prefixes: [],
    });
    const e2 = containerEnvironment(withSecrets);
    expect(e2.S3DS_DESTINATION_CREDENTIALS_SECRET).toBe('arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:d-AbCdEf');
    expect(e2.S3DS_CONFIG_SECRET).toBe('arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:c-AbCdEf');
    expect(e2.S3DS_PREFIX).toBeUndefined();

    // SSE-S3 ETags are MD5s: a different ETag always copies again.
    const sseS3 = await envModel(env, { destination_encryption: 'AES256' });
    expect(containerEnvironment(sseS3).S3DS_DESTINATION_ETAGS).toBe('md5');
  });

  it('adds exactly one variable per override an operator sets', async () => {
    const base = containerEnvironment(await envModel(env));
    const one = containerEnvironment(await envModel(env, { max_concurrent: 64 }));
    expect(one).toEqual({ ...base, S3DS_MAX_CONCURRENT: '64' });
    const all = containerEnvironment(
      await envModel(env, { max_concurrent: 8, batch_size: 500, part_size_mb: 64, retry_count: 7, storage_class: 'STANDARD_IA', log_level: 'debug' }),
    );
    expect(all).toEqual({
      ...base,
      S3DS_MAX_CONCURRENT: '8',
      S3DS_BATCH_SIZE: '500',
      S3DS_PART_SIZE_MB: '64',
      S3DS_RETRY_COUNT: '7',
      S3DS_STORAGE_CLASS: 'STANDARD_IA',
      S3DS_LOG_LEVEL: 'debug',
    });
  });

  it('leaves the tuning numbers unset in the tfvars, so the job sizes itself on the task', async () => {
    const m = await envModel(env);
    for (const name of ['max_concurrent', 'batch_size', 'part_size_mb', 'retry_count', 'storage_class', 'log_level']) {
      expect(m.vars[name], name).toBeNull();
      expect(m.moduleDoc.variable[name][0].default, name).toBeNull();
    }
  });

  it('stops within ECS limits: stopTimeout = deadline + 5 <= 120', async () => {
    const m = await envModel(env);
    expect(m.ctx.locals.stop_timeout).toBe('${min(var.shutdown_deadline_seconds + 5, 120)}');
    const deadline = m.vars.shutdown_deadline_seconds as number;
    expect(Math.min(deadline + 5, 120)).toBe(deadline + 5);
    const validation = m.moduleDoc.variable.shutdown_deadline_seconds[0].validation[0].condition as string;
    expect(validation).toContain('var.shutdown_deadline_seconds <= 115');
  });

  it('sizes the task per environment and uses Fargate Spot outside prod', async () => {
    const m = await envModel(env);
    const size = m.vars.task_size as { cpu: number; memory: number };
    expect(size.memory).toBeGreaterThanOrEqual(size.cpu * 2);
    expect(size.cpu).toBeGreaterThanOrEqual(env === 'prod' ? 2048 : 512);
    expect(m.vars.use_fargate_spot).toBe(env !== 'prod');
  });
});

describe('task definition', () => {
  it('runs local.job_command (`sync --json`) read-only, non-root, with a writable /tmp and awslogs', async () => {
    const m = await loadModule();
    const td: Hcl = m.resource.aws_ecs_task_definition.this[0];
    expect(td.requires_compatibilities).toEqual(['FARGATE']);
    expect(td.network_mode).toBe('awsvpc');
    expect(td.volume).toEqual([{ name: 'tmp' }]);
    const c = String(td.container_definitions);
    expect(c).toMatch(/command\s+= local\.job_command\s/);
    expect(c).toMatch(/readonlyRootFilesystem = true/);
    expect(c).toMatch(/privileged\s+= false/);
    expect(c).toMatch(/user\s+= var\.container_user/);
    expect(c).toMatch(/stopTimeout\s+= local\.stop_timeout/);
    // The container's cgroup holds the task's memory limit: the image's entrypoint sizes V8's heap from it.
    expect(c).toMatch(/memory\s+= var\.task_size\.memory\s/);
    // The container's environment is local.container_environment, entry for entry.
    expect(c).toMatch(/environment = \[\s+for k in sort\(keys\(local\.container_environment\)\) : \{ name = k, value = local\.container_environment\[k\] \}/);
    expect(c).toMatch(/\{ sourceVolume = "tmp", containerPath = "\/tmp", readOnly = false \}/);
    expect(c).toMatch(/logDriver = "awslogs"/);
    expect(c).toMatch(/awslogs-group\s+= aws_cloudwatch_log_group\.this\.name/);
    const user = m.variable.container_user[0];
    expect(user.validation[0].condition).toBe('${can(regex("^[1-9][0-9]*(:[0-9]+)?$", var.container_user))}');
  });

  it('uses an immutable, scanned, encrypted ECR repository with a lifecycle policy', async () => {
    const m = await loadModule();
    const repo: Hcl = m.resource.aws_ecr_repository.this[0];
    expect(repo.image_tag_mutability).toBe('IMMUTABLE');
    expect(repo.image_scanning_configuration[0].scan_on_push).toBe(true);
    expect(repo.encryption_configuration[0].encryption_type).toBe('${local.ops_kms_key_arn != null ? "KMS" : "AES256"}');
    expect(m.resource.aws_ecr_lifecycle_policy.this[0].repository).toBe('${aws_ecr_repository.this[0].name}');
  });

  it('creates a cluster with Container Insights unless an existing one is given', async () => {
    const m = await loadModule();
    const cluster: Hcl = m.resource.aws_ecs_cluster.this[0];
    expect(cluster.count).toBe('${local.create_cluster ? 1 : 0}');
    expect(cluster.setting[0]).toEqual({ name: 'containerInsights', value: '${var.container_insights}' });
    expect(Object.assign({}, ...m.locals).create_cluster).toBe('${var.existing_cluster_arn == null}');
    const lg: Hcl = m.resource.aws_cloudwatch_log_group.this[0];
    expect(lg.kms_key_id).toBe('${local.ops_kms_key_arn}');
    expect(lg.retention_in_days).toBe('${var.log_retention_days}');
  });
});

/** The minute of the day a cron(M H ...) expression starts at. */
function startMinute(expression: string): number {
  const m = expression.match(/^cron\((\d+) (\d+) /);
  if (!m) throw new Error(`not a fixed-time cron expression: ${expression}`);
  return Number(m[2]) * 60 + Number(m[1]);
}

/** What the job's own CLI makes of a command (the options every job command takes). */
function parseJobCommand(command: string[]): Record<string, unknown> {
  return commonOptions(yargs(command.slice(1)))
    .strict()
    .fail((msg) => {
      throw new Error(msg);
    })
    .parseSync() as Record<string, unknown>;
}

describe('schedules', () => {
  it('runs two schedules, daily and weekly, with one target: this task definition, flexible window, retries and an encrypted DLQ', async () => {
    const m = await loadModule();
    const s: Hcl = m.resource.aws_scheduler_schedule.this[0];
    expect(Object.keys(m.resource.aws_scheduler_schedule)).toEqual(['this']);
    expect(s.for_each).toBe('${local.schedules}');
    expect(Object.keys(localsOf(m).schedules as object).sort()).toEqual(['daily', 'weekly']);
    expect(s.name).toBe('${local.name}-${each.key}');
    expect(s.state).toBe('${each.value.enabled ? "ENABLED" : "DISABLED"}');
    expect(s.schedule_expression).toBe('${each.value.expression}');
    expect(s.schedule_expression_timezone).toBe('${var.schedule_timezone}');
    expect(s.flexible_time_window[0].mode).toBe('FLEXIBLE');
    const t = s.target[0];
    expect(t.role_arn).toBe('${aws_iam_role.scheduler.arn}');
    expect(t.arn).toBe('${local.cluster_arn}');
    expect(t.retry_policy[0].maximum_retry_attempts).toBe('${var.schedule_retry_attempts}');
    expect(t.dead_letter_config[0].arn).toBe('${aws_sqs_queue.schedule_dlq.arn}');
    // The templated ECS target passes its input to RunTask as the TaskOverride: only the command of the job's container.
    expect(String(t.input).replace(/\s+/g, ' ')).toBe(
      '${jsonencode({ containerOverrides = [{ name = local.container_name, command = each.value.command }] })}',
    );
    const ecs = t.ecs_parameters[0];
    expect(ecs.task_definition_arn).toBe('${aws_ecs_task_definition.this.arn}');
    expect(ecs.launch_type).toBe('${var.use_fargate_spot ? null : "FARGATE"}');
    expect(ecs.dynamic.capacity_provider_strategy[0].for_each).toBe('${var.use_fargate_spot ? [1] : []}');
    expect(ecs.dynamic.capacity_provider_strategy[0].content[0].capacity_provider).toBe('FARGATE_SPOT');
    expect(ecs.network_configuration[0].security_groups).toEqual(['${aws_security_group.task.id}']);
    expect(m.resource.aws_sqs_queue.schedule_dlq[0].sqs_managed_sse_enabled).toBe(true);
  });

  it('runs daily at 01:30 UTC, after the archive publishes, and the full reconciliation on Sunday 12 hours apart', async () => {
    const m = await loadModule();
    const daily = m.variable.daily_schedule_expression[0].default as string;
    const weekly = m.variable.weekly_schedule_expression[0].default as string;
    expect(daily).toBe('cron(30 1 * * ? *)');
    expect(weekly).toBe('cron(30 13 ? * SUN *)');
    expect(m.variable.schedule_timezone[0].default).toBe('UTC');
    // Each starts within its flexible window; neither starts while the other usually runs.
    const apart = Math.abs(startMinute(weekly) - startMinute(daily));
    expect(Math.min(apart, 24 * 60 - apart)).toBe(12 * 60);
    expect(m.variable.schedule_flexible_window_minutes[0].default).toBe(15);
    expect(m.variable.daily_window_days[0].default).toBe(10);
    expect(m.variable.daily_window_days[0].validation[0].condition).toBe(
      '${var.daily_window_days >= 1 && var.daily_window_days <= 31 && floor(var.daily_window_days) == var.daily_window_days}',
    );
    // The schedules choose the window: extra_environment cannot narrow the weekly run with one.
    const extra = (m.variable.extra_environment[0].validation as Hcl[]).map((v) => v.condition);
    expect(extra).toContain('${length(setintersection(keys(var.extra_environment), ["S3DS_DATE_FROM", "S3DS_DATE_TO"])) == 0}');
  });

  it('keeps both schedules in a group of their own, the one the scheduler role trusts', async () => {
    const m = await loadModule();
    expect(m.resource.aws_scheduler_schedule_group.this[0].name).toBe('${local.name}');
    expect(m.resource.aws_scheduler_schedule.this[0].group_name).toBe('${aws_scheduler_schedule_group.this.name}');
  });

  it.each(ENVIRONMENTS)("%s: the daily command carries the window, the weekly one is the task definition's full run", async (env) => {
    const m = await envModel(env);
    const schedules = m.ctx.locals.schedules as Record<'daily' | 'weekly', Hcl>;
    const command = (key: 'daily' | 'weekly') => evalValue(schedules[key].command, m.ctx) as string[];
    const taskCommand = evalValue('${local.job_command}', m.ctx);
    expect(taskCommand).toEqual(['sync', '--json']);
    expect(command('weekly')).toEqual(taskCommand);
    expect(command('daily')).toEqual(['sync', '--json', '--date-from=-10d']);
    for (const key of ['daily', 'weekly'] as const) {
      expect(evalValue(schedules[key].enabled, m.ctx), key).toBe(true);
      expect(evalValue(schedules[key].expression, m.ctx), key).toBe(m.moduleDoc.variable[`${key}_schedule_expression`][0].default);
    }
    // The job's own CLI options read the window as the schedule writes it, and find none in the weekly command.
    expect(parseJobCommand(command('daily'))['date-from']).toBe('-10d');
    expect(parseJobCommand(command('weekly'))['date-from']).toBeUndefined();

    const narrow = await envModel(env, { daily_window_days: 3, daily_schedule_enabled: false });
    const narrowSchedules = narrow.ctx.locals.schedules as Record<'daily' | 'weekly', Hcl>;
    expect(evalValue(narrowSchedules.daily.command, narrow.ctx)).toEqual(['sync', '--json', '--date-from=-3d']);
    expect(evalValue(narrowSchedules.daily.enabled, narrow.ctx)).toBe(false);
    expect(evalValue(narrowSchedules.weekly.enabled, narrow.ctx)).toBe(true);
    expect(evalValue(narrowSchedules.daily.description, narrow.ctx)).toContain('last 3 days');
  });

  it('lets only HTTPS out of the task', async () => {
    const m = await loadModule();
    const sg: Hcl = m.resource.aws_security_group.task[0];
    expect(sg.ingress).toBeUndefined();
    expect(sg.egress).toBeUndefined();
    expect(m.resource.aws_vpc_security_group_ingress_rule).toBeUndefined();
    const rules = Object.values(m.resource.aws_vpc_security_group_egress_rule) as Hcl[][];
    expect(rules).toHaveLength(1);
    const rule = rules[0]?.[0];
    expect([rule.ip_protocol, rule.from_port, rule.to_port]).toEqual(['tcp', 443, 443]);
  });

  it('offers an S3 gateway endpoint on the given route tables', async () => {
    const m = await loadModule();
    const ep: Hcl = m.resource.aws_vpc_endpoint.s3[0];
    expect(ep.vpc_endpoint_type).toBe('Gateway');
    expect(ep.service_name).toBe('com.amazonaws.${local.region}.s3');
    expect(ep.route_table_ids).toBe('${var.route_table_ids}');
  });
});

describe('destination bucket hardening', () => {
  it('encrypts with SSE-KMS and a bucket key, enforces ownership and blocks public access', async () => {
    const m = await loadModule();
    const sse: Hcl = m.resource.aws_s3_bucket_server_side_encryption_configuration.destination[0];
    expect(sse.rule[0].bucket_key_enabled).toBe('${local.destination_kms}');
    expect(sse.rule[0].apply_server_side_encryption_by_default[0].sse_algorithm).toBe('${var.destination_encryption}');
    expect(m.resource.aws_s3_bucket_ownership_controls.destination[0].rule[0].object_ownership).toBe('BucketOwnerEnforced');
    const pab: Hcl = m.resource.aws_s3_bucket_public_access_block.destination[0];
    for (const k of ['block_public_acls', 'block_public_policy', 'ignore_public_acls', 'restrict_public_buckets']) {
      expect(pab[k], k).toBe(true);
    }
    expect(m.resource.aws_kms_key.destination[0].enable_key_rotation).toBe(true);
  });

  it('expires incomplete uploads after 7 days and tiers to GLACIER after 90 by default', async () => {
    const m = await loadModule();
    expect(m.variable.abort_incomplete_multipart_days[0].default).toBe(7);
    expect(m.variable.destination_glacier_after_days[0].default).toBe(90);
    const rules: Hcl[] = m.resource.aws_s3_bucket_lifecycle_configuration.destination[0].rule;
    const abort = rules.find((r) => r.id === 'abort-incomplete-multipart-uploads');
    expect(abort.abort_incomplete_multipart_upload[0].days_after_initiation).toBe('${var.abort_incomplete_multipart_days}');
    const lc: Hcl = m.resource.aws_s3_bucket_lifecycle_configuration.destination[0];
    const tier = lc.dynamic.rule[0];
    expect(tier.content[0].id).toBe('tier-mirrored-archive');
    expect(tier.content[0].filter[0].prefix).toBe('${var.destination_prefix}');
    const classes = tier.content[0].dynamic.transition.map((t: Hcl) => t.content[0].storage_class).sort();
    expect(classes).toEqual(['GLACIER', 'STANDARD_IA']);
  });

  it.each(ENVIRONMENTS)('bucket policy of %s denies plain HTTP and restricts the job by aws:SourceVpce, not IP', async (env) => {
    const m = await envModel(env);
    const doc = m.moduleDoc.data.aws_iam_policy_document.destination_bucket[0];
    const statements = renderPolicy(doc, m.ctx);
    const tls = statements.find((s) => s.sid === 'DenyInsecureTransport');
    expect(tls?.effect).toBe('Deny');
    expect(tls?.conditions).toEqual([{ test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] }]);
    const bucket = examplePreset(env).destination_bucket;
    expect(tls?.resources).toEqual([`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`]);
    const vpce = statements.find((s) => s.sid === 'DenyJobOutsideAllowedVpcEndpoints');
    expect(Boolean(vpce)).toBe(Boolean(m.vars.restrict_destination_to_vpce));
    if (vpce) {
      expect(vpce.conditions.map((c) => c.variable).sort()).toEqual(['aws:PrincipalArn', 'aws:SourceVpce']);
    }
    expect(JSON.stringify(statements)).not.toMatch(/aws:SourceIp/);
    expect(m.vars.manage_destination_bucket).toBe(true);
  });
});
