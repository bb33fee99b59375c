import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiApp } from '../../realtime/api/app';
import { mallOrderLines, mallOrders, rechargeOrders, withdrawals } from '../../db/schema';
import { createTestPlatform, ManualClock } from '../testing/test-platform';
import { registerUser } from '../testing/factories';
import { merchant, product, unitBuyer } from '../testing/mall-factories';
import { awardedRequirement, operator } from '../testing/tenders-factories';
import { bankCard, rechargeOrder } from '../testing/wallet-factories';
import type { Platform } from '../platform/platform';
import type { Actor } from '../shared/actor';

let p: Platform;
let api: ReturnType<typeof createApiApp>;
const clock = new ManualClock(new Date('2026-11-23T02:00:00Z'));
beforeAll(async () => {
  p = await createTestPlatform({ clock });
  api = createApiApp(p);
});
afterAll(() => p?.close());

describe('wallet statement', () => {
  it('lists movements with signed amounts and running balances, filters by kind, exports CSV with BOM, only for the own organisation', async () => {
    const u = await registerUser(p);
    const orgId = u.actor.organisation!.organisationId;
    const w = await p.services.ledger.ensureWallet(p.db, orgId);
    const clearing = await p.services.ledger.platformAccount('gateway_clearing');
    await p.services.ledger.transfer(p.db, {
      debitAccountId: clearing,
      creditAccountId: w.availableId,
      amountFen: 100_000,
      kind: 'recharge_online',
      reference: 'R1',
      idempotencyKey: 'st-1',
    });
    await p.services.ledger.transfer(p.db, {
      debitAccountId: w.availableId,
      creditAccountId: w.frozenId,
      amountFen: 30_000,
      kind: 'withdrawal_freeze',
      reference: 'W1',
      idempotencyKey: 'st-2',
    });
    await p.services.ledger.transfer(p.db, {
      debitAccountId: w.frozenId,
      creditAccountId: w.availableId,
      amountFen: 30_000,
      kind: 'withdrawal_release',
      reference: 'W1',
      idempotencyKey: 'st-3',
    });

    const auth = { authorization: `Bearer ${u.token}` };
    const res = await api.request('/api/v1/wallet/statement', { headers: auth });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { items: { kind: string; amountFen: number; balanceAfterFen: number; kindLabel: string }[]; total: number };
    expect(body.total).toBe(3);
    expect(body.items.map((i) => [i.kindLabel, i.amountFen, i.balanceAfterFen])).toEqual([
      ['提现退回', 30_000, 100_000],
      ['提现冻结', -30_000, 70_000],
      ['在线充值', 100_000, 100_000],
    ]);
    const filtered = (await (await api.request('/api/v1/wallet/statement?kind=recharge_online', { headers: auth })).json()) as { total: number };
    expect(filtered.total).toBe(1);
    const bad = await api.request('/api/v1/wallet/statement?from=2026-05-02&to=2026-05-01', { headers: auth });
    expect(bad.status).toBe(400);

    const bytes = new Uint8Array(await (await api.request('/api/v1/wallet/statement.csv', { headers: auth })).arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // BOM, so Excel reads UTF-8
    const csv = new TextDecoder().decode(bytes);
    expect(csv).toContain('时间,类型,账户,金额（元）,余额（元）,摘要,单号');
    // No recharge order behind R1: the summary is the ledger's reference.
    expect(csv).toContain('在线充值,可用,"1,000.00","1,000.00",R1,R1');
    expect(csv).not.toMatch(/\d{4}\/\d/);

    const other = await registerUser(p);
    const theirs = (await (await api.request('/api/v1/wallet/statement', { headers: { authorization: `Bearer ${other.token}` } })).json()) as { total: number };
    expect(theirs.total).toBe(0);
    expect((await api.request('/api/v1/wallet/statement')).status).toBe(401);
  });
});

describe('statement summaries', () => {
  type Line = { kind: string; summary: string; reference: string };
  // Through the service with the actor acting for the organisation (the clock has moved past the sessions' lifetime).
  const statement = async (actor: Actor, query: Record<string, unknown> = {}): Promise<Line[]> => (await p.services.statements.list(actor, query)).items;
  const ledger = () => p.services.ledger;

  it('names what a person recognises (recharge channel, project, milestone, card), keeps the numbers as references, in one page query', async () => {
    const ops = await operator(p);
    const t = await awardedRequirement(p as Platform & { clock: ManualClock }, ops, {
      priceFen: 3_000_000,
      paymentMode: 'full_escrow',
      enterpriseFundsFen: 3_000_000,
    });
    const orgId = t.e.actor.organisation!.organisationId;
    const w = await ledger().ensureWallet(p.db, orgId);

    // A WeChat-like top-up and an online-banking one, as the gateway's notices credit them.
    for (const bankCode of ['WECHAT', 'ICBC']) {
      const ro = await rechargeOrder(p, orgId, t.e.actor.userId, 10_000);
      await p.db.update(rechargeOrders).set({ bankCode, status: 'paid' }).where(eq(rechargeOrders.id, ro.id));
      await ledger().transfer(p.db, {
        debitAccountId: await ledger().platformAccount('gateway_clearing'),
        creditAccountId: w.availableId,
        amountFen: 10_000,
        kind: 'recharge_online',
        reference: ro.orderNo,
        idempotencyKey: `recharge:${ro.orderNo}`,
      });
    }

    // The agreement, confirmed and funded in full: escrow_fund per milestone, the deposit back.
    const escrow = p.services.escrow;
    const ag = await escrow.saveDraft(t.pr.actor, t.r.id, {
      scope: '全年代理记账、月度纳税申报与年度汇算清缴。',
      totalFen: 3_000_000,
      startDate: '2026-12-01',
      endDate: '2027-03-31',
      releaseMode: 'per_milestone',
      milestones: [
        { title: '建账与首月申报', deliverables: '账套', amountFen: 1_000_000, dueDate: '2026-12-31' },
        { title: '汇算清缴', deliverables: '年度报告', amountFen: 2_000_000, dueDate: '2027-03-31' },
      ],
    });
    await escrow.send(t.pr.actor, ag.id);
    await escrow.confirm(t.e.actor, ag.id);
    await escrow.fund(t.e.actor, ag.id);

    // A withdrawal frozen to a verified card.
    const card = await bankCard(p, orgId, t.e.actor.userId);
    const withdrawalNo = `WD${randomUUID().replace(/-/g, '').slice(0, 16)}`;
    await p.db.insert(withdrawals).values({ withdrawalNo, organisationId: orgId, userId: t.e.actor.userId, cardId: card.id, amountFen: 5_000 });
    await ledger().transfer(p.db, {
      debitAccountId: w.availableId,
      creditAccountId: w.frozenId,
      amountFen: 5_000,
      kind: 'withdrawal_freeze',
      reference: withdrawalNo,
      idempotencyKey: `withdrawal:${withdrawalNo}`,
    });

    const lines = await statement(t.e.actor, { pageSize: 50 });
    const title = t.r.title;
    const summaries = lines.map((l) => l.summary);
    expect(summaries).toContain('充值 · 微信支付');
    expect(summaries).toContain('充值 · 网银（中国工商银行）');
    expect(summaries).toContain(`保证金 · ${title}`);
    expect(summaries).toContain(`托管 · ${title} · 里程碑 1`);
    expect(summaries).toContain(`托管 · ${title} · 里程碑 2`);
    expect(summaries).toContain(`提现 · 中国工商银行（尾号 ${card.accountNo.slice(-4)}）`);
    // The ledger's numbers stay with the line.
    const wechat = lines.find((l) => l.summary === '充值 · 微信支付')!;
    expect(wechat.reference).toMatch(/^RC/);
    expect(lines.find((l) => l.kind === 'escrow_fund')!.reference).toContain(ag.agreementNo);
    expect(lines.find((l) => l.kind === 'withdrawal_freeze')!.reference).toBe(withdrawalNo);
    // The factory's top-up has no recharge order: its reference is its summary.
    expect(lines.find((l) => l.kind === 'recharge_online' && l.reference === 'test')?.summary).toBe('test');

    // Filtered pages carry the names too; the provider's wallet knows nothing of the enterprise's lines.
    expect((await statement(t.e.actor, { kind: 'escrow_fund' })).map((l) => l.summary).sort()).toEqual([
      `托管 · ${title} · 里程碑 1`,
      `托管 · ${title} · 里程碑 2`,
    ]);
    expect((await statement(t.pr.actor)).some((l) => l.summary.includes('充值'))).toBe(false);

    // The CSV has both: the summary and the number.
    const out = await p.services.statements.exportCsv(t.e.actor, {});
    const csv = typeof out === 'string' ? out : new TextDecoder().decode(out);
    expect(csv).toContain(`充值 · 微信支付,${wechat.reference}`);
    expect(csv).toMatch(/\n\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},/);
  });

  it("names a merchant's mall settlement by its largest product line", async () => {
    const m = await merchant(p);
    const buyer = await unitBuyer(p);
    const rice = await product(p, m.org.id, { name: '酉阳富硒大米' });
    const oil = await product(p, m.org.id, { name: '秀山山茶油', priceFen: 12_800 });
    const now = p.clock.now();
    const [order] = await p.db
      .insert(mallOrders)
      .values({
        orderNo: `MO${randomUUID().replace(/-/g, '').slice(0, 16)}`,
        checkoutId: randomUUID(),
        buyerUserId: buyer.actor.userId,
        buyerKind: 'unit',
        unitId: buyer.org.id,
        merchantId: m.org.id,
        status: 'completed',
        totalFen: 8_800 + 2 * 12_800,
        address: { recipient: '张三', mobile: '13800138000', regionCode: '500118', regionName: '重庆市永川区', detail: '人民大道 1 号' },
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    await p.db.insert(mallOrderLines).values([
      {
        orderId: order!.id,
        productId: rice.id,
        name: rice.name,
        unit: '袋',
        categoryCode: rice.categoryCode,
        originCode: rice.originCode,
        quantity: 1,
        listPriceFen: 8_800,
        priceFen: 8_800,
      },
      {
        orderId: order!.id,
        productId: oil.id,
        name: oil.name,
        unit: '瓶',
        categoryCode: oil.categoryCode,
        originCode: oil.originCode,
        quantity: 2,
        listPriceFen: 12_800,
        priceFen: 12_800,
      },
    ]);
    const w = await ledger().ensureWallet(p.db, m.org.id);
    await ledger().transfer(p.db, {
      debitAccountId: await ledger().platformAccount('mall_clearing'),
      creditAccountId: w.availableId,
      amountFen: order!.totalFen,
      kind: 'mall_settlement',
      reference: `订单 ${order!.orderNo}`,
      idempotencyKey: `mall:settle:${order!.id}`,
      metadata: { orderId: order!.id },
    });
    const [line] = await statement(m.actor);
    expect(line).toMatchObject({ kind: 'mall_settlement', summary: '消费帮扶馆订单 · 秀山山茶油 等 2 种', reference: `订单 ${order!.orderNo}` });
  });
});
