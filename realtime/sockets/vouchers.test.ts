import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import type { Platform } from '../../core/platform/platform';
import { government } from '../../core/testing/mall-factories';
import { registerUser } from '../../core/testing/factories';
import { fund as topUp } from '../../core/testing/tenders-factories';
import { createTestPlatform, ManualClock } from '../../core/testing/test-platform';
import { createApplication } from '../server';
import { next, record, settle, socketClients } from './test-clients';

const clock = new ManualClock(new Date('2023-11-28T02:00:00Z'));
let p: Platform;
let app: ReturnType<typeof createApplication>;
let url: string;
const { client, closeAll } = socketClients();

beforeAll(async () => {
  p = await createTestPlatform({ clock, env: { SESSION_IDLE_MINUTES: String(30 * 24 * 60) } });
  app = createApplication(p, { role: 'realtime' });
  url = `http://127.0.0.1:${await app.listen(0, '127.0.0.1')}`;
});
afterAll(async () => {
  closeAll();
  await app?.close();
  await p?.close();
});

const ack = (s: Socket, event: string, payload: unknown) => s.timeout(5000).emitWithAck(event, payload) as Promise<any>;

/** A government department's owner, its session acting for the department (as after 切换组织). */
async function bureau(name: string) {
  const g = await government(p, `${name}${randomUUID().slice(0, 4)}`, '500110');
  await p.services.accounts.switchOrganisation(g.actor, { organisationId: g.org.id });
  return g;
}

/** A funded campaign of one bureau with a running issuance of two tiers (10 coupons each). */
async function runningCampaign() {
  clock.set(new Date('2023-11-28T02:00:00Z'));
  const b = await bureau('綦江区商务委员会');
  const svc = p.services.voucherCampaigns;
  const c = await svc.create(b.actor, {
    name: '火锅消费周政府惠民消费券',
    documentNo: '綦商务发〔2023〕80号',
    budgetFen: 1_000_000,
    validUntil: '2023-12-10T23:59',
  });
  const i = await svc.addIssuance(b.actor, c.id, {
    startsAt: '2023-12-03T10:00',
    rows: [
      { categoryCode: 'general', tierNo: 1, thresholdFen: 10_000, discountFen: 3_000, count: 10 },
      { categoryCode: 'dining', tierNo: 1, thresholdFen: 20_000, discountFen: 6_000, count: 10 },
    ],
  });
  await topUp(p, b.actor, 1_000_000);
  await svc.fund(b.actor, c.id);
  clock.set(new Date('2023-12-03T02:00:00Z'));
  await p.jobs.runDue();
  return { b, c, i };
}

describe('bureau live console over socket.io', () => {
  it('the owning bureau joins, sees counts change after a grab and figures pushed; another bureau and a guest cannot join', async () => {
    const { b, c, i } = await runningCampaign();
    const other = await bureau('南川区商务委员会');
    const [sb, so, sg] = await Promise.all([client(url, { token: b.token }), client(url, { token: other.token }), client(url)]);
    const otherGot = record(so!);

    const joined = await ack(sb!, 'vouchers:console', { campaignId: c.id });
    expect(joined).toMatchObject({ ok: true, data: { counts: { campaignId: c.id }, figures: { campaignId: c.id, totals: { redemptions: 0 } } } });
    expect(joined.data.counts.tiers.find((t: any) => t.tierId === i.tiers[0]!.id)).toMatchObject({ granted: 0 });

    // Another bureau and a guest are refused (as if the campaign did not exist), and join nothing.
    expect(await ack(so!, 'vouchers:console', { campaignId: c.id })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND', message: '活动不存在' } });
    expect((await ack(sg!, 'vouchers:console', { campaignId: c.id })).ok).toBe(false);
    expect(await ack(sb!, 'vouchers:console', { campaignId: 'x'.repeat(80) })).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });

    // A resident grabs: the bureau's console gets the new count without asking.
    const resident = await registerUser(p);
    const counted = next(sb!, 'vouchers:counts', (pl) => pl.campaignId === c.id && pl.tiers.some((t: any) => t.tierId === i.tiers[0]!.id && t.granted === 1));
    await p.services.voucherGrabs.grab(resident.actor, { tierId: i.tiers[0]!.id }, { ip: '198.51.100.7' });
    const counts = await counted;
    expect(counts.tiers.find((t: any) => t.tierId === i.tiers[0]!.id)).toMatchObject({ granted: 1, remaining: 9 });

    // Redemption figures go to the bureau room only.
    const figured = next(sb!, 'vouchers:figures', (pl) => pl.campaignId === c.id);
    await p.services.voucherCampaigns.publishFigures(c.id);
    expect(await figured).toMatchObject({ campaignId: c.id, coupons: { granted: 1, unused: 1 } });
    await settle(200);
    expect(otherGot.filter((e) => e.event.startsWith('vouchers:'))).toEqual([]);
  });
});
