import { createHash } from 'node:crypto';

/**
 * The room's hash chain (docs/decisions/012-verifiable-room-log.md). Pure: no clock, no database.
 *
 * Every room event stores `hash = SHA-256(prevHash ‖ canonical(event))`, hex, where `prevHash` is the
 * hash of the room's previous event (64 zeros for the first one), `‖` is plain concatenation of the
 * 64 ASCII hex characters and the UTF-8 bytes of the canonical form, and the canonical form is the
 * RFC 8785 (JCS) serialisation of `{ requirementId, seq, type, audience, payload, at }` (`at` the ISO
 * instant as members receive it). Changing any stored field of an event changes its hash, and changing
 * a hash breaks the next event's, so the room's last hash stands for the whole log.
 */

/** The hash before a room's first (hashed) event. */
export const GENESIS_HASH = '0'.repeat(64);

/** An event as it is hashed: exactly the fields members receive. */
export interface ChainEvent {
  requirementId: string;
  seq: number;
  type: string;
  audience: readonly string[];
  payload: unknown;
  at: string;
}

/** An event as it is stored: null hash only in the legacy prefix (events from before the chain). */
export interface StoredChainEvent extends ChainEvent {
  hash: string | null;
}

export type ChainVerdict = { ok: true; count: number; legacy: number; lastHash: string | null } | { ok: false; atSeq: number; reason: string };

/**
 * RFC 8785 JSON canonicalisation, for the JSON values a room stores (what JSON.parse returns): object
 * keys sorted by UTF-16 code units (JavaScript's default sort), no whitespace, strings and numbers as
 * ECMAScript's JSON.stringify writes them (RFC 8785 §3.2.2 defines them so). The npm package
 * `canonicalize` does the same but asks for Node 22; these lines are its algorithm.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`not JSON: ${value}`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  throw new TypeError(`not JSON: ${typeof value}`);
}

/** The hash of `event` following `prevHash` (GENESIS_HASH for a room's first hashed event). */
export function eventHash(prevHash: string, event: ChainEvent): string {
  const { requirementId, seq, type, audience, payload, at } = event;
  return createHash('sha256')
    .update(prevHash + canonicalJson({ requirementId, seq, type, audience, payload, at }), 'utf8')
    .digest('hex');
}

/** Hashes events appended after `prevHash` in order; returns each event's hash. */
export function chainHashes(prevHash: string, events: readonly ChainEvent[]): string[] {
  let prev = prevHash;
  return events.map((e) => (prev = eventHash(prev, e)));
}

const HEX64 = /^[0-9a-f]{64}$/;

/**
 * Recomputes a room's chain from its stored events (oldest first) and names the first event that does
 * not hold. Events without a hash at the start are the legacy prefix (counted, not verified); after the
 * first hashed event every event must have one. Sequence numbers must run 1, 2, 3 … without a gap, so a
 * removed, reordered or renumbered event fails where the missing number was expected.
 *
 * `head`, the room row's counter and last hash, catches a truncated tail: the last event must carry
 * that number and that hash.
 */
export function verifyChain(events: readonly StoredChainEvent[], head?: { seq: number; lastHash: string | null }): ChainVerdict {
  let prev = GENESIS_HASH;
  let count = 0;
  let legacy = 0;
  let expected = 1;
  for (const e of events) {
    if (e.seq !== expected) return { ok: false, atSeq: expected, reason: `事件序号不连续：第 ${expected} 号事件缺失或序号被改为 ${e.seq}` };
    expected++;
    if (e.hash === null) {
      if (count === 0) {
        legacy++;
        continue;
      }
      return { ok: false, atSeq: e.seq, reason: `第 ${e.seq} 号事件缺少哈希值` };
    }
    if (!HEX64.test(e.hash)) return { ok: false, atSeq: e.seq, reason: `第 ${e.seq} 号事件的哈希值格式不正确` };
    const h = eventHash(prev, e);
    if (h !== e.hash) return { ok: false, atSeq: e.seq, reason: `第 ${e.seq} 号事件的内容与哈希值不符（该事件或此前的哈希值被改动）` };
    prev = h;
    count++;
  }
  const lastHash = count ? prev : null;
  if (head) {
    if (head.seq !== expected - 1)
      return { ok: false, atSeq: expected, reason: `竞价室记录共 ${head.seq} 个事件，日志中为 ${expected - 1} 个（日志末尾的事件缺失或多出）` };
    if (head.lastHash !== lastHash)
      return { ok: false, atSeq: Math.max(expected - 1, 1), reason: `日志最后一个事件的哈希值与竞价室记录的不一致（日志末尾被改动）` };
  }
  return { ok: true, count, legacy, lastHash };
}
