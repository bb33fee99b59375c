import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { paymentNotifications } from '../../db/schema';
import { createApiApp } from '../../realtime/api/app';
import { createTestPlatform, ManualClock } from '../testing/test-platform';
import { registerUser } from '../testing/factories';
import type { Platform } from '../platform/platform';
import { signNotice, SIGNATURE_HEADER, TIMESTAMP_HEADER } from './payment-gateway';
import { createSandboxGateway } from './sandbox-gateway';

// Wallet recharges by the gateway's phone pages (微信支付, 支付宝): the same sandbox gateway, signed
// callbacks and once-only crediting as online banking.
let p: Platform;
let api: ReturnType<typeof createApiApp>;
const clock = new ManualClock(new Date());
const SECRET = 'test-secret-0123456789:sandbox-gateway';

beforeAll(async () => {
  p = await createTestPlatform({ clock });
  api = createApiApp(p);
});
afterAll(() => p?.close());

const call = (path: string, init: { token?: string; body?: unknown; headers?: Record<string, string>; raw?: string } = {}) =>
  api.request(path, {
    method: init.body !== undefined || init.raw !== undefined ? 'POST' : 'GET',
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
const notify = (n: { raw: string; headers: Record<string, string> }) => call('/api/v1/payments/notify', { raw: n.raw, headers: n.headers });

async function newOrder(bankCode: string, amountFen: number) {
  const u = await registerUser(p);
  const res = await call('/api/v1/wallet/recharges/online', { token: u.token, body: { amountFen, bankCode } });
  expect(res.status).toBe(201);
  const { order, redirectUrl } = (await res.json()) as { order: { orderNo: string; bankCode: string }; redirectUrl: string };
  return { u, order, redirectUrl };
}
const balance = async (token: string) => ((await (await call('/api/v1/wallet', { token })).json()) as { availableFen: number }).availableFen;
const outcomes = async (orderNo: string) =>
  (await p.db.select().from(paymentNotifications).where(eq(paymentNotifications.orderNo, orderNo))).map((l) => l.outcome).sort();

describe.each([
  ['WECHAT', '微信支付（沙箱）'],
  ['ALIPAY', '支付宝（沙箱）'],
])('recharge by %s', (bankCode, heading) => {
  it('pays on the phone page; callbacks and a replay credit the wallet exactly once, to the fen', async () => {
    const { u, order, redirectUrl } = await newOrder(bankCode, 100_001);
    expect(order.bankCode).toBe(bankCode);
    const params = new URL(redirectUrl).searchParams;
    const page = await call(`/api/v1/sandbox/bank?${params}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(heading);

    const deliveries: { headers: Record<string, string>; body: string }[] = [];
    const gw = createSandboxGateway({
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
    const { u, order } = await newOrder(bankCode, 50_000);
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
  expect(((await res.json()) as { error: { fields: Record<string, string> } }).error.fields.bankCode).toContain('付款方式');
});
