import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { paymentNotifications, rechargeOrders } from '../../db/schema';
import { createApiApp } from '../../realtime/api/app';
import { createTestPlatform } from '../testing/test-platform';
import { registerUser } from '../testing/factories';
import type { Platform } from '../platform/platform';
import { NOTICE_MAX_AGE_MS, signNotice, SIGNATURE_HEADER, TIMESTAMP_HEADER, verifySignedNotice } from './payment-gateway';
import { createSandboxGateway } from './sandbox-gateway';

let p: Platform;
let api: ReturnType<typeof createApiApp>;
const SECRET = 'test-secret-0123456789:sandbox-gateway';
const MINUTE = 60_000;

beforeAll(async () => {
  p = await createTestPlatform();
  api = createApiApp(p);
});
afterAll(() => p?.close());

const notify = (raw: string, ts: number) =>
  api.request('/api/v1/payments/notify', {
    method: 'POST',
    headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signNotice(SECRET, String(ts), raw), [TIMESTAMP_HEADER]: String(ts) },
    body: raw,
  });

async function newOrder(amountFen: number) {
  const u = await registerUser(p);
  const res = await api.request('/api/v1/wallet/recharges/online', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${u.token}` },
    body: JSON.stringify({ amountFen, bankCode: 'ICBC' }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { order: { orderNo: string } }).order.orderNo;
}

describe('payment notice timestamps', () => {
  it('a genuinely signed notice older than 5 minutes (a replay) is refused, logged, and changes nothing; the same notice freshly signed is credited', async () => {
    const orderNo = await newOrder(40_000);
    const raw = JSON.stringify({ orderNo, tradeNo: 'T-OLD', amountFen: 40_000, result: 'SUCCESS' });
    const old = await notify(raw, Date.now() - NOTICE_MAX_AGE_MS - MINUTE);
    expect(old.status).toBe(403);
    expect(((await old.json()) as { error: { message: string } }).error.message).toContain('时间戳');
    const ahead = await notify(raw, Date.now() + 10 * MINUTE);
    expect(ahead.status).toBe(403);
    const [order] = await p.db.select().from(rechargeOrders).where(eq(rechargeOrders.orderNo, orderNo));
    expect(order!.status).toBe('pending');
    expect(order!.paidAt).toBeNull();
    let logged = await p.db.select().from(paymentNotifications).where(eq(paymentNotifications.orderNo, orderNo));
    expect(logged.map((l) => [l.outcome, l.signatureValid])).toEqual([
      ['stale', true],
      ['stale', true],
    ]);

    // Still idempotent: the gateway's retry carries a fresh timestamp and lands once.
    expect((await notify(raw, Date.now())).status).toBe(200);
    expect((await notify(raw, Date.now() - MINUTE)).status).toBe(200);
    logged = await p.db.select().from(paymentNotifications).where(eq(paymentNotifications.orderNo, orderNo));
    expect(logged.map((l) => l.outcome).sort()).toEqual(['already_paid', 'credited', 'stale', 'stale']);
    const [paid] = await p.db.select().from(rechargeOrders).where(eq(rechargeOrders.orderNo, orderNo));
    expect(paid!.status).toBe('paid');
  });

  it('a timestamp that is not a number is refused as forged', () => {
    const raw = JSON.stringify({ orderNo: 'R1', tradeNo: 'T', amountFen: 1, result: 'SUCCESS' });
    const headers = { [SIGNATURE_HEADER]: signNotice(SECRET, 'soon', raw), [TIMESTAMP_HEADER]: 'soon' };
    expect(verifySignedNotice(SECRET, headers, raw)).toEqual({ ok: false, reason: 'forged' });
  });

  it('the sandbox gateway signs every retry afresh, so a retry long after the payment still verifies', async () => {
    let wallClock = Date.now();
    const checks: boolean[] = [];
    const gw = createSandboxGateway({
      secret: SECRET,
      bankPageUrl: 'http://x/bank',
      delayMs: () => 0,
      duplicates: () => 1,
      now: () => wallClock,
      post: async (_url, headers, body) => {
        checks.push(gw.verifyNotice(headers, body).ok);
        wallClock += 20 * MINUTE; // the next try comes much later
        return checks.length < 3 ? 503 : 200;
      },
    });
    const { redirectUrl } = await gw.createPayment({ orderNo: 'R2', amountFen: 100, bankCode: 'ICBC', returnUrl: 'http://x/r', notifyUrl: 'http://x/n' });
    await gw.decide(gw.readRequest(new URL(redirectUrl).searchParams)!, true).delivered;
    expect(checks).toEqual([true, true, true]);
  });
});
