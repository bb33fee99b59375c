import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiHarness, type ApiHarness } from './test-helpers';

/** The wallet's API through the client typed by the published document. */

let h: ApiHarness;
let operatorToken: string;
beforeAll(async () => {
  h = await createApiHarness();
  operatorToken = await h.operatorToken();
});
afterAll(() => h?.close());

const offline = (amountFen: number) => ({
  amountFen,
  transferredAt: new Date().toISOString(),
  payerName: '重庆清河科技有限公司',
  payerAccount: '3100 0000 1234 5678',
  payerReference: '充值',
});

async function balances(token: string) {
  const { data, error } = await h.api(token).GET('/api/v1/wallet');
  expect(error).toBeUndefined();
  return data!;
}

describe('GET /wallet/banks (public)', () => {
  it('happy: banks and the platform receiving account, without a session', async () => {
    const { data, response } = await h.api().GET('/api/v1/wallet/banks');
    expect(response.status).toBe(200);
    expect(data!.banks.length).toBeGreaterThan(0);
    expect(data!.banks[0]).toMatchObject({ code: expect.any(String), name: expect.any(String) });
    expect(data!.receivingAccount.accountNo).toBeTruthy();
  });
});

describe('offline recharge: submitted by the enterprise, confirmed by the operator', () => {
  it('happy: pending until confirmed, then the amount is available and on the statement', async () => {
    const u = await h.user();
    const api = h.api(u.token);
    expect(await balances(u.token)).toEqual({ availableFen: 0, frozenFen: 0, totalFen: 0 });

    const submitted = await api.POST('/api/v1/wallet/recharges/offline', { body: offline(250_000) });
    expect(submitted.response.status).toBe(201);
    const order = submitted.data!;
    expect(order).toMatchObject({ channel: 'offline', amountFen: 250_000, status: 'pending', payerAccount: '3100 **** 5678' });

    const pending = await h.api(operatorToken).GET('/api/v1/admin/recharges/offline', { params: { query: { pageSize: 100 } } });
    expect(pending.data!.items.map((o) => o.orderNo)).toContain(order.orderNo);

    const reviewed = await h.api(operatorToken).POST('/api/v1/admin/recharges/{orderNo}/review', {
      params: { path: { orderNo: order.orderNo } },
      body: { decision: 'confirm' },
    });
    expect(reviewed.response.status).toBe(200);
    expect(reviewed.data!.status).toBe('paid');

    expect(await balances(u.token)).toEqual({ availableFen: 250_000, frozenFen: 0, totalFen: 250_000 });
    const polled = await api.GET('/api/v1/wallet/recharges/{orderNo}', { params: { path: { orderNo: order.orderNo } } });
    expect(polled.data!.status).toBe('paid');
    const statement = await api.GET('/api/v1/wallet/statement');
    expect(statement.data!.items[0]).toMatchObject({ amountFen: 250_000, account: 'available' });

    // Deciding twice is a conflict and moves no money.
    const again = await h.api(operatorToken).POST('/api/v1/admin/recharges/{orderNo}/review', {
      params: { path: { orderNo: order.orderNo } },
      body: { decision: 'confirm' },
    });
    expect(again.response.status).toBe(409);
    expect(again.error!.error.code).toBe('RECHARGE_NOT_PENDING');
    expect((await balances(u.token)).availableFen).toBe(250_000);
  });

  it('errors: bad fields each get a Chinese message and nothing is stored', async () => {
    const u = await h.user();
    const { error, response } = await h.api(u.token).POST('/api/v1/wallet/recharges/offline', {
      body: { ...offline(99), payerName: '', payerAccount: '12ab' },
    });
    expect(response.status).toBe(400);
    expect(error!.error.code).toBe('VALIDATION');
    expect(Object.keys(error!.error.fields ?? {})).toEqual(expect.arrayContaining(['amountFen', 'payerName', 'payerAccount']));
    const list = await h.api(u.token).GET('/api/v1/wallet/recharges');
    expect(list.data!.total).toBe(0);
  });

  it('errors: another organisation cannot see the order (404), an unknown one is 404', async () => {
    const owner = await h.user();
    const { data: order } = await h.api(owner.token).POST('/api/v1/wallet/recharges/offline', { body: offline(10_000) });
    const stranger = await h.user();
    for (const orderNo of [order!.orderNo, 'R-NOPE']) {
      const { error, response } = await h.api(stranger.token).GET('/api/v1/wallet/recharges/{orderNo}', { params: { path: { orderNo } } });
      expect(response.status).toBe(404);
      expect(error!.error.code).toBe('NOT_FOUND');
    }
  });

  it('auth: anonymous callers get 401 and members who are not operators get 403 on the review', async () => {
    const anonymous = await h.api().POST('/api/v1/wallet/recharges/offline', { body: offline(10_000) });
    expect(anonymous.response.status).toBe(401);
    expect(anonymous.error!.error.code).toBe('UNAUTHENTICATED');
    const u = await h.user();
    const { data: order } = await h.api(u.token).POST('/api/v1/wallet/recharges/offline', { body: offline(10_000) });
    const self = await h.api(u.token).POST('/api/v1/admin/recharges/{orderNo}/review', {
      params: { path: { orderNo: order!.orderNo } },
      body: { decision: 'confirm' },
    });
    expect(self.response.status).toBe(403);
    expect(self.error!.error.code).toBe('FORBIDDEN');
    expect((await balances(u.token)).availableFen).toBe(0);
  });
});

describe('online recharge', () => {
  it('happy: an order and the gateway address; the order is pending until the bank answers', async () => {
    const u = await h.user();
    const { data, response } = await h.api(u.token).POST('/api/v1/wallet/recharges/online', { body: { amountFen: 12_345, bankCode: 'ICBC' } });
    expect(response.status).toBe(201);
    expect(data!.order).toMatchObject({ channel: 'online', amountFen: 12_345, bankCode: 'ICBC', status: 'pending' });
    expect(data!.redirectUrl).toMatch(/^https?:\/\//);
    const listed = await h.api(u.token).GET('/api/v1/wallet/recharges', { params: { query: { status: 'pending' } } });
    expect(listed.data!.items.map((o) => o.orderNo)).toEqual([data!.order.orderNo]);
  });

  it('errors: a body that is not JSON is 415 and creates nothing', async () => {
    const u = await h.user();
    const { error, response } = await h.api(u.token).POST('/api/v1/wallet/recharges/online', {
      body: { amountFen: 12_345, bankCode: 'ICBC' },
      bodySerializer: (b) => new URLSearchParams(Object.entries(b).map(([k, v]) => [k, String(v)])).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(response.status).toBe(415);
    expect(error!.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect((await h.api(u.token).GET('/api/v1/wallet/recharges')).data!.total).toBe(0);
  });
});

describe('bank cards', () => {
  it('happy: a corporate account in the organisation’s name waits for the test amount; removing it hides it', async () => {
    const u = await h.user();
    const api = h.api(u.token);
    const added = await api.POST('/api/v1/wallet/cards', {
      body: {
        accountType: 'corporate',
        holderName: u.input.organisationName as string,
        bankCode: 'ICBC',
        branch: '重庆渝中支行',
        accountNo: '3100 0000 8888 6666',
      },
    });
    expect(added.response.status).toBe(201);
    expect(added.data).toMatchObject({ status: 'pending', accountNoMasked: expect.stringContaining('6666') });
    expect(added.data!.accountNoMasked).not.toContain('31000000');
    const removed = await api.DELETE('/api/v1/wallet/cards/{id}', { params: { path: { id: added.data!.id } } });
    expect(removed.response.status).toBe(204);
    expect((await api.GET('/api/v1/wallet/cards')).data!.map((c) => c.id)).not.toContain(added.data!.id);
  });

  it('errors: a personal card number that fails its check digit → 400 on accountNo', async () => {
    const u = await h.user();
    const { error, response } = await h.api(u.token).POST('/api/v1/wallet/cards', {
      body: { accountType: 'personal', holderName: '张三', bankCode: 'ICBC', branch: '重庆渝中支行', accountNo: '6222020000000000001' },
    });
    expect(response.status).toBe(400);
    expect(error!.error.fields?.accountNo).toBe('银行卡号应为 16–19 位数字且校验位正确');
  });
});
