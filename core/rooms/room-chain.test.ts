import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, chainHashes, eventHash, GENESIS_HASH, verifyChain, type ChainEvent, type StoredChainEvent } from './room-chain';

const requirementId = '6f1c2b9e-3d4a-4f5b-8c6d-7e8f9a0b1c2d';
const at = '2026-11-23T02:00:00.000Z';

function chain(events: Omit<ChainEvent, 'requirementId' | 'seq' | 'at'>[], legacy = 0): StoredChainEvent[] {
  const full = events.map((e, i) => ({ requirementId, seq: i + 1, at, ...e }));
  const hashes = chainHashes(GENESIS_HASH, full.slice(legacy));
  return full.map((e, i) => ({ ...e, hash: i < legacy ? null : hashes[i - legacy]! }));
}

const sample = () =>
  chain([
    { type: 'bidders:changed', audience: ['all'], payload: { bidderCount: 2 } },
    { type: 'offer:accepted', audience: ['provider:a'], payload: { roundId: 'r', priceFen: 2_400_000, previousPriceFen: 2_500_000, clientId: 'c1' } },
    { type: 'offer:received', audience: ['enterprise'], payload: { roundId: 'r', providerId: 'a', offerCount: 1 } },
  ]);

describe('canonicalJson (RFC 8785)', () => {
  it.each([
    [{ b: 1, a: [true, null, 'x'] }, '{"a":[true,null,"x"],"b":1}'],
    [{ '\u20ac': 1, '\r': 2, '1': 3, ö: 4, '😀': 5, '\ufb33': 6 }, '{"\\r":2,"1":3,"ö":4,"€":1,"😀":5,"דּ":6}'],
    [{ n: [1e21, 1e-7, -0, 0.1, 333333333.3333333] }, '{"n":[1e+21,1e-7,0,0.1,333333333.3333333]}'],
    [{ s: 'é"\\\n\u0001' }, '{"s":"é\\"\\\\\\n\\u0001"}'],
    [{ nested: { z: {}, a: [] } }, '{"nested":{"a":[],"z":{}}}'],
  ])('%j → %s', (value, text) => {
    expect(canonicalJson(value)).toBe(text);
  });

  it('refuses what JSON cannot hold', () => {
    expect(() => canonicalJson(Number.NaN)).toThrow();
    expect(() => canonicalJson(() => 1)).toThrow();
  });
});

describe('eventHash', () => {
  it('is SHA-256 over the previous hash and the canonical event, whatever the key order', () => {
    const e: ChainEvent = { type: 'room:result', seq: 4, at, requirementId, payload: { selected: true }, audience: ['provider:a'] };
    const text = `${GENESIS_HASH}{"at":"${at}","audience":["provider:a"],"payload":{"selected":true},"requirementId":"${requirementId}","seq":4,"type":"room:result"}`;
    expect(eventHash(GENESIS_HASH, e)).toBe(createHash('sha256').update(text).digest('hex'));
    expect(eventHash(GENESIS_HASH, { ...e, payload: { selected: true } })).toBe(
      eventHash(GENESIS_HASH, { audience: ['provider:a'], payload: { selected: true }, at, seq: 4, requirementId, type: 'room:result' }),
    );
    expect(eventHash('1'.repeat(64), e)).not.toBe(eventHash(GENESIS_HASH, e));
  });
});

describe('verifyChain', () => {
  it('a whole chain holds, and its last hash is the last event’s', () => {
    const events = sample();
    expect(verifyChain(events, { seq: 3, lastHash: events[2]!.hash })).toEqual({ ok: true, count: 3, legacy: 0, lastHash: events[2]!.hash });
    expect(verifyChain([], { seq: 0, lastHash: null })).toEqual({ ok: true, count: 0, legacy: 0, lastHash: null });
  });

  it('events without a hash at the start are the legacy prefix; the chain starts after them from the genesis hash', () => {
    const events = chain(
      [
        { type: 'bidders:changed', audience: ['all'], payload: { bidderCount: 1 } },
        { type: 'bidders:changed', audience: ['all'], payload: { bidderCount: 2 } },
        { type: 'room:withdrawn', audience: ['all'], payload: {} },
      ],
      2,
    );
    expect(verifyChain(events, { seq: 3, lastHash: events[2]!.hash })).toMatchObject({ ok: true, count: 1, legacy: 2 });
    // A hash removed after the chain has started is not legacy.
    const gap = sample().map((e, i) => (i === 1 ? { ...e, hash: null } : e));
    expect(verifyChain(gap)).toMatchObject({ ok: false, atSeq: 2 });
  });

  it('a removed event fails where its number was expected; a truncated tail fails against the room’s head', () => {
    const events = sample();
    expect(verifyChain([events[0]!, events[2]!])).toMatchObject({ ok: false, atSeq: 2 });
    const head = { seq: 3, lastHash: events[2]!.hash };
    expect(verifyChain(events.slice(0, 2), head)).toMatchObject({ ok: false, atSeq: 3 });
    expect(verifyChain(events, { seq: 3, lastHash: events[1]!.hash })).toMatchObject({ ok: false, atSeq: 3 });
  });

  it('reasons are in Chinese', () => {
    const events = sample();
    const bad = verifyChain(events.map((e, i) => (i === 1 ? { ...e, payload: { priceFen: 1 } } : e)));
    expect(bad).toMatchObject({ ok: false, atSeq: 2 });
    expect(!bad.ok && bad.reason).toMatch(/第 2 号事件/);
  });

  const jsonValue = fc.jsonValue({ maxDepth: 2 }).filter((v) => !Object.is(v, -0));
  const arbEvent = fc.record({
    type: fc.constantFrom('offer:accepted', 'offer:received', 'round:rank', 'round:closed', 'chat:message'),
    audience: fc.array(fc.constantFrom('all', 'enterprise', 'provider:a', 'provider:b'), { minLength: 1, maxLength: 3 }),
    payload: fc.dictionary(fc.string({ maxLength: 6 }), jsonValue, { maxKeys: 4 }),
  });
  const FIELDS = ['requirementId', 'seq', 'type', 'audience', 'payload', 'at', 'hash'] as const;

  /** A different value for one stored field (JSON-equal values are not a change). */
  function changed(e: StoredChainEvent, field: (typeof FIELDS)[number], salt: string): StoredChainEvent {
    switch (field) {
      case 'requirementId':
        return { ...e, requirementId: `${e.requirementId}${salt}` };
      case 'seq':
        return { ...e, seq: e.seq + 1 + salt.length };
      case 'type':
        return { ...e, type: `${e.type}${salt}` };
      case 'audience':
        return { ...e, audience: [...e.audience, `provider:${salt}`] };
      case 'payload':
        return { ...e, payload: { ...(e.payload as object), [`~${salt}`]: salt } };
      case 'at':
        return { ...e, at: new Date(Date.parse(e.at) + 1 + salt.length).toISOString() };
      case 'hash':
        return { ...e, hash: createHash('sha256').update(`${e.hash}${salt}`).digest('hex') };
    }
  }

  it('property: any single change to any stored field of any event fails verification at that event’s seq', () => {
    fc.assert(
      fc.property(
        fc.array(arbEvent, { minLength: 1, maxLength: 8 }),
        fc.nat(),
        fc.constantFrom(...FIELDS),
        fc.string({ minLength: 1, maxLength: 4 }),
        (raw, pick, field, salt) => {
          const events = chain(raw);
          const i = pick % events.length;
          const head = { seq: events.length, lastHash: events.at(-1)!.hash };
          expect(verifyChain(events, head)).toMatchObject({ ok: true, count: events.length });
          const tampered = events.map((e, j) => (j === i ? changed(e, field, salt) : e));
          expect(verifyChain(tampered, head)).toMatchObject({ ok: false, atSeq: i + 1 });
        },
      ),
      { numRuns: 300 },
    );
  });
});
