/**
 * The data of `npm run bench:vouchers`, written by SQL straight into a migrated database (the services
 * would take hours for 200,000 accounts): a commerce bureau, one funded campaign with the manual's
 * coupon categories, one running issuance of the manual's four tiers (12,700 coupons), and `users`
 * residents, each with an individual profile and a bearer session whose token is `tokenOf(secret, i)`
 * (the sessions table keeps only its SHA-256, as core/accounts/sessions.ts does).
 */
import { randomBytes } from 'node:crypto';
import type { Sql } from 'postgres';
import { DEFAULT_VOUCHER_CATEGORIES } from '../../core/vouchers/vouchers.constants';
import { MANUAL_TIERS } from './vouchers-fixture';

export interface BenchVouchers {
  campaignId: string;
  issuanceId: string;
  /** In MANUAL_TIERS order. */
  tierIds: string[];
}

const BATCH = 50_000;

export async function seedVouchers(db: Sql, users: number, secret: string, progress: (line: string) => void): Promise<BenchVouchers> {
  const [bureauUser] = await db`
    insert into users (username, mobile, password_hash, display_name)
    values ('benchbureau', '19999999999', 'bench-no-login', '商务委经办人') returning id`;
  const [bureau] = await db`
    insert into organisations (kind, full_name, region_code) values ('government', '重庆市綦江区商务委员会', '500110') returning id`;
  await db`insert into memberships (user_id, organisation_id, role) values (${bureauUser!.id}, ${bureau!.id}, 'owner')`;
  const [campaign] = await db`
    insert into voucher_campaigns (bureau_id, name, document_no, budget_fen, valid_until, status, funded_at, created_by)
    values (${bureau!.id}, '綦江火锅美食节消费券', '綦商务发〔2023〕80号', 100000000, now() + interval '14 days', 'funded', now(), ${bureauUser!.id})
    returning id`;
  for (const [i, c] of DEFAULT_VOUCHER_CATEGORIES.entries()) {
    await db`insert into voucher_categories (campaign_id, code, name, merchant_categories, sort)
      values (${campaign!.id}, ${c.code}, ${c.name}, ${[...c.merchantCategories]}, ${i})`;
  }
  const totalFen = MANUAL_TIERS.reduce((s, t) => s + t.count * t.discountFen, 0);
  // Started a minute ago and its value already allocated: the grab finds it running.
  const [issuance] = await db`
    insert into voucher_issuances (campaign_id, seq, starts_at, status, total_fen, allocated_at, log_salt)
    values (${campaign!.id}, 1, now() - interval '1 minute', 'running', ${totalFen}, now(), ${randomBytes(16).toString('hex')})
    returning id`;
  const tierIds: string[] = [];
  for (const t of MANUAL_TIERS) {
    const [row] = await db`
      insert into voucher_tiers (issuance_id, campaign_id, category_code, tier_no, threshold_fen, discount_fen, count)
      values (${issuance!.id}, ${campaign!.id}, ${t.categoryCode}, ${t.tierNo}, ${t.thresholdFen}, ${t.discountFen}, ${t.count})
      returning id`;
    tierIds.push(row!.id as string);
  }

  // Residents in batches: one statement per batch writes the users, their profiles and their sessions.
  for (let from = 0; from < users; from += BATCH) {
    const to = Math.min(users, from + BATCH) - 1;
    await db`
      with u as (
        insert into users (username, mobile, password_hash, display_name)
        select 'bvu' || i, (18000000000 + i)::text, 'bench-no-login', '居民' || i from generate_series(${from}::int, ${to}::int) i
        returning id, substr(username, 4) as n
      ), p as (
        insert into individual_profiles (user_id, real_name, region_code) select id, '居民' || n, '500110' from u
      )
      insert into sessions (id, user_id, kind, expires_at, last_seen_at)
      select encode(sha256(convert_to(${secret}::text || n, 'UTF8')), 'hex'), id, 'bearer', now() + interval '14 days', now() from u`;
    progress(`  residents with bearer sessions ${to + 1}/${users}`);
  }
  await db`analyze`;
  return { campaignId: campaign!.id as string, issuanceId: issuance!.id as string, tierIds };
}

/** What PostgreSQL holds after the burst, against what the clients saw. */
export async function verifyVouchers(db: Sql, fixture: BenchVouchers, clientSuccesses: string[]) {
  const tiers = await db`
    select t.id, t.count, t.granted, (select count(*)::int from vouchers v where v.tier_id = t.id) as rows
    from voucher_tiers t where t.issuance_id = ${fixture.issuanceId}`;
  const rows = await db`
    select v.id, v.tier_id, substr(u.username, 4) as n from vouchers v join users u on u.id = v.user_id
    where v.issuance_id = ${fixture.issuanceId}`;
  const [dup] = await db`
    select (count(*) - count(distinct (user_id, tier_id)))::int as n from vouchers where issuance_id = ${fixture.issuanceId}`;
  const tierIndex = new Map(fixture.tierIds.map((id, i) => [id, i]));
  const inDb = new Set(rows.map((r) => `${r.n} ${tierIndex.get(r.tier_id as string)}`));
  const idsInDb = new Set(rows.map((r) => r.id as string));
  const seen = new Set<string>();
  let withoutRow = 0;
  let seenTwice = 0;
  for (const line of clientSuccesses) {
    const [user, tier, id] = line.split(' ');
    const key = `${user} ${tier}`;
    if (seen.has(key)) seenTwice++;
    seen.add(key);
    if (!inDb.has(key) || (id && id !== '-' && !idsInDb.has(id))) withoutRow++;
  }
  let rowsNotSeen = 0;
  for (const key of inDb) if (!seen.has(key)) rowsNotSeen++;
  return {
    granted: rows.length,
    counters: tiers.reduce((s, t) => s + Number(t.granted), 0),
    countersAgree: tiers.every((t) => Number(t.granted) === Number(t.rows)),
    soldOutEveryTier: tiers.every((t) => Number(t.granted) === Number(t.count)),
    duplicates: Number(dup!.n),
    clientSuccesses: clientSuccesses.length,
    successesWithoutRow: withoutRow,
    successesSeenTwice: seenTwice,
    /** Coupons granted whose answer the client never got (the connection died with the server). */
    rowsNotSeenByClient: rowsNotSeen,
  };
}
