import { describe, it, expect } from 'vitest';
import { ENVIRONMENTS, type Hcl } from './hcl.js';
import { envModel, loadModule } from './model.js';
import { examplePreset } from '../../helpers/presets.js';

// The metrics contract of DESIGN.md (namespace S3DirectSync, dimensions Environment and Mode).
const CONTRACT_METRICS = new Set([
  'TransferRateMBps',
  'FilesPerSecond',
  'ErrorRate',
  'SuccessRate',
  'ObjectsCopied',
  'ObjectsFailed',
  'ObjectsSkipped',
  'BytesCopied',
  'ChecksumMismatches',
  'DurationSeconds',
  'CostPerGB',
  'LeaseHeld',
]);

// The seed's production alert thresholds.
const SEED_ALARMS = [
  { resource: 'error_rate', metric: 'ErrorRate', op: 'GreaterThanThreshold', threshold: 5, periods: 2, period: 300 },
  { resource: 'success_rate', metric: 'SuccessRate', op: 'LessThanThreshold', threshold: 95, periods: 2, period: 300 },
  { resource: 'transfer_rate', metric: 'TransferRateMBps', op: 'LessThanThreshold', threshold: 10, periods: 3, period: 300 },
  { resource: 'cost_per_gb', metric: 'CostPerGB', op: 'GreaterThanThreshold', threshold: 0.05, periods: 1, period: 3600 },
] as const;

describe('alarms', () => {
  it.each(SEED_ALARMS)('$metric alarm uses the seed threshold', async (a) => {
    const m = await loadModule();
    const alarm: Hcl = m.resource.aws_cloudwatch_metric_alarm[a.resource]?.[0];
    expect(alarm).toBeDefined();
    expect(alarm.metric_name).toBe(a.metric);
    expect(alarm.namespace).toBe('${local.metrics_namespace}');
    expect(alarm.comparison_operator).toBe(a.op);
    expect(alarm.threshold).toBe(a.threshold);
    expect(alarm.evaluation_periods).toBe(a.periods);
    expect(alarm.period).toBe(a.period);
    expect(alarm.dimensions).toBe('${local.alarm_dimensions}');
    expect(alarm.alarm_actions).toBe('${local.alarm_actions}');
  });

  it('every alarm and dashboard metric is in the metrics contract, namespace S3DirectSync', async () => {
    const m = await loadModule();
    const locals = Object.assign({}, ...m.locals);
    expect(locals.metrics_namespace).toBe('S3DirectSync');
    expect(locals.alarm_dimensions).toEqual({ Environment: '${var.environment}', Mode: '${local.metrics_mode_dimension}' });
    for (const [name, [alarm]] of Object.entries(m.resource.aws_cloudwatch_metric_alarm) as Array<[string, Hcl[]]>) {
      expect(CONTRACT_METRICS.has(alarm.metric_name), `${name}: ${alarm.metric_name}`).toBe(true);
    }
    const body: string = m.resource.aws_cloudwatch_dashboard.this[0].dashboard_body;
    // Each widget is written as { title = ..., metrics = ["A", "B"], stat = ... }.
    const names = [...body.matchAll(/metrics = \[("[^\]]*)\]/g)].flatMap((x) => [...(x[1] as string).matchAll(/"([^"]+)"/g)].map((y) => y[1] as string));
    expect(names.length).toBeGreaterThan(5);
    for (const n of names) expect(CONTRACT_METRICS.has(n), n).toBe(true);
  });

  it('has a did-not-report alarm: no DurationSeconds sample in a day (in a week with the weekly schedule alone) is breaching', async () => {
    const m = await loadModule();
    const alarm: Hcl = m.resource.aws_cloudwatch_metric_alarm.did_not_report[0];
    expect(alarm.metric_name).toBe('DurationSeconds');
    expect(alarm.statistic).toBe('SampleCount');
    expect(alarm.period).toBe(86400);
    // The daily schedule runs every day; without it the weekly one reports once in 7 days (CloudWatch's longest range).
    expect(Object.assign({}, ...m.locals).did_not_report_days).toBe('${var.daily_schedule_enabled ? 1 : 7}');
    expect(alarm.evaluation_periods).toBe('${local.did_not_report_days}');
    expect(alarm.datapoints_to_alarm).toBe('${local.did_not_report_days}');
    expect(alarm.comparison_operator).toBe('LessThanThreshold');
    expect(alarm.threshold).toBe(1);
    expect(alarm.treat_missing_data).toBe('breaching');
    expect(alarm.count).toBeUndefined();
  });

  it('exit 6 (lease held) has its own low-severity notice, apart from the failure alarms', async () => {
    const m = await loadModule();
    const alarms = m.resource.aws_cloudwatch_metric_alarm as Record<string, Hcl[]>;
    const alarm: Hcl = alarms.lease_held?.[0];
    expect(alarm).toBeDefined();
    expect(alarm.metric_name).toBe('LeaseHeld');
    expect(alarm.namespace).toBe('${local.metrics_namespace}');
    expect(alarm.dimensions).toBe('${local.alarm_dimensions}');
    // Fires only when every run was blocked for several days in a row: one exit 6 is expected.
    expect(alarm.statistic).toBe('Minimum');
    expect(alarm.period).toBe(86400);
    expect(alarm.evaluation_periods).toBe('${var.lease_held_alarm_days}');
    expect(alarm.datapoints_to_alarm).toBe('${var.lease_held_alarm_days}');
    expect(alarm.comparison_operator).toBe('GreaterThanOrEqualToThreshold');
    expect(alarm.threshold).toBe(1);
    expect(alarm.treat_missing_data).toBe('notBreaching');
    expect(alarm.tags).toBe('${merge(local.tags, { Severity = "low" })}');
    expect(alarm.alarm_description).toMatch(/NOTICE, not a failure.*exited 6/);
    // No failure alarm watches LeaseHeld; the job emits no rates on exit 6, so they never see it.
    for (const [name, [a]] of Object.entries(alarms)) if (name !== 'lease_held') expect(a!.metric_name, name).not.toBe('LeaseHeld');
    const vars = Object.assign({}, ...(m.variable ? [m.variable] : []));
    expect(vars.lease_held_alarm_days[0].default).toBe(2);
    // CloudWatch refuses an alarm whose period x evaluation periods passes 7 days.
    expect(vars.lease_held_alarm_days[0].validation[0].condition).toContain('var.lease_held_alarm_days <= 7 &&');
    expect(m.resource.aws_cloudwatch_dashboard.this[0].dashboard_body).toContain('metrics = ["LeaseHeld"]');
    const outputs = m.output.alarm_names[0].value as string;
    expect(outputs).toContain('aws_cloudwatch_metric_alarm.lease_held.alarm_name');
  });

  it('notifies a KMS-encrypted SNS topic with an optional e-mail subscription', async () => {
    const m = await loadModule();
    const locals = Object.assign({}, ...m.locals);
    expect(locals.alarm_actions).toBe('${var.enable_monitoring ? [aws_sns_topic.alarms.arn] : []}');
    expect(m.resource.aws_sns_topic.alarms[0].kms_master_key_id).toBe('${local.ops_kms_key_arn}');
    const sub = m.resource.aws_sns_topic_subscription.email[0];
    expect(sub.protocol).toBe('email');
    expect(sub.count).toBe('${var.alarm_email != null ? 1 : 0}');
    // The CloudWatch service may use the topic's key (alarms cannot publish to an encrypted topic otherwise).
    const keyPolicy = m.data.aws_iam_policy_document.ops_key_policy[0];
    const cw = keyPolicy.statement.find((s: Hcl) => s.principals?.[0]?.identifiers?.includes('cloudwatch.amazonaws.com'));
    expect(cw?.actions.sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
    // ... only for this account's alarms of this module (all named "<name>-..."): the confused-deputy guard.
    expect(cw?.condition).toContainEqual({ test: 'StringEquals', variable: 'aws:SourceAccount', values: ['${local.account_id}'] });
    expect(cw?.condition).toContainEqual({
      test: 'ArnLike',
      variable: 'aws:SourceArn',
      values: ['arn:${local.partition}:cloudwatch:${local.region}:${local.account_id}:alarm:${local.name}-*'],
    });
    const alarms = Object.values(m.resource.aws_cloudwatch_metric_alarm as Record<string, Hcl[]>).map((a) => a[0].alarm_name as string);
    expect(alarms.length).toBeGreaterThan(0);
    for (const name of alarms) expect(name).toMatch(/^\$\{local\.name\}-/);
    // CloudWatch Logs: only for the job's own log group.
    const logs = keyPolicy.statement.find((s: Hcl) => s.principals?.[0]?.identifiers?.includes('logs.${local.region}.amazonaws.com'));
    expect(logs?.condition).toContainEqual({ test: 'ArnEquals', variable: 'kms:EncryptionContext:aws:logs:arn', values: ['${local.log_group_arn}'] });
  });
});

describe.each(ENVIRONMENTS)('monitoring preset for %s', (env) => {
  it('runs both schedules, so the did-not-report alarm expects a run every day', async () => {
    const { vars } = await envModel(env);
    expect(vars.daily_schedule_enabled).toBe(true);
    expect(vars.weekly_schedule_enabled).toBe(true);
  });

  it('follows the seed flags', async () => {
    const { vars } = await envModel(env);
    const p = examplePreset(env);
    expect(vars.enable_monitoring).toBe(p.enable_monitoring === true);
    expect(vars.enable_cost_tracking).toBe(p.enable_cost_tracking === true);
    // The seed's prod alone set enable_performance_analytics; the job retired it, Terraform keeps it as the dashboard switch.
    expect(vars.enable_performance_analytics).toBe(env === 'prod');
  });
});
