import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestPlatform } from '../../core/testing/test-platform';
import type { Platform } from '../../core/platform/platform';
import { createApiApp } from './app';

let p: Platform;
beforeAll(async () => {
  p = await createTestPlatform();
});
afterAll(() => p?.close());

/** A bank-page link the sandbox gateway issued for 100 yuan. */
const bankLink = async () => {
  const { redirectUrl } = await p.gateway.createPayment({
    orderNo: 'R202601010001',
    amountFen: 10_000,
    bankCode: 'ICBC',
    returnUrl: 'http://localhost:3000/wallet',
    notifyUrl: 'http://localhost:3000/api/v1/payments/notify',
  });
  const url = new URL(redirectUrl);
  return `${url.pathname}${url.search}`;
};

it('the pretend bank page is served while the sandbox gateways are enabled', async () => {
  const res = await createApiApp(p).request(await bankLink());
  expect(res.status).toBe(200);
  expect(await res.text()).toContain('不会产生真实扣款');
});

it('refuses to show or decide anything when the sandbox gateways are not enabled', async () => {
  const app = createApiApp({ ...p, config: { ...p.config, sandboxGateways: false } });
  const page = await app.request(await bankLink());
  expect(page.status).toBe(404);
  expect(await page.text()).toContain('沙箱支付网关未启用');
  const link = new URL(await bankLink(), 'http://localhost');
  const decide = await app.request('/api/v1/sandbox/bank/decide', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: `${link.searchParams}&approve=1`,
  });
  expect(decide.status).toBe(404);
});
