import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { ManualClock } from '../../core/testing/test-platform';
import { enterprise, openRequirement, proposalInput, provider } from '../../core/testing/tenders-factories';
import type { Actor } from '../../core/shared/actor';
import { createApiHarness, type ApiHarness } from './test-helpers';

const clock = new ManualClock(new Date('2026-11-23T02:00:00Z'));
let h: ApiHarness;
let opsActor: Actor;
beforeAll(async () => {
  h = await createApiHarness({ clock });
  const ops = await h.operator();
  opsActor = (await h.platform.services.accounts.validateSessionToken(ops.token))!.actor;
});
afterAll(() => h?.close());

/** A competitive requirement past its opening with two bidders (¥20,000 and ¥25,000); bearer tokens for each side. */
async function openedTender() {
  clock.set(new Date('2026-11-23T02:00:00Z'));
  const e = await enterprise(h.platform, 20_000);
  const r = await openRequirement(h.platform, e.actor, opsActor, { minBidders: 2 });
  const a = await provider(h.platform);
  const b = await provider(h.platform);
  await h.platform.services.proposals.submit(a.actor, r.id, proposalInput(2_000_000));
  await h.platform.services.proposals.submit(b.actor, r.id, proposalInput(2_500_000));
  // Bearer sessions made after the jump to the opening time stay valid.
  clock.set(new Date(r.openingAt!));
  const [et, at, bt] = [await h.loginAs(e.input), await h.loginAs(a.input), await h.loginAs(b.input)];
  return { r, e: et, a: at, b: bt, ids: [a.actor.organisation!.organisationId, b.actor.organisation!.organisationId] };
}

describe('GET /requirements/{id}/room and /room/events', () => {
  it('happy: each side gets its own view; a bidder never sees a rival', async () => {
    const t = await openedTender();
    const e = await h.json('GET', `/api/v1/requirements/${t.r.id}/room`, undefined, { token: t.e });
    expect(e.status).toBe(200);
    expect(e.json).toMatchObject({ role: 'enterprise', phase: 'bidding', bidderCount: 2 });
    expect(e.json.proposals.map((p: { providerId: string }) => p.providerId)).toEqual(t.ids);
    const a = await h.json('GET', `/api/v1/requirements/${t.r.id}/room`, undefined, { token: t.a });
    expect(a.json).toMatchObject({ role: 'provider', mine: { currentPriceFen: 2_000_000 } });
    expect(a.text).not.toContain('2500000');
    expect(a.text).not.toContain(t.ids[1]);
    const events = await h.json('GET', `/api/v1/requirements/${t.r.id}/room/events?after=0`, undefined, { token: t.a });
    expect(events.status).toBe(200);
    expect(events.json.events.every((ev: { audience: string[] }) => ev.audience.includes('all') || ev.audience.includes(`provider:${t.ids[0]}`))).toBe(true);
  });

  it('auth: anonymous 401; another provider or enterprise 404', async () => {
    const t = await openedTender();
    await h.expectRefusals('signed-in', { method: 'GET', path: `/api/v1/requirements/${t.r.id}/room` });
    await h.expectRefusals('signed-in', { method: 'GET', path: `/api/v1/requirements/${t.r.id}/room/events` });
    const stranger = await h.loginAs((await provider(h.platform)).input);
    const other = await h.loginAs((await enterprise(h.platform)).input);
    for (const token of [stranger, other]) {
      expect((await h.json('GET', `/api/v1/requirements/${t.r.id}/room`, undefined, { token })).status).toBe(404);
      expect((await h.json('GET', `/api/v1/requirements/${t.r.id}/room/events`, undefined, { token })).status).toBe(404);
    }
  });
});

describe('POST /requirements/{id}/rounds and /rounds/current/offers', () => {
  it('happy: the enterprise starts a round; a bid is accepted once per clientId; the round closes on time', async () => {
    const t = await openedTender();
    const started = await h.json('POST', `/api/v1/requirements/${t.r.id}/rounds`, { providerIds: t.ids, durationMinutes: 10 }, { token: t.e });
    expect(started.status).toBe(201);
    expect(started.json).toMatchObject({ number: 1, durationSeconds: 600, participantIds: t.ids });
    const clientId = randomUUID();
    const bid = await h.json('POST', `/api/v1/requirements/${t.r.id}/rounds/current/offers`, { priceFen: 2_400_000, clientId }, { token: t.b });
    expect(bid.status).toBe(201);
    expect(bid.json).toMatchObject({ rank: 2, participantCount: 2, replayed: false, offer: { priceFen: 2_400_000, previousPriceFen: 2_500_000 } });
    const again = await h.json('POST', `/api/v1/requirements/${t.r.id}/rounds/current/offers`, { priceFen: 2_400_000, clientId }, { token: t.b });
    expect(again.json).toMatchObject({ replayed: true, seq: bid.json.seq });
    clock.set(new Date(started.json.closesAt));
    const late = await h.json('POST', `/api/v1/requirements/${t.r.id}/rounds/current/offers`, { priceFen: 1_000_000, clientId: randomUUID() }, { token: t.a });
    expect(late.status).toBe(409);
    expect(late.json.error.code).toBe('ROUND_CLOSED');
    await h.platform.services.rooms.closeDueRounds();
    const after = await h.json('GET', `/api/v1/requirements/${t.r.id}/room`, undefined, { token: t.e });
    expect(after.json.rounds[0].participants[1]).toMatchObject({ providerId: t.ids[1], finalPriceFen: 2_400_000 });
  });

  it('errors: field messages for a bad duration, an unknown provider, a price not low enough, a missing clientId', async () => {
    const t = await openedTender();
    const bad = await h.json('POST', `/api/v1/requirements/${t.r.id}/rounds`, { providerIds: [randomUUID()], durationMinutes: 90 }, { token: t.e });
    expect(bad.status).toBe(400);
    expect(bad.json.error.fields).toEqual({ providerIds: '只能勾选本项目的投标机构', durationMinutes: '竞价时长为 5–60 分钟' });
    await h.json('POST', `/api/v1/requirements/${t.r.id}/rounds`, { providerIds: t.ids, durationMinutes: 10 }, { token: t.e });
    const high = await h.json('POST', `/api/v1/requirements/${t.r.id}/rounds/current/offers`, { priceFen: 1_990_000, clientId: randomUUID() }, { token: t.a });
    expect(high.status).toBe(400);
    expect(high.json.error.fields.priceFen).toContain('¥19,800.00');
    const noId = await h.json('POST', `/api/v1/requirements/${t.r.id}/rounds/current/offers`, { priceFen: 1_000_000 }, { token: t.a });
    expect(noId.json.error.fields).toEqual({ clientId: '缺少请求编号' });
    clock.advance(60 * 60_000);
    await h.platform.services.rooms.closeDueRounds();
  });

  it('auth: bidders cannot start rounds; the enterprise cannot bid; strangers get 404', async () => {
    const t = await openedTender();
    await h.expectRefusals('signed-in', { method: 'POST', path: `/api/v1/requirements/${t.r.id}/rounds`, body: { providerIds: t.ids, durationMinutes: 10 } });
    expect((await h.json('POST', `/api/v1/requirements/${t.r.id}/rounds`, { providerIds: t.ids, durationMinutes: 10 }, { token: t.a })).status).toBe(403);
    await h.json('POST', `/api/v1/requirements/${t.r.id}/rounds`, { providerIds: t.ids, durationMinutes: 10 }, { token: t.e });
    expect(
      (await h.json('POST', `/api/v1/requirements/${t.r.id}/rounds/current/offers`, { priceFen: 1_000_000, clientId: randomUUID() }, { token: t.e })).status,
    ).toBe(403);
    const stranger = await h.loginAs((await provider(h.platform)).input);
    expect(
      (await h.json('POST', `/api/v1/requirements/${t.r.id}/rounds/current/offers`, { priceFen: 1_000_000, clientId: randomUUID() }, { token: stranger }))
        .status,
    ).toBe(404);
    clock.advance(60 * 60_000);
    await h.platform.services.rooms.closeDueRounds();
  });
});

describe('PUT /requirements/{id}/room/rules', () => {
  const rules = { minDecreasePercent: 2, minDecreaseFen: 20_000, snipeWindowSeconds: 60, maxExtensions: 5, extensionRule: 'any_bid', maxExtensionMinutes: 10 };

  it('happy and errors before the first proposal; refused with ROOM_RULES_FROZEN after it', async () => {
    clock.set(new Date('2026-11-23T02:00:00Z'));
    const e = await enterprise(h.platform, 20_000);
    const r = await openRequirement(h.platform, e.actor, opsActor, { minBidders: 2 });
    const et = await h.loginAs(e.input);
    const ok = await h.json('PUT', `/api/v1/requirements/${r.id}/room/rules`, rules, { token: et });
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ minDecreaseBp: 200, minDecreaseFen: 20_000, extensionRule: 'any_bid', maxExtensionMinutes: 10, frozen: false });
    const bad = await h.json(
      'PUT',
      `/api/v1/requirements/${r.id}/room/rules`,
      { ...rules, minDecreaseFen: -1, snipeWindowSeconds: 6000, extensionRule: 'never', maxExtensionMinutes: 121 },
      { token: et },
    );
    expect(bad.status).toBe(400);
    expect(bad.json.error.fields).toEqual({
      minDecreaseFen: '最低降价金额不能为负',
      snipeWindowSeconds: '延时窗口为 0–900 秒',
      extensionRule: '延时规则为“仅刷新最低价的报价”或“任何报价”',
      maxExtensionMinutes: '最长延时为 0–120 分钟',
    });
    const a = await provider(h.platform);
    await h.platform.services.proposals.submit(a.actor, r.id, proposalInput(2_000_000));
    const frozen = await h.json('PUT', `/api/v1/requirements/${r.id}/room/rules`, rules, { token: et });
    expect(frozen.status).toBe(409);
    expect(frozen.json.error).toMatchObject({ code: 'ROOM_RULES_FROZEN', message: '已有服务机构提交方案，竞价规则已固定，不能再修改' });
    const room = await h.json('GET', `/api/v1/requirements/${r.id}/room`, undefined, { token: et });
    expect(room.json.rules).toMatchObject({ extensionRule: 'any_bid', maxExtensionMinutes: 10, frozen: true });
  });

  it('auth: a bidder 403, anonymous 401', async () => {
    const t = await openedTender();
    expect((await h.json('PUT', `/api/v1/requirements/${t.r.id}/room/rules`, rules, { token: t.a })).status).toBe(403);
    await h.expectRefusals('signed-in', { method: 'PUT', path: `/api/v1/requirements/${t.r.id}/room/rules`, body: rules });
  });
});

describe('GET /requirements/{id}/room/log/verify and /room/receipt', () => {
  /** A round with a bid from each bidder, closed. */
  async function closedRound() {
    const t = await openedTender();
    const round = await h.json('POST', `/api/v1/requirements/${t.r.id}/rounds`, { providerIds: t.ids, durationMinutes: 10 }, { token: t.e });
    await h.json('POST', `/api/v1/requirements/${t.r.id}/rounds/current/offers`, { priceFen: 1_900_000, clientId: randomUUID() }, { token: t.a });
    await h.json('POST', `/api/v1/requirements/${t.r.id}/rounds/current/offers`, { priceFen: 2_300_000, clientId: randomUUID() }, { token: t.b });
    clock.set(new Date(round.json.closesAt));
    await h.platform.services.rooms.closeDueRounds();
    return t;
  }

  it('happy: the enterprise and operators verify the whole chain', async () => {
    const t = await closedRound();
    const ops = await h.operator();
    for (const token of [t.e, ops.token]) {
      const v = await h.json('GET', `/api/v1/requirements/${t.r.id}/room/log/verify`, undefined, { token });
      expect(v.status).toBe(200);
      expect(v.json).toMatchObject({ ok: true, legacy: 0, lastHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
      expect(v.json.count).toBeGreaterThan(5);
    }
  });

  it('happy: a bidder’s receipt holds only its own events with their hashes, never a rival’s price or name', async () => {
    const t = await closedRound();
    const a = await h.json('GET', `/api/v1/requirements/${t.r.id}/room/receipt`, undefined, { token: t.a });
    expect(a.status).toBe(200);
    expect(a.json.events.map((e: { type: string }) => e.type)).toEqual(expect.arrayContaining(['round:started', 'offer:accepted', 'round:closed']));
    for (const e of a.json.events) {
      expect(e.audience).toEqual([`provider:${t.ids[0]}`]);
      expect(e.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(e.prevHash).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(a.text).toContain('1900000');
    expect(a.text).not.toContain('2300000');
    expect(a.text).not.toContain(t.ids[1]);
    const b = await h.json('GET', `/api/v1/requirements/${t.r.id}/room/receipt`, undefined, { token: t.b });
    expect(b.text).toContain('2300000');
    expect(b.text).not.toContain('1900000');
    expect(b.text).not.toContain(t.ids[0]);
  });

  it('auth: anonymous 401; a bidder may not verify, the enterprise and operators get no receipt (403); strangers 404', async () => {
    const t = await openedTender();
    for (const path of ['/room/log/verify', '/room/receipt'])
      await h.expectRefusals('signed-in', { method: 'GET', path: `/api/v1/requirements/${t.r.id}${path}` });
    const ops = await h.operator();
    const verifyAsBidder = await h.json('GET', `/api/v1/requirements/${t.r.id}/room/log/verify`, undefined, { token: t.a });
    expect(verifyAsBidder.status).toBe(403);
    expect(verifyAsBidder.json.error.message).toBe('只有发布企业和运营人员可以核验竞价日志');
    for (const token of [t.e, ops.token]) expect((await h.json('GET', `/api/v1/requirements/${t.r.id}/room/receipt`, undefined, { token })).status).toBe(403);
    const stranger = await h.loginAs((await provider(h.platform)).input);
    const other = await h.loginAs((await enterprise(h.platform)).input);
    for (const token of [stranger, other])
      for (const path of ['/room/log/verify', '/room/receipt'])
        expect((await h.json('GET', `/api/v1/requirements/${t.r.id}${path}`, undefined, { token })).status).toBe(404);
  });
});

it('the room routes are in the OpenAPI document', async () => {
  const doc = await h.json('GET', '/api/v1/openapi.json');
  for (const path of ['/room', '/room/events', '/room/log/verify', '/room/receipt', '/rounds', '/rounds/current/offers', '/room/rules'].map(
    (x) => `/api/v1/requirements/{id}${x}`,
  )) {
    expect(Object.keys(doc.json.paths)).toContain(path);
  }
});
