import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiApp } from '../../realtime/api/app';
import { createTestPlatform } from '../testing/test-platform';
import { registerUser } from '../testing/factories';
import type { Platform } from '../platform/platform';

let p: Platform;
let api: ReturnType<typeof createApiApp>;
beforeAll(async () => {
  p = await createTestPlatform();
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
    expect(csv).toContain('时间,类型,账户,金额（元）,余额（元）,摘要');
    expect(csv).toContain('在线充值,可用,"1,000.00","1,000.00",R1');

    const other = await registerUser(p);
    const theirs = (await (await api.request('/api/v1/wallet/statement', { headers: { authorization: `Bearer ${other.token}` } })).json()) as { total: number };
    expect(theirs.total).toBe(0);
    expect((await api.request('/api/v1/wallet/statement')).status).toBe(401);
  });
});
