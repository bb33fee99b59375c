import { prng } from '../../core/shared/prng';

/**
 * What the processes of `npm run bench:vouchers` share: the simulated residents' bearer tokens and
 * addresses (derived from their number, so 200,000 of them need no file), and the plan the
 * orchestrator hands the load generator.
 */

/** The manual's issuance: 通用券 满100减30 ×3000, 满150减50 ×2200; 餐饮券 满100减30 ×5000, 满200减60 ×2500. */
export const MANUAL_TIERS = [
  { categoryCode: 'general', tierNo: 1, thresholdFen: 10_000, discountFen: 3_000, count: 3_000 },
  { categoryCode: 'general', tierNo: 2, thresholdFen: 15_000, discountFen: 5_000, count: 2_200 },
  { categoryCode: 'dining', tierNo: 1, thresholdFen: 10_000, discountFen: 3_000, count: 5_000 },
  { categoryCode: 'dining', tierNo: 2, thresholdFen: 20_000, discountFen: 6_000, count: 2_500 },
] as const;
export const MANUAL_COUPONS = MANUAL_TIERS.reduce((s, t) => s + t.count, 0);

/** Resident i's bearer token: the run's random secret and the number (the database keeps its SHA-256). */
export const tokenOf = (secret: string, i: number) => `${secret}${i}`;

/** Resident i's own address, as a trusted proxy reports it in X-Forwarded-For (10.0.0.0/8, last byte 1–254). */
export function addressOf(i: number): string {
  const rest = Math.floor(i / 254);
  return `10.${(rest >> 8) & 255}.${rest & 255}.${(i % 254) + 1}`;
}

/**
 * The order of the attempts: round r gives every resident (in a shuffled order) its r-th try, the
 * tiers in the resident's own random order. With 5 attempts per resident each tries the four tiers
 * and retries one (a quarter of its tries); a resident's tries are a whole round apart.
 */
export function attemptOrder(users: number, tiers: number, seed: number) {
  const random = prng(seed);
  const order = new Int32Array(users).map((_, i) => i);
  for (let i = users - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const perms: number[][] = [];
  const permute = (rest: number[], acc: number[]) => {
    if (!rest.length) perms.push(acc);
    rest.forEach((x, i) => permute([...rest.slice(0, i), ...rest.slice(i + 1)], [...acc, x]));
  };
  permute(
    Array.from({ length: tiers }, (_, i) => i),
    [],
  );
  const permOf = new Uint8Array(users).map(() => Math.floor(random() * perms.length));
  return (g: number) => {
    const round = Math.floor(g / users);
    const user = order[g - round * users]!;
    return { user, tier: perms[permOf[user]!]![round % tiers]! };
  };
}

export interface LoadPlan {
  mode: 'trivial' | 'grab';
  url: string;
  /** Keep-alive connections of the pool = requests in flight. */
  connections: number;
  /** trivial: how long to measure (after a 3 s warm-up). */
  seconds?: number;
  /** grab: */
  users?: number;
  attempts?: number;
  secret?: string;
  tierIds?: string[];
  /** Attempts per second at most (0: as fast as answers come). */
  rate?: number;
  /** Where the client-seen successes go, one `user tier voucherId` per line. */
  successesFile?: string;
  /** Seed of the shuffles, so a crash run and its rerun try the same order. */
  seed?: number;
}

export interface LoadResult {
  mode: 'trivial' | 'grab';
  answered: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
  statuses: Record<string, number>;
  /** Connection failures (server down): the attempt was sent again until it was answered. */
  connectionErrors: number;
  granted?: number;
  /** ms from the first attempt to the answer that granted the last coupon. */
  selloutMs?: number;
  answeredBeforeSellout?: number;
  answeredAfterSellout?: number;
  grabPhasePerSecond?: number;
  soldOutPhasePerSecond?: number;
  soldOutP50?: number;
  soldOutP99?: number;
  grabP50?: number;
  grabP99?: number;
}
