import { describe, expect, it } from 'vitest';
import { defaultDiskBudgetBytes, defaultSessionBudgetBytes, overBudget, type Resident } from '../../../lib/core/repository/residentBudget';

const resident = (name: string, lastUsed: number, bytes = 10, inUse = false): Resident => ({ name, bytes, lastUsed, inUse });

describe('overBudget', () => {
  it('drops the least recently used until the rest fit, in bytes and in count', () => {
    const residents = [resident('c', 3), resident('a', 1), resident('b', 2), resident('d', 4)];
    expect(overBudget(residents, { bytes: 25 }).map((r) => r.name)).toEqual(['a', 'b']);
    expect(overBudget(residents, { bytes: 100, count: 3 }).map((r) => r.name)).toEqual(['a']);
    expect(overBudget(residents, { bytes: 40 })).toEqual([]);
  });

  it('never drops one in use, even when the rest cannot fit without it', () => {
    const residents = [resident('a', 1, 10, true), resident('b', 2), resident('c', 3, 10, true)];
    expect(overBudget(residents, { bytes: 10 }).map((r) => r.name)).toEqual(['b']);
    expect(overBudget(residents, { bytes: 100, count: 1 }).map((r) => r.name)).toEqual(['b']);
  });
});

describe('the default budgets', () => {
  it("keep the runtime's 512 MB out of the function's memory, never less than a quarter for the sessions", () => {
    expect(defaultSessionBudgetBytes(3008)).toBe(2496 * 1024 * 1024);
    expect(defaultSessionBudgetBytes(512)).toBe(128 * 1024 * 1024);
    expect(defaultDiskBudgetBytes(10_240)).toBe(9216 * 1024 * 1024);
  });
});
