import { describe, expect, it } from 'vitest';
import { createGroupWriter, type GroupOutcome } from './group-writer';

/** A write that waits until released, recording each batch. */
function recorder(answer: (key: string, item: number, attempt: number) => GroupOutcome<string> = (_k, i) => ({ ok: `w${i}` })) {
  const batches: [string, number[]][] = [];
  const attempts = new Map<number, number>();
  let release: (() => void)[] = [];
  const write = async (key: string, items: number[]) => {
    batches.push([key, [...items]]);
    await new Promise<void>((r) => release.push(r));
    return items.map((i) => {
      const n = (attempts.get(i) ?? 0) + 1;
      attempts.set(i, n);
      return answer(key, i, n);
    });
  };
  const flush = async () => {
    for (let round = 0; round < 20; round++) {
      const r = release;
      release = [];
      r.forEach((f) => f());
      await new Promise((res) => setTimeout(res, 0));
    }
  };
  return { batches, write, flush };
}

describe('group writer', () => {
  it('writes a lone item at once, gathers what arrives meanwhile into the next write, in order, per key', async () => {
    const r = recorder();
    const w = createGroupWriter(r.write, { maxBatch: 3 });
    const answers = Promise.all([1, 2, 3, 4, 5].map((i) => w.submit('a', i)).concat(w.submit('b', 9)));
    expect(r.batches).toEqual([
      ['a', [1]],
      ['b', [9]],
    ]);
    await r.flush();
    expect(await answers).toEqual(['w1', 'w2', 'w3', 'w4', 'w5', 'w9']);
    expect(r.batches).toEqual([
      ['a', [1]],
      ['b', [9]],
      ['a', [2, 3, 4]],
      ['a', [5]],
    ]);
    expect(w.pending()).toBe(0);
  });

  it('fails only the item its outcome says, sends `retry` items again first, and fails a batch that throws', async () => {
    const r = recorder((_k, i, attempt) => (i === 2 ? { error: new Error('two') } : i === 3 && attempt === 1 ? 'retry' : { ok: `w${i}` }));
    const w = createGroupWriter(r.write);
    const all = Promise.allSettled([1, 2, 3, 4].map((i) => w.submit('k', i)));
    await r.flush();
    const settled = await all;
    expect(settled.map((s) => (s.status === 'fulfilled' ? s.value : (s.reason as Error).message))).toEqual(['w1', 'two', 'w3', 'w4']);
    expect(r.batches.map(([, b]) => b)).toEqual([[1], [2, 3, 4], [3]]);

    const broken = createGroupWriter<number, string>(async () => {
      throw new Error('down');
    });
    await expect(broken.submit('k', 1)).rejects.toThrow('down');
    expect(broken.pending()).toBe(0);
  });

  it('fails an item sent back too often, and one a write gives no outcome for, without hanging the rest', async () => {
    const w = createGroupWriter<number, string>(async (_k, items) => items.map((i) => (i === 1 ? 'retry' : i === 2 ? ({} as never) : { ok: `w${i}` })), {
      maxRetries: 3,
    });
    const settled = await Promise.allSettled([1, 2, 3].map((i) => w.submit('k', i)));
    expect(settled.map((s) => (s.status === 'fulfilled' ? s.value : (s.reason as Error).message))).toEqual([
      'group writer: an item was sent back too often',
      'group writer: no outcome for an item',
      'w3',
    ]);
    expect(w.pending()).toBe(0);
  });
});
