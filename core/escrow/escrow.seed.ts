import { eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { priceRounds, requirements, users } from '../../db/schema';
import type { AccountService } from '../accounts/accounts.service';
import type { OrganisationService } from '../organisations/organisations.service';
import { createSeedSteps, type SeedSteps } from '../platform/seed-steps';
import type { RoomService } from '../rooms/rooms.service';
import type { Actor } from '../shared/actor';
import { DAY, type Clock } from '../shared/clock';
import { prng } from '../shared/prng';
import type { InvitationService } from '../tenders/invitations.service';
import {
  MARKET_ENTERPRISES,
  MARKET_PROVIDERS,
  MARKET_REQUIREMENTS,
  seedMarketOrganisations,
  type MarketGoal,
  type MarketRequirement,
} from '../tenders/market.seed';
import type { ProposalService } from '../tenders/proposals.service';
import type { RequirementService } from '../tenders/requirements.service';
import type { StorefrontService } from '../tenders/storefronts.service';
import type { Ledger } from '../wallet/ledger.service';
import type { EscrowService } from './escrow.service';

/** What the market seed uses of the platform (see SeedFn). */
export interface MarketSeedHost {
  db: Db;
  clock: Clock;
  services: {
    accounts: Pick<AccountService, 'actorForUser'>;
    organisations: Pick<OrganisationService, 'createWithOwner'>;
    ledger: Pick<Ledger, 'ensureWallet' | 'platformAccount' | 'transfer'>;
    storefronts: Pick<StorefrontService, 'update' | 'addItem' | 'addCase'>;
    requirements: Pick<RequirementService, 'saveDraft' | 'submit' | 'review' | 'withdraw' | 'select'>;
    proposals: Pick<ProposalService, 'submit'>;
    invitations: Pick<InvitationService, 'invite' | 'respond'>;
    rooms: Pick<RoomService, 'startRound' | 'submitOffer' | 'closeRound'>;
    escrow: Pick<EscrowService, 'saveDraft' | 'send' | 'confirm' | 'fund' | 'deliver' | 'accept' | 'review' | 'reply'>;
  };
}

const ORDER: MarketGoal[] = [
  'draft',
  'pending_review',
  'rejected',
  'open',
  'withdrawn',
  'room',
  'round_open',
  'round_closed',
  'awarded',
  'signed',
  'in_progress',
  'completed',
];
/** Whether a requirement walked to `goal` passes through `stage` (rejected and withdrawn end their own branch). */
const reaches = (goal: MarketGoal, stage: MarketGoal) => {
  if (goal === 'rejected' || goal === 'withdrawn') return stage === goal || ORDER.indexOf(stage) <= ORDER.indexOf('pending_review');
  if (stage === 'rejected' || stage === 'withdrawn') return false;
  if (stage === 'round_open' || stage === 'round_closed') return goal === stage;
  return ORDER.indexOf(goal) >= ORDER.indexOf(stage);
};

const REVIEWS = [
  '方案专业，沟通及时，按期交付，推荐合作。',
  '团队经验丰富，交付物质量高，修改响应很快。',
  '整体满意，个别细节返工了一次，但态度很好。',
  '价格合理，流程规范，后续还会继续合作。',
  '按里程碑交付，每次都有详细说明，省心。',
  '专业度很高，帮我们规避了不少风险。',
];
const PARTNER_REVIEWS = ['需求清晰，付款及时，合作愉快。', '配合度高，资料提供及时。', '验收标准明确，沟通顺畅。'];

/**
 * The demo market (core/tenders/market.seed.ts): eight providers with storefronts, items and cases, six
 * funded enterprises, and 36 requirements walked through the real services to the state each should show —
 * drafts, pending review, rejected, withdrawn, open with proposals, opened bidding rooms, a second round
 * running and one finished, awarded, agreements signed, projects in progress with milestones delivered and
 * accepted, and completed ones reviewed both ways (so the showcase's ratings mean something). Time moves
 * through data only, as the development time travel does: an opening time is moved into the past, a round's
 * deadline to now. Then each requirement's own dates move back by its age, so the hall reads like months of
 * trading. Every service call is a recorded step; amounts come from a seeded PRNG: the same market each time.
 */
export async function seedDemoMarket(p: MarketSeedHost, log: (line: string) => void = () => {}, steps: SeedSteps = createSeedSteps(p.db)): Promise<boolean> {
  const s = p.services;
  const step = steps.step;
  const ids = await step('market:organisations', () => seedMarketOrganisations(p, log));
  const actors = new Map<string, Actor>();
  const as = async (key: string) => {
    if (!actors.has(key)) actors.set(key, await s.accounts.actorForUser(ids[key]!.userId));
    return actors.get(key)!;
  };
  const org = (key: string) => ids[key]!.organisationId;
  const operator = await step('market:operator', async () => {
    const [u] = await p.db.select({ id: users.id }).from(users).where(eq(users.username, 'operator'));
    return { userId: u!.id };
  });
  const ops = async () => s.accounts.actorForUser(operator.userId);

  log('  seeding the market: storefronts');
  for (const pr of MARKET_PROVIDERS) {
    const a = await as(pr.key);
    await step(`market:storefront:${pr.key}`, () =>
      s.storefronts
        .update(a, {
          introduction: pr.intro,
          qualifications: pr.qualifications,
          regionsServed: pr.regionsServed,
          categoryCodes: [...new Set(pr.categoryCodes.map((c) => c.split('.')[0]!))],
          contactPhone: pr.phone,
        })
        .then(() => null),
    );
    for (const [i, item] of pr.items.entries()) await step(`market:item:${pr.key}:${i}`, () => s.storefronts.addItem(a, item).then(() => null));
    for (const [i, c] of pr.cases.entries()) await step(`market:case:${pr.key}:${i}`, () => s.storefronts.addCase(a, c).then(() => null));
  }
  for (const e of MARKET_ENTERPRISES)
    await step(`market:recharge:${e.key}`, async () => {
      const w = await s.ledger.ensureWallet(p.db, org(e.key));
      await s.ledger.transfer(p.db, {
        debitAccountId: await s.ledger.platformAccount('gateway_clearing'),
        creditAccountId: w.availableId,
        amountFen: 200_000_000,
        kind: 'recharge_online',
        reference: '演示充值',
        idempotencyKey: `demo:recharge:${org(e.key)}`,
      });
      return null;
    });

  log(`  seeding the market: ${MARKET_REQUIREMENTS.length} requirements in every state`);
  const now = p.clock.now();
  const date = (days: number) => new Date(now.getTime() + days * DAY).toISOString().slice(0, 10);
  const openingIn = (days: number, hourShanghai: number) => {
    const d = new Date(now.getTime() + days * DAY);
    d.setUTCHours(hourShanghai - 8, 0, 0, 0);
    return d.toISOString();
  };
  const random = prng(20_261_207);
  for (const [n, r] of MARKET_REQUIREMENTS.entries()) {
    // Drawn for every requirement, resumed or not, so a resumed seed draws the same numbers.
    const draws = Array.from({ length: 12 }, () => random());
    if (await steps.isDone(`market:req:${r.key}`)) continue;
    await walk(r, n, draws);
    await steps.markDone(`market:req:${r.key}`);
  }
  return steps.ran;

  async function walk(r: MarketRequirement, n: number, draws: number[]) {
    const k = `market:req:${r.key}`;
    const owner = await as(r.owner);
    const enterprise = MARKET_ENTERPRISES.find((e) => e.key === r.owner)!;
    const competitive = r.mode === 'competitive';
    const draft = await step(`${k}:draft`, () =>
      s.requirements
        .saveDraft(owner, {
          invoiceName: enterprise.fullName,
          title: r.title,
          categoryCode: r.categoryCode,
          descriptionHtml: `<p>${r.description}</p><p>请在标书中说明团队配置、服务流程与交付周期。</p>`,
          budgetMinFen: r.budgetMinFen,
          budgetMaxFen: r.budgetMaxFen,
          deliveryDate: date(60 + (n % 5) * 15),
          regionCode: r.regionCode,
          mode: r.mode,
          paymentMode: r.paymentMode,
          openingAt: competitive ? openingIn(2 + (n % 6), 9 + (n % 3) * 3) : undefined,
          minBidders: competitive ? 1 : undefined,
          attachmentIds: [],
        })
        .then((d) => ({ id: d.id })),
    );
    const id = draft.id;
    if (r.goal === 'draft') return;
    await step(`${k}:submit`, () => s.requirements.submit(owner, id).then(() => null));
    if (r.goal === 'pending_review') return;
    if (r.goal === 'rejected') {
      await step(`${k}:reject`, async () =>
        s.requirements.review(await ops(), id, { decision: 'reject', reason: '需求描述过于简略，请补充活动规模、时间与交付要求后重新发布' }).then(() => null),
      );
      return backdate(id, r.daysAgo);
    }
    await step(`${k}:approve`, async () => s.requirements.review(await ops(), id, { decision: 'approve' }).then(() => null));
    if (r.goal === 'withdrawn') {
      await step(`${k}:withdraw`, () => s.requirements.withdraw(owner, id).then(() => null));
      return backdate(id, r.daysAgo);
    }

    // Proposals (competitive) or accepted invitations, prices drawn within the budget.
    const prices = new Map<string, number>();
    for (const [i, b] of r.bidders.entries()) {
      const price = Math.round((r.budgetMinFen + (r.budgetMaxFen - r.budgetMinFen) * (0.35 + 0.6 * draws[i]!)) / 10_000) * 10_000;
      prices.set(b, price);
      const provider = await as(b);
      if (competitive) {
        await step(`${k}:proposal:${b}`, () =>
          s.proposals
            .submit(provider, id, {
              priceFen: price,
              plan: `${MARKET_PROVIDERS.find((x) => x.key === b)!.fullName}组建专项小组，项目经理全程负责：需求调研、方案确认、分阶段交付与验收，每周同步进度。`,
              timeline: `签约后 ${5 + i * 2} 个工作日内启动，${30 + i * 15} 天内完成`,
              attachmentIds: [],
            })
            .then(() => null),
        );
      } else {
        const inv = await step(`${k}:invite:${b}`, () =>
          s.invitations.invite(owner, { requirementId: id, providerId: org(b), note: '看过贵机构的案例，诚邀洽谈。' }).then((x) => ({ id: x.id })),
        );
        await step(`${k}:accept:${b}`, () => s.invitations.respond(provider, inv.id, { decision: 'accept' }).then(() => null));
      }
    }
    if (r.goal === 'open') return backdate(id, r.daysAgo);

    // The opening passes (moved in data, as the development time travel does).
    if (competitive)
      await step(`${k}:opened`, () =>
        p.db
          .update(requirements)
          .set({ openingAt: new Date(Date.now() - 3_600_000) })
          .where(eq(requirements.id, id))
          .then(() => null),
      );
    if (r.goal === 'room') return backdate(id, r.daysAgo);
    if (reaches(r.goal, 'round_open') || reaches(r.goal, 'round_closed')) {
      const round = await step(`${k}:round`, () =>
        s.rooms.startRound(owner, id, { providerIds: r.bidders.map(org), durationMinutes: r.goal === 'round_open' ? 60 : 10 }).then((x) => ({ id: x.id })),
      );
      for (const [i, b] of r.bidders.entries()) {
        if (i === r.bidders.length - 1 && r.bidders.length > 2) continue; // one keeps its price
        const price = Math.round((prices.get(b)! * (0.9 - 0.05 * draws[6 + i]!)) / 1_000) * 1_000;
        prices.set(b, price);
        await step(`${k}:offer:${b}`, async () => s.rooms.submitOffer(await as(b), id, { priceFen: price, clientId: `demo-${r.key}-${b}` }).then(() => null));
      }
      if (r.goal === 'round_open') return backdate(id, r.daysAgo);
      await step(`${k}:round:close`, async () => {
        await p.db
          .update(priceRounds)
          .set({ closesAt: new Date(Date.now() - 1000) })
          .where(eq(priceRounds.id, round.id));
        await s.rooms.closeRound(round.id);
        return null;
      });
      return backdate(id, r.daysAgo);
    }

    const winner = r.bidders[0]!;
    const provider = await as(winner);
    await step(`${k}:select`, () => s.requirements.select(owner, id, org(winner)).then(() => null));
    if (r.goal === 'awarded') return backdate(id, r.daysAgo);

    const total = prices.get(winner)!;
    const first = Math.round((total * 0.4) / 100) * 100;
    const ag = await step(`${k}:agreement`, () =>
      s.escrow
        .saveDraft(provider, id, {
          scope: `${r.title}：${r.description}`,
          totalFen: total,
          startDate: date(1),
          endDate: date(90),
          releaseMode: 'per_milestone',
          milestones: [
            { title: '方案确认与启动', deliverables: '服务方案、进度计划与启动会纪要', amountFen: first, dueDate: date(30) },
            { title: '全部交付与验收', deliverables: '全部成果文件与验收报告', amountFen: total - first, dueDate: date(90) },
          ],
        })
        .then((x) => ({ id: x.id, milestoneIds: x.milestones.map((m) => m.id) })),
    );
    await step(`${k}:agreement:send`, () => s.escrow.send(provider, ag.id).then(() => null));
    await step(`${k}:agreement:confirm`, () => s.escrow.confirm(owner, ag.id, { pdfOnDownload: true }).then(() => null));
    if (r.goal === 'signed') return backdate(id, r.daysAgo);

    const [m1, m2] = ag.milestoneIds as [string, string];
    await step(`${k}:fund:1`, () => s.escrow.fund(owner, ag.id).then(() => null));
    await step(`${k}:deliver:1`, () => s.escrow.deliver(provider, m1, { note: '已提交服务方案与进度计划，请查收。', attachmentIds: [] }).then(() => null));
    await step(`${k}:accept:1`, () => s.escrow.accept(owner, m1).then(() => null));
    if (r.paymentMode === 'instalments') await step(`${k}:fund:2`, () => s.escrow.fund(owner, ag.id).then(() => null));
    if (r.goal === 'in_progress') {
      if (n % 2 === 0)
        await step(`${k}:deliver:2`, () => s.escrow.deliver(provider, m2, { note: '全部成果已上传，请验收。', attachmentIds: [] }).then(() => null));
      return backdate(id, r.daysAgo);
    }
    await step(`${k}:deliver:2`, () => s.escrow.deliver(provider, m2, { note: '全部成果已上传，请验收。', attachmentIds: [] }).then(() => null));
    await step(`${k}:accept:2`, () => s.escrow.accept(owner, m2).then(() => null));
    // Stars: mostly 4–5, drawn; the enterprise reviews the provider and the provider the enterprise.
    const star = (x: number) => (x < 0.12 ? 3 : x < 0.45 ? 4 : 5);
    const reviewed = await step(`${k}:review`, () =>
      s.escrow
        .review(owner, ag.id, {
          quality: star(draws[9]!),
          timeliness: star(draws[10]!),
          communication: star(draws[11]!),
          body: REVIEWS[n % REVIEWS.length]!,
        })
        .then((x) => ({ reviewId: x.reviews.find((v) => v.byMe)?.id ?? null })),
    );
    await step(`${k}:review:provider`, () =>
      s.escrow.review(provider, ag.id, { quality: 5, timeliness: 5, communication: star(draws[8]!), body: PARTNER_REVIEWS[n % 3]! }).then(() => null),
    );
    if (n % 3 === 0 && reviewed.reviewId)
      await step(`${k}:reply`, () => s.escrow.reply(provider, reviewed.reviewId!, { reply: '感谢信任，期待再次合作！' }).then(() => null));
    return backdate(id, r.daysAgo);
  }

  /** Moves a requirement's own dates (and its events' and proposals') back by `days`, keeping their order. */
  async function backdate(id: string, days: number) {
    if (!days) return;
    await step(`market:backdate:${id}`, async () => {
      const by = sql`${`${days} days`}::interval`;
      await p.db.transaction(async (tx) => {
        await tx.execute(sql`update requirements set created_at = created_at - ${by}, updated_at = updated_at - ${by},
          submitted_at = submitted_at - ${by}, reviewed_at = reviewed_at - ${by}, closed_at = closed_at - ${by},
          opening_at = case when state = 'open' and opening_at > now() then opening_at else opening_at - ${by} end where id = ${id}`);
        await tx.execute(sql`update requirement_events set created_at = created_at - ${by} where requirement_id = ${id}`);
        await tx.execute(sql`update proposals set created_at = created_at - ${by}, updated_at = updated_at - ${by} where requirement_id = ${id}`);
      });
      return null;
    });
  }
}
