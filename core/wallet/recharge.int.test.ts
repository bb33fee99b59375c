import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { paymentNotifications } from '../../db/schema';
import { createApiApp } from '../../realtime/api/app';
import { createTestPlatform, ManualClock } from '../testing/test-platform';
import { registerUser } from '../testing/factories';
import type { Platform } from '../platform/platform';
import { signNotice, SIGNATURE_HEADER, TIMESTAMP_HEADER } from './payment-gateway';
import { MINUTE } from '../shared/clock';
import { decideNotice } from './recharge.machine';

let p: Platform;
let api: ReturnType<typeof createApiApp>;
const clock = new ManualClock(new Date());
const SECRET = 'test-secret-0123456789:sandbox-gateway';

beforeAll(async () => {
  p = await createTestPlatform({ clock });
  api = createApiApp(p);
});
afterAll(() => p?.close());

const call = (path: string, init: { method?: string; token?: string; body?: unknown; headers?: Record<string, string>; raw?: string } = {}) =>
  api.request(path, {
    method: init.method ?? (init.body !== undefined || init.raw !== undefined ? 'POST' : 'GET'),
    headers: {
      ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      ...init.headers,
    },
    body: init.raw ?? (init.body !== undefined ? JSON.stringify(init.body) : undefined),
  });

const signed = (notice: object, secret = SECRET) => {
  const raw = JSON.stringify(notice);
  const ts = String(Date.now());
  return { raw, headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signNotice(secret, ts, raw), [TIMESTAMP_HEADER]: ts } };
};

async function newOrder(amountFen = 100_000, bankCode = 'ICBC') {
  const u = await registerUser(p);
  const res = await call('/api/v1/wallet/recharges/online', { token: u.token, body: { amountFen, bankCode } });
  expect(res.status).toBe(201);
  const { order, redirectUrl } = (await res.json()) as { order: { orderNo: string; status: string; bankCode: string }; redirectUrl: string };
  return { u, order, redirectUrl };
}
const balance = async (token: string) => ((await (await call('/api/v1/wallet', { token })).json()) as { availableFen: number }).availableFen;

describe('online recharge', () => {
  it('validates amount (¥1–¥500,000, whole fen) and bank by field', async () => {
    const u = await registerUser(p);
    for (const [body, field] of [
      [{ amountFen: 99, bankCode: 'ICBC' }, 'amountFen'],
      [{ amountFen: 50_000_001, bankCode: 'ICBC' }, 'amountFen'],
      [{ amountFen: 100.5, bankCode: 'ICBC' }, 'amountFen'],
      [{ amountFen: 10_000, bankCode: 'NOPE' }, 'bankCode'],
    ] as const) {
      const res = await call('/api/v1/wallet/recharges/online', { token: u.token, body });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { fields: Record<string, string> } }).error.fields[field]).toBeTruthy();
    }
    expect((await call('/api/v1/wallet/recharges/online', { body: { amountFen: 10_000, bankCode: 'ICBC' } })).status).toBe(401);
  });

  it('the sandbox bank approves; repeated signed callbacks credit the wallet exactly once', async () => {
    const deliveries: { url: string; headers: Record<string, string>; body: string }[] = [];
    const { u, order, redirectUrl } = await newOrder(123_456);
    const params = new URL(redirectUrl).searchParams;
    const req = p.gateway.readRequest(params)!;
    expect(req.amountFen).toBe(123_456);
    // Capture what the sandbox would post, then deliver it three times through the real endpoint.
    const gw = (await import('./sandbox-gateway')).createSandboxGateway({
      secret: SECRET,
      bankPageUrl: 'http://x/bank',
      delayMs: () => 0,
      duplicates: () => 3,
      post: async (url, headers, body) => {
        deliveries.push({ url, headers, body });
        return (await call('/api/v1/payments/notify', { raw: body, headers })).status;
      },
    });
    await gw.decide(gw.readRequest(params)!, true).delivered;
    expect(deliveries).toHaveLength(3);
    expect(deliveries[0]!.url).toMatch(/\/api\/v1\/payments\/notify$/);
    expect(await balance(u.token)).toBe(123_456);
    const view = (await (await call(`/api/v1/wallet/recharges/${order.orderNo}`, { token: u.token })).json()) as { status: string };
    expect(view.status).toBe('paid');
    const logged = await p.db.select().from(paymentNotifications).where(eq(paymentNotifications.orderNo, order.orderNo));
    expect(logged.map((l) => l.outcome).sort()).toEqual(['already_paid', 'already_paid', 'credited']);
    expect((await p.services.ledger.check()).ok).toBe(true);
  });

  it('50 duplicate callbacks in parallel credit once', async () => {
    const { u, order } = await newOrder(50_000);
    const n = signed({ orderNo: order.orderNo, tradeNo: 'T1', amountFen: 50_000, result: 'SUCCESS' });
    const statuses = await Promise.all(
      Array.from({ length: 50 }, () => Promise.resolve(call('/api/v1/payments/notify', { raw: n.raw, headers: n.headers })).then((r) => r.status)),
    );
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect(await balance(u.token)).toBe(50_000);
  });

  it('refuses and logs forged, unknown and mismatched callbacks; nothing is credited', async () => {
    const { u, order } = await newOrder(20_000);
    const forged = signed({ orderNo: order.orderNo, tradeNo: 'T', amountFen: 20_000, result: 'SUCCESS' }, 'wrong-secret');
    const r1 = await call('/api/v1/payments/notify', { raw: forged.raw, headers: forged.headers });
    expect(r1.status).toBe(403);
    const mismatch = signed({ orderNo: order.orderNo, tradeNo: 'T', amountFen: 1, result: 'SUCCESS' });
    expect((await call('/api/v1/payments/notify', { raw: mismatch.raw, headers: mismatch.headers })).status).toBe(400);
    const unknown = signed({ orderNo: 'R000', tradeNo: 'T', amountFen: 20_000, result: 'SUCCESS' });
    expect((await call('/api/v1/payments/notify', { raw: unknown.raw, headers: unknown.headers })).status).toBe(404);
    const unsigned = await call('/api/v1/payments/notify', {
      raw: JSON.stringify({ orderNo: order.orderNo }),
      headers: { 'content-type': 'application/json' },
    });
    expect(unsigned.status).toBe(403);
    expect(await balance(u.token)).toBe(0);
    const logged = await p.db.select().from(paymentNotifications).where(eq(paymentNotifications.orderNo, order.orderNo));
    expect(logged.map((l) => l.outcome).sort()).toEqual(['amount_mismatch', 'forged', 'forged']);
  });

  it('unpaid orders expire after 30 minutes; a late payment is still credited', async () => {
    const { u, order } = await newOrder(30_000);
    clock.advance(29 * MINUTE);
    expect(await p.services.recharges.expireStale()).toBe(0);
    clock.advance(2 * MINUTE);
    expect(await p.services.recharges.expireStale()).toBeGreaterThanOrEqual(1);
    const view = (await (await call(`/api/v1/wallet/recharges/${order.orderNo}`, { token: u.token })).json()) as { status: string };
    expect(view.status).toBe('expired');
    const late = signed({ orderNo: order.orderNo, tradeNo: 'T9', amountFen: 30_000, result: 'SUCCESS' });
    expect((await call('/api/v1/payments/notify', { raw: late.raw, headers: late.headers })).status).toBe(200);
    expect(await balance(u.token)).toBe(30_000);
  });

  it('a declined payment marks the order failed and credits nothing', async () => {
    const { u, order } = await newOrder(10_000);
    const n = signed({ orderNo: order.orderNo, tradeNo: 'T2', amountFen: 10_000, result: 'FAILED' });
    expect((await call('/api/v1/payments/notify', { raw: n.raw, headers: n.headers })).status).toBe(200);
    expect(((await (await call(`/api/v1/wallet/recharges/${order.orderNo}`, { token: u.token })).json()) as { status: string }).status).toBe('failed');
    expect(await balance(u.token)).toBe(0);
  });

  it("nobody reads another organisation's order", async () => {
    const { order } = await newOrder(10_000);
    const other = await registerUser(p);
    expect((await call(`/api/v1/wallet/recharges/${order.orderNo}`, { token: other.token })).status).toBe(404);
  });

  it('the bank page refuses a tampered amount', async () => {
    const { redirectUrl } = await newOrder(10_000);
    const u = new URL(redirectUrl);
    u.searchParams.set('amountFen', '1');
    const res = await call(`/api/v1/sandbox/bank?${u.searchParams}`);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('无效');
  });
});

describe('offline recharge', () => {
  async function operator() {
    const { organisations, memberships } = await import('../../db/schema');
    const u = await registerUser(p);
    const [org] = await p.db
      .insert(organisations)
      .values({ kind: 'platform', fullName: `运营${Date.now()}` })
      .returning();
    await p.db.insert(memberships).values({ userId: u.actor.userId, organisationId: org!.id, role: 'admin' });
    return (await p.services.accounts.validateSessionToken(u.token))!.actor;
  }

  it('two operators confirming at once credit once; the payer is notified', async () => {
    const u = await registerUser(p);
    const order = await p.services.recharges.submitOffline(u.actor, {
      amountFen: 2_000_000,
      transferredAt: new Date(clock.now().getTime() - 3600_000).toISOString(),
      payerName: u.input.organisationName,
      payerAccount: '6222 0212 3456 7890 123',
    });
    expect(order.status).toBe('pending');
    expect(order.payerAccount).toBe('6222 **** 0123');
    const [a, b] = [await operator(), await operator()];
    const results = await Promise.allSettled([
      p.services.recharges.reviewOffline(a, order.orderNo, { decision: 'confirm' }),
      p.services.recharges.reviewOffline(b, order.orderNo, { decision: 'confirm' }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason.code).toBe('RECHARGE_NOT_PENDING');
    expect((await p.services.ledger.walletBalances(p.db, u.actor.organisation!.organisationId)).availableFen).toBe(2_000_000);
    const inbox = await p.services.messages.list(u.actor.userId, { page: 1, pageSize: 5 });
    expect(inbox.items[0]?.title).toBe('充值成功');
  });

  it('a rejection tells the payer why and credits nothing; non-operators are refused', async () => {
    const u = await registerUser(p);
    const order = await p.services.recharges.submitOffline(u.actor, {
      amountFen: 500_00,
      transferredAt: clock.now().toISOString(),
      payerName: '某公司',
      payerAccount: '62220212345678',
    });
    await expect(p.services.recharges.reviewOffline(u.actor, order.orderNo, { decision: 'confirm' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(p.services.recharges.reviewOffline(await operator(), order.orderNo, { decision: 'reject' })).rejects.toMatchObject({
      fields: { reason: expect.any(String) },
    });
    const view = await p.services.recharges.reviewOffline(await operator(), order.orderNo, { decision: 'reject', reason: '未查询到该笔来账' });
    expect(view).toMatchObject({ status: 'rejected', rejectReason: '未查询到该笔来账' });
    const inbox = await p.services.messages.list(u.actor.userId, { page: 1, pageSize: 5 });
    expect(inbox.items[0]?.body).toContain('未查询到该笔来账');
    expect((await p.services.ledger.walletBalances(p.db, u.actor.organisation!.organisationId)).availableFen).toBe(0);
  });

  it('refuses a transfer time in the future and a malformed account', async () => {
    const u = await registerUser(p);
    await expect(
      p.services.recharges.submitOffline(u.actor, {
        amountFen: 10_000,
        transferredAt: new Date(clock.now().getTime() + 86_400_000).toISOString(),
        payerName: '某公司',
        payerAccount: '62220212345678',
      }),
    ).rejects.toMatchObject({ fields: { transferredAt: '打款时间不能晚于现在' } });
    await expect(
      p.services.recharges.submitOffline(u.actor, { amountFen: 10_000, transferredAt: clock.now().toISOString(), payerName: '某公司', payerAccount: 'abc' }),
    ).rejects.toMatchObject({ fields: { payerAccount: expect.any(String) } });
  });
});

describe('notice decisions', () => {
  it.each([
    [{ status: 'pending', amountFen: 100 }, 'SUCCESS', 100, 'credit'],
    [{ status: 'expired', amountFen: 100 }, 'SUCCESS', 100, 'credit'],
    [{ status: 'paid', amountFen: 100 }, 'SUCCESS', 100, 'ignore'],
    [{ status: 'failed', amountFen: 100 }, 'SUCCESS', 100, 'ignore'],
    [{ status: 'pending', amountFen: 100 }, 'FAILED', 100, 'mark'],
    [{ status: 'paid', amountFen: 100 }, 'FAILED', 100, 'ignore'],
    [{ status: 'pending', amountFen: 100 }, 'SUCCESS', 99, 'refuse'],
  ] as const)('%o + %s(%d) → %s', (order, result, amountFen, action) => {
    expect(decideNotice({ channel: 'online', ...order }, { orderNo: 'R', tradeNo: 'T', amountFen, result }).action).toBe(action);
  });
});

const notify = (n: { raw: string; headers: Record<string, string> }) => call('/api/v1/payments/notify', { raw: n.raw, headers: n.headers });
const outcomes = async (orderNo: string) =>
  (await p.db.select().from(paymentNotifications).where(eq(paymentNotifications.orderNo, orderNo))).map((l) => l.outcome).sort();

// By the gateway's phone pages (微信支付, 支付宝): the same sandbox gateway, signed callbacks and once-only
// crediting as online banking.
describe('phone recharge', () => {
  describe.each([
    ['WECHAT', '微信支付（沙箱）'],
    ['ALIPAY', '支付宝（沙箱）'],
  ])('recharge by %s', (bankCode, heading) => {
    it('pays on the phone page; callbacks and a replay credit the wallet exactly once, to the fen', async () => {
      const { u, order, redirectUrl } = await newOrder(100_001, bankCode);
      expect(order.bankCode).toBe(bankCode);
      const params = new URL(redirectUrl).searchParams;
      const page = await call(`/api/v1/sandbox/bank?${params}`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain(heading);

      const deliveries: { headers: Record<string, string>; body: string }[] = [];
      const gw = (await import('./sandbox-gateway')).createSandboxGateway({
        secret: SECRET,
        bankPageUrl: 'http://x/bank',
        delayMs: () => 0,
        duplicates: () => 2,
        post: async (_url, headers, body) => {
          deliveries.push({ headers, body });
          return (await notify({ raw: body, headers })).status;
        },
      });
      await gw.decide(gw.readRequest(params)!, true).delivered;
      expect(deliveries).toHaveLength(2);
      expect(await balance(u.token)).toBe(100_001);

      // The gateway's first callback, replayed while its signature is fresh: answered, nothing more credited.
      expect((await notify({ raw: deliveries[0]!.body, headers: deliveries[0]!.headers })).status).toBe(200);
      expect(await balance(u.token)).toBe(100_001);
      expect(await outcomes(order.orderNo)).toEqual(['already_paid', 'already_paid', 'credited']);

      const view = (await (await call(`/api/v1/wallet/recharges/${order.orderNo}`, { token: u.token })).json()) as { status: string };
      expect(view.status).toBe('paid');
      const statement = await p.services.statements.list(u.actor, { page: 1, pageSize: 10 });
      expect(statement.items.filter((l) => l.reference === order.orderNo).map((l) => [l.kind, l.amountFen])).toEqual([['recharge_online', 100_001]]);
      expect((await p.services.ledger.check()).ok).toBe(true);
    });

    it('refuses a bad signature and a mismatched amount; nothing is credited', async () => {
      const { u, order } = await newOrder(50_000, bankCode);
      const good = { orderNo: order.orderNo, tradeNo: 'T1', amountFen: 50_000, result: 'SUCCESS' };
      expect((await notify(signed(good, 'not-the-gateway'))).status).toBe(403);
      // Signed over another body: the signature does not match what arrived.
      const tampered = signed(good);
      expect((await notify({ raw: JSON.stringify({ ...good, amountFen: 5_000_000 }), headers: tampered.headers })).status).toBe(403);
      expect((await notify(signed({ ...good, amountFen: 49_999 }))).status).toBe(400);
      expect(await balance(u.token)).toBe(0);
      const view = (await (await call(`/api/v1/wallet/recharges/${order.orderNo}`, { token: u.token })).json()) as { status: string };
      expect(view.status).toBe('pending');
      expect(await outcomes(order.orderNo)).toEqual(['amount_mismatch', 'forged', 'forged']);
    });
  });

  it('refuses a method the gateway does not offer, by field', async () => {
    const u = await registerUser(p);
    const res = await call('/api/v1/wallet/recharges/online', { token: u.token, body: { amountFen: 10_000, bankCode: 'PAYPAL' } });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { fields: Record<string, string> } }).error.fields.bankCode).toContain('支付方式');
  });
});
