import { describe, expect, it } from 'vitest';
import { CostBudget } from '../../../src/cost/budget.js';

describe('CostBudget', () => {
  it('admits objects while copies so far plus overhead plus the next stay within the budget', () => {
    let overhead = 0.1;
    const budget = new CostBudget(1, () => overhead);
    expect(budget.admit(0.4)).toEqual({ ok: true });
    expect(budget.admit(0.5)).toEqual({ ok: true });
    // 0.9 admitted + 0.1 overhead = 1.0: nothing more fits.
    const refused = budget.admit(0.01);
    expect(refused.ok).toBe(false);
    expect(refused.ok === false && refused.committedUsd).toBeCloseTo(1.0, 10);
    // A refused object is not counted: a cheaper overhead later lets a small one through.
    overhead = 0;
    expect(budget.admit(0.1)).toEqual({ ok: true });
  });

  it('an object exactly reaching the budget is admitted; one cent over is not', () => {
    const budget = new CostBudget(0.5, () => 0);
    expect(budget.admit(0.5).ok).toBe(true);
    expect(budget.admit(0.01).ok).toBe(false);
  });

  it('without a budget everything is admitted and the overhead is never computed', () => {
    const budget = new CostBudget(undefined, () => {
      throw new Error('overhead computed without a budget');
    });
    for (let n = 0; n < 100; n++) expect(budget.admit(1_000).ok).toBe(true);
  });
});
