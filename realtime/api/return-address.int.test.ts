import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerUser } from '../../core/testing/factories';
import { address, individual, merchant, product } from '../../core/testing/mall-factories';
import { createTestPlatform } from '../../core/testing/test-platform';
import type { Platform } from '../../core/platform/platform';
import { createApplication } from '../server';

// Someone trying the demo on a phone opens http://<LAN address>:<port>: the sandbox bank page and the
// way back must use that address, not `localhost` (where the phone has no session).
describe.each([
  ['ORIGIN unset: the request’s own origin', undefined],
  ['ORIGIN set: always ORIGIN', 'http://bangfu.test:3000'],
])('payment return addresses — %s', (_name, configured) => {
  let p: Platform;
  let app: ReturnType<typeof createApplication>;
  let base: string;
  beforeAll(async () => {
    p = await createTestPlatform({ env: configured ? { ORIGIN: configured } : {} });
    app = createApplication(p, { role: 'realtime' });
    base = `http://127.0.0.1:${await app.listen(0, '127.0.0.1')}`;
  });
  afterAll(async () => {
    await app?.close();
    await p?.close();
  });

  const post = async (path: string, token: string, body: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    });
    expect(res.status, await res.clone().text()).toBe(201);
    return (await res.json()) as { redirectUrl: string };
  };
  const expected = () => configured ?? base;

  it('online recharge: the bank page and the return address are on the origin the payer used', async () => {
    const u = await registerUser(p);
    const { redirectUrl } = await post('/api/v1/wallet/recharges/online', u.token, { amountFen: 10_000, bankCode: 'ICBC' });
    const bank = new URL(redirectUrl);
    expect(bank.origin).toBe(expected());
    expect(bank.pathname).toBe('/api/v1/sandbox/bank');
    expect(new URL(bank.searchParams.get('returnUrl')!).origin).toBe(expected());
    expect(new URL(bank.searchParams.get('returnUrl')!).pathname).toBe('/wallet/recharge/result');
    // The gateway's server-to-server notice never goes to an address taken from a request.
    expect(new URL(bank.searchParams.get('notifyUrl')!).origin).toBe(configured ?? 'http://localhost:3000');
    // And the page it leads to is really there, checking its own signature.
    expect((await fetch(`${base}${bank.pathname}${bank.search}`)).status).toBe(200);
  });

  it('mall payment: the return address is on the origin the payer used', async () => {
    const m = await merchant(p);
    const item = await product(p, m.org.id);
    const buyer = await individual(p, null);
    const addr = await address(p, buyer.actor.userId);
    const {
      orders: [order],
    } = await p.services.orders.checkout(buyer.actor, { addressId: addr.id, items: [{ productId: item.id, quantity: 1 }] });
    const { redirectUrl } = await post('/api/v1/payments', buyer.token, { orderIds: [order!.id], method: 'personal_online' });
    const bank = new URL(redirectUrl);
    expect(bank.origin).toBe(expected());
    expect(new URL(bank.searchParams.get('returnUrl')!).origin).toBe(expected());
  });
});
