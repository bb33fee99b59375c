import type { GateAnswer, GateRelease, GateSnapshot, GrabGate } from './grab-gate';

interface IssuanceState {
  tiers: Map<string, { stock: number; users: Set<string> }>;
  counts: Map<string, number>;
}

/** The admission gate in this process (one-process mode without Redis): same answers as the Redis one. */
export function createMemoryGrabGate(): GrabGate {
  const issuances = new Map<string, IssuanceState>();
  return {
    kind: 'memory',
    async admit(issuanceId, tierId, userId, cap): Promise<GateAnswer> {
      const iss = issuances.get(issuanceId);
      const tier = iss?.tiers.get(tierId);
      if (!iss || !tier) return 'not_loaded';
      if (tier.users.has(userId)) return 'already';
      if (tier.stock <= 0) return 'sold_out';
      const n = iss.counts.get(userId) ?? 0;
      if (cap !== null && n >= cap) return 'cap';
      tier.stock--;
      tier.users.add(userId);
      iss.counts.set(userId, n + 1);
      return 'admitted';
    },
    async release(issuanceId, tierId, userId, what: GateRelease) {
      const iss = issuances.get(issuanceId);
      const tier = iss?.tiers.get(tierId);
      if (!iss || !tier) return;
      if (what.user && tier.users.delete(userId)) iss.counts.set(userId, Math.max(0, (iss.counts.get(userId) ?? 1) - 1));
      if (what.stock) tier.stock++;
    },
    async load(s: GateSnapshot) {
      issuances.set(s.issuanceId, {
        tiers: new Map(s.tiers.map((t) => [t.tierId, { stock: t.stock, users: new Set(t.userIds) }])),
        counts: new Map(s.userCounts),
      });
    },
    async drop(issuanceId) {
      issuances.delete(issuanceId);
    },
    async stock(issuanceId, tierId) {
      return issuances.get(issuanceId)?.tiers.get(tierId)?.stock ?? null;
    },
  };
}
