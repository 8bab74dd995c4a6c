import { DEFAULT_SDK_RETRY_COUNT, sdkRetryConfig } from '../resilience/sdk-retry-strategy.js';
import { emfLine, metricsFromReport, type MetricDimensions } from './emf.js';
import type { Logger } from './logger.js';
import type { RunReport } from './report.js';

export type MetricsMode = 'emf' | 'api' | 'cloudwatch' | 'off' | 'none';

/**
 * The run's metrics (DESIGN.md's contract): one EMF line (the awslogs driver turns it into
 * metrics with no API call) or PutMetricData. Never fails the run: a failed publish is logged.
 */
export async function emitRunMetrics(
  report: RunReport,
  mode: MetricsMode,
  dims: MetricDimensions,
  out: { write(line: string): void },
  logger: Logger,
  opts: { region?: string; withCost: boolean },
): Promise<void> {
  if (mode === 'off' || mode === 'none') return;
  // CostPerGB only with cost tracking on, as the Terraform alarms expect.
  const metrics = metricsFromReport(report, { costUsd: opts.withCost ? report.cost?.direct.total_usd : undefined });
  if (mode === 'emf') {
    out.write(emfLine(metrics, dims, Date.parse(report.finished_at)) + '\n');
    return;
  }
  // Loaded only for the API: the CloudWatch client costs ~50 ms to load, and EMF needs none.
  const [{ CloudWatchClient }, { publishMetrics }] = await Promise.all([import('@aws-sdk/client-cloudwatch'), import('./cloudwatch.js')]);
  const client = new CloudWatchClient({ region: opts.region, ...sdkRetryConfig({ retryCount: DEFAULT_SDK_RETRY_COUNT }) });
  try {
    const result = await publishMetrics(client, metrics, dims, { logger, timestamp: new Date(report.finished_at) });
    logger.info('metrics published', { result });
  } catch (err) {
    logger.warn('metrics could not be published', { error: (err as Error).message });
  } finally {
    client.destroy();
  }
}
