/**
 * The grab's admission gate: a fast, shared pre-check in front of PostgreSQL (which stays the record of
 * who got what). Per issuance it holds, per tier, the stock left and the users admitted, and per user the
 * coupons admitted in the issuance (for the campaign's cap). An admission takes one unit of stock and
 * records the user in one atomic step; the grab then writes the coupon in PostgreSQL and gives the slot
 * back if PostgreSQL refuses. The gate is rebuilt from PostgreSQL (`load`) at start, whenever it is
 * found empty (a restarted Redis) and whenever a grab finds it disagreeing with the record.
 *
 * Two implementations with the same behaviour: in process (grab-gate.memory.ts, one-process mode) and
 * Redis with one Lua script per grab (grab-gate.redis.ts, every node shares it).
 */
export type GateAnswer = 'admitted' | 'sold_out' | 'already' | 'cap' | 'not_loaded';

export interface GateSnapshot {
  issuanceId: string;
  /** Per tier: stock = count − granted, and the users holding one of its coupons (from the vouchers rows). */
  tiers: { tierId: string; stock: number; userIds: string[] }[];
  /** Coupons each user holds in the issuance (only users with at least one). */
  userCounts: [userId: string, count: number][];
}

export interface GateRelease {
  /** Put the unit of stock back (false when PostgreSQL says the tier is sold out: the gate was ahead). */
  stock: boolean;
  /** Forget the user's admission (false when PostgreSQL says the user already holds this tier). */
  user: boolean;
}

export interface GrabGate {
  readonly kind: 'memory' | 'redis';
  /** One atomic admission: loaded? user already admitted for the tier? stock left? under the cap (null: none)? */
  admit(issuanceId: string, tierId: string, userId: string, cap: number | null): Promise<GateAnswer>;
  /** Gives an admission back after PostgreSQL refused it. */
  release(issuanceId: string, tierId: string, userId: string, what: GateRelease): Promise<void>;
  /** Replaces the issuance's state with the snapshot (atomically for Redis). */
  load(snapshot: GateSnapshot): Promise<void>;
  /** Forgets an issuance (after it is over). */
  drop(issuanceId: string, tierIds: string[]): Promise<void>;
  /** Stock the gate holds for a tier (tests and the console); null when not loaded. */
  stock(issuanceId: string, tierId: string): Promise<number | null>;
}

/**
 * "Sold out" answered from this process's memory, without Redis or PostgreSQL. A tier the gate found
 * empty is flagged for `provisionalMs` (a slot given back may reopen it); a tier PostgreSQL says is
 * sold out (granted = count) is flagged for good, since its stock never comes back.
 */
export class SoldOutFlags {
  private readonly until = new Map<string, number>();
  constructor(private readonly provisionalMs = 1000) {}
  isSoldOut(tierId: string, nowMs = Date.now()): boolean {
    const u = this.until.get(tierId);
    if (u === undefined) return false;
    if (u > nowMs) return true;
    this.until.delete(tierId);
    return false;
  }
  provisional(tierId: string, nowMs = Date.now()) {
    if ((this.until.get(tierId) ?? 0) < Infinity) this.until.set(tierId, nowMs + this.provisionalMs);
  }
  confirmed(tierId: string) {
    this.until.set(tierId, Infinity);
  }
  isConfirmed(tierId: string) {
    return this.until.get(tierId) === Infinity;
  }
  clear(tierId: string) {
    this.until.delete(tierId);
  }
  clearAll() {
    this.until.clear();
  }
}
