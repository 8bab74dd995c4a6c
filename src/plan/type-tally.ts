import { parseBinanceKey } from '../config/selection.js';
import type { ListUnit } from './units.js';

/** The data-type folder (`<market>/<frequency>/<type>/`) of a relative key or folder; undefined above that level. */
export function typeFolderOf(rel: string): string | undefined {
  const k = parseBinanceKey(rel);
  return k.market !== undefined && k.frequency !== undefined && k.dataType !== undefined ? `${k.market}/${k.frequency}/${k.dataType}/` : undefined;
}

/**
 * Selected source keys per data-type folder of the planned units: the types a symbol filter
 * selects nothing in (no such symbol there, e.g. BTCBVOLUSDT under option/EOHSummary).
 */
export class TypeTally {
  private readonly counts = new Map<string, number>();

  /** The planned units: their type folders start at zero (units above the type level count no type). */
  planned(units: readonly ListUnit[]): void {
    for (const u of units) {
      const folder = typeFolderOf(u.rel.slice(0, u.rel.lastIndexOf('/') + 1));
      if (folder !== undefined && !this.counts.has(folder)) this.counts.set(folder, 0);
    }
  }

  /** A selected source key. */
  selected(rel: string): void {
    const folder = typeFolderOf(rel);
    const n = folder === undefined ? undefined : this.counts.get(folder);
    if (n !== undefined) this.counts.set(folder!, n + 1);
  }

  /** The planned types with no selected key, as market/frequency/type, sorted. */
  empty(): string[] {
    return [...this.counts.entries()]
      .filter(([, n]) => n === 0)
      .map(([folder]) => folder.slice(0, -1))
      .sort();
  }
}
