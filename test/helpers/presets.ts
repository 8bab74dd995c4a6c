import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './cli.js';

/** A preset as config/examples/<name>.json writes it: the values tests compare against. */
export interface ExamplePreset {
  destination_bucket: string;
  /** Policy only (storage class, multipart threshold): the presets carry no numbers the sizing derives. */
  performance_optimization?: { storage_class?: string; enable_multipart_threshold_mb?: number };
  enable_detailed_logging?: boolean;
  enable_monitoring?: boolean;
  enable_cost_tracking?: boolean;
  [field: string]: unknown;
}

export const examplesDir = join(repoRoot, 'config', 'examples');

export function examplePreset(name: string): ExamplePreset {
  return JSON.parse(readFileSync(join(examplesDir, `${name}.json`), 'utf8')) as ExamplePreset;
}
