import type { ReadItem } from './ports';
import { ClaimHints } from './use-cases/claims';

describe('ClaimHints', () => {
  it('lets one request at a time try an item, until the hint runs out', () => {
    const hints = new ClaimHints(2_000);
    expect(hints.take('item-1', 1_000)).toBe(true);
    expect(hints.take('item-1', 1_500)).toBe(false);
    expect(hints.isTaken('item-1', 2_999)).toBe(true);
    expect(hints.take('item-2', 1_500)).toBe(true);
    expect(hints.isTaken('item-1', 3_000)).toBe(false);
    expect(hints.take('item-1', 3_000)).toBe(true);
  });

  it('shares one in-flight candidates query per queue and asks again once it has answered', async () => {
    const hints = new ClaimHints();
    let asked = 0;
    let answer: (docs: ReadItem[]) => void = () => undefined;
    const ask = () => {
      asked += 1;
      return new Promise<ReadItem[]>((resolve) => (answer = resolve));
    };
    const a = hints.candidates('q1', ask);
    const b = hints.candidates('q1', ask);
    const other = hints.candidates('q2', () => Promise.resolve([]));
    expect(asked).toBe(1);
    answer([]);
    expect(await a).toBe(await b);
    await other;
    void hints.candidates('q1', ask);
    expect(asked).toBe(2);
  });
});
