/** An estimate as a person reads it (pure). */
import { formatBytes, formatDuration, formatUsd } from '../units.js';
import type { Estimate } from './estimate-types.js';

export function formatEstimate(e: Estimate): string {
  const i = e.input;
  const lines = [
    `Estimate for ${i.objects.toLocaleString('en-US')} objects, ` +
      `${formatBytes(i.bytes)} (average ${formatBytes(i.avg_object_bytes)}), ` +
      `${i.source_region} → ${i.dest_region} (tasks in ${i.job_region}), ${i.storage_class}; ` +
      `prices as of ${e.pricing_as_of}`,
  ];
  for (const r of e.engines) {
    const rate = [r.rate.objectsPerSecond ? `${r.rate.objectsPerSecond} objects/s` : undefined, r.rate.mbPerSecond ? `${r.rate.mbPerSecond} MB/s` : undefined]
      .filter(Boolean)
      .join(', ');
    const sourceOwner = r.cost.source_owner_usd > 0 ? `; ${formatUsd(r.cost.source_owner_usd)} billed to the source owner` : '';
    const network = r.network_mbit_per_second > 0 ? `; network ≈${Math.round(r.network_mbit_per_second)} Mbit/s` : '';
    const traditional = r.traditional_cost_usd !== undefined ? `; download+upload would cost ${formatUsd(r.traditional_cost_usd)}` : '';
    lines.push(
      `  ${r.engine.padEnd(6)} ${formatDuration(r.single_task_hours * 3600)} on one task (${r.bound}-bound at ${rate || 'no rate'}); ` +
        `${r.workers} worker${r.workers === 1 ? '' : 's'} → ` +
        `${formatDuration(r.wall_clock_hours * 3600)}${r.meets_deadline === false ? ' (misses the deadline)' : ''}`,
      `         task ${r.task.vcpu} vCPU / ${r.task.memoryGb} GB: ${r.task.reason}`,
      `         requests: ${r.requests.copy.toLocaleString('en-US')} COPY, ` +
        `${r.requests.put.toLocaleString('en-US')} PUT, ${r.requests.get_source.toLocaleString('en-US')} GET, ` +
        `${(r.requests.list_source + r.requests.list_dest).toLocaleString('en-US')} LIST${network}`,
      `         cost ${formatUsd(r.cost.total_usd)} per run (requests ${formatUsd(r.cost.by_category.requests)}, ` +
        `transfer ${formatUsd(r.cost.by_category.transfer)}, storage ${formatUsd(r.cost.by_category.storage)}/month, ` +
        `compute ${formatUsd(r.cost.by_category.compute)})${sourceOwner}${traditional}`,
    );
  }
  lines.push(`  recommended engine: ${e.recommended_engine}`);
  for (const g of e.growth) {
    lines.push(
      `  growth ×${g.multipliers.fileCount} files, ×${g.multipliers.fileSize} size, ` +
        `×${g.multipliers.frequency} frequency: ${g.objects_per_run.toLocaleString('en-US')} objects, ` +
        `${formatBytes(g.bytes_per_run)} per run, ${g.gb_per_day.toFixed(1)} GB/day → ${g.workers_needed} ` +
        `worker${g.workers_needed === 1 ? '' : 's'}, ${formatDuration(g.wall_clock_hours * 3600)} per run, ` +
        `${formatUsd(g.monthly_usd)}/month`,
    );
    for (const n of g.notes) lines.push(`    - ${n}`);
  }
  for (const r of e.recommendations)
    lines.push(`  save ${formatUsd(r.estimated_monthly_savings_usd)}/month [${r.strategy}]: ${r.description} (${r.implementation})`);
  for (const n of e.not_recommended) lines.push(`  not worth it [${n.strategy}]: ${n.reason}`);
  for (const w of e.warnings) lines.push(`  warning: ${w}`);
  return lines.join('\n');
}
