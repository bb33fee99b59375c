import { randomUUID } from 'node:crypto';
import { memberships, organisations } from '../../db/schema';
import type { Platform } from '../platform/platform';
import type { Actor } from '../shared/actor';
import { DAY } from '../shared/clock';
import type { RequirementInput } from '../tenders/tenders.schema';
import { registerUser } from './factories';

/** Tenders test data: people of each kind, money in wallets, requirements in any state. */

export async function enterprise(p: Platform, fundedFen = 0) {
  const u = await registerUser(p, { accountType: 'enterprise' });
  if (fundedFen) await fund(p, u.actor, fundedFen);
  return u;
}

export const provider = (p: Platform) => registerUser(p, { accountType: 'provider' });

/** Credits the actor's wallet as an online recharge would (gateway clearing → available). */
export async function fund(p: Platform, actor: Actor, amountFen: number) {
  const w = await p.services.ledger.ensureWallet(p.db, actor.organisation!.organisationId);
  await p.services.ledger.transfer(p.db, {
    debitAccountId: await p.services.ledger.platformAccount('gateway_clearing'),
    creditAccountId: w.availableId,
    amountFen,
    kind: 'recharge_online',
    reference: 'test',
    idempotencyKey: randomUUID(),
  });
}

export async function availableFen(p: Platform, actor: Actor) {
  return (await p.services.ledger.walletBalances(p.db, actor.organisation!.organisationId)).availableFen;
}

/** An operator: a user who is a member of a platform organisation. */
export async function operator(p: Platform): Promise<Actor> {
  const u = await registerUser(p);
  const [org] = await p.db
    .insert(organisations)
    .values({ kind: 'platform', fullName: `运营${randomUUID().slice(0, 4)}` })
    .returning();
  await p.db.insert(memberships).values({ userId: u.actor.userId, organisationId: org!.id, role: 'admin' });
  return (await p.services.accounts.validateSessionToken(u.token))!.actor;
}

/** A valid requirement form; competitive with opening 3 days after `now` unless overridden. */
export function buildRequirement(now: Date, over: Partial<RequirementInput> = {}): RequirementInput {
  const delivery = new Date(now.getTime() + 60 * DAY).toISOString().slice(0, 10);
  return {
    invoiceName: '赣州市测试企业有限公司',
    title: '年度代理记账与税务申报服务',
    categoryCode: 'finance.01',
    descriptionHtml: '<p>需要为公司提供全年<strong>代理记账</strong>、纳税申报和年度汇算清缴服务。</p>',
    budgetMinFen: 1_000_000,
    budgetMaxFen: 3_000_000,
    deliveryDate: delivery,
    regionCode: '3607',
    mode: 'competitive',
    paymentMode: 'full_escrow',
    openingAt: new Date(now.getTime() + 3 * DAY).toISOString(),
    minBidders: 3,
    attachmentIds: [],
    ...over,
  };
}

/** A requirement published (deposit paid) and approved: open in the hall. */
export async function openRequirement(p: Platform, owner: Actor, ops: Actor, over: Partial<RequirementInput> = {}) {
  const draft = await p.services.requirements.saveDraft(owner, buildRequirement(p.clock.now(), over));
  await p.services.requirements.submit(owner, draft.id);
  return p.services.requirements.review(ops, draft.id, { decision: 'approve' });
}

export const proposalInput = (priceFen = 2_000_000) => ({
  priceFen,
  plan: '由注册会计师带队，每月上门整理票据，按期申报，年底出具汇算清缴报告。',
  timeline: '签约后 3 个工作日内启动，服务期 12 个月',
  attachmentIds: [],
});

/**
 * A competitive requirement whose opening has passed and whose provider was selected (待实施):
 * the starting point of agreements and escrow. Moves the clock to the opening time.
 */
export async function awardedRequirement(
  p: Platform & { clock: { now(): Date } },
  ops: Actor,
  opts: { priceFen?: number; paymentMode?: 'full_escrow' | 'instalments'; enterpriseFundsFen?: number } = {},
) {
  const e = await enterprise(p, 20_000 + (opts.enterpriseFundsFen ?? 0));
  const pr = await provider(p);
  const r = await openRequirement(p, e.actor, ops, { minBidders: 1, paymentMode: opts.paymentMode ?? 'instalments' });
  await p.services.proposals.submit(pr.actor, r.id, proposalInput(opts.priceFen ?? 3_000_000));
  (p.clock as unknown as { set(d: Date): void }).set(new Date(r.openingAt!));
  await p.services.requirements.select(e.actor, r.id, pr.actor.organisation!.organisationId);
  return { e, pr, r };
}
