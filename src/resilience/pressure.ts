import { memoryPressure } from './governor.js';

/** The batch size, smaller as the process nears its memory limit; each change is a degradation. */
export class BatchSizer {
  private factor = 1;

  constructor(
    private readonly base: number,
    /** The share of the memory limit in use now (0..1). */
    private readonly usedFraction: () => number,
    private readonly degrade: (from: string, to: string, reason: string) => void,
  ) {}

  size(): number {
    const factor = memoryPressure(this.usedFraction());
    if (factor !== this.factor) {
      this.degrade(`batch_size ${Math.round(this.base * this.factor)}`, `batch_size ${Math.round(this.base * factor)}`, 'memory pressure');
      this.factor = factor;
    }
    return Math.max(1, Math.floor(this.base * factor));
  }
}
