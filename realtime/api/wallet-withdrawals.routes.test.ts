import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { desc, eq } from 'drizzle-orm';
import { memberships, outbox } from '../../db/schema';
import { fund } from '../../core/testing/tenders-factories';
import { createApiHarness, type ApiHarness } from './test-helpers';

/**
 * The wallet's cards, security password, withdrawals and the operators' withdrawal review, through
 * the API: per route the happy path, its errors, and who is refused (no session, another
 * organisation, a member whose role may not touch money, a non-operator).
 */

let h: ApiHarness;
let operatorToken: string;
beforeAll(async () => {
  h = await createApiHarness();
  operatorToken = await h.operatorToken();
});
afterAll(() => h?.close());

type User = Awaited<ReturnType<ApiHarness['user']>>;

const LUHN_CARD = '6222021234567890128';
const PERSONAL = { accountType: 'personal', holderName: '张三', bankCode: 'ICBC', branch: '赣州章贡支行', accountNo: LUHN_CARD };
const SECURITY = '246810';

/** The micro-deposit amount, as the bank's SMS to the card holder's mobile tells it. */
async function microDeposit(u: User) {
  const [row] = await h.platform.db
    .select()
    .from(outbox)
    .where(eq(outbox.recipient, u.input.mobile as string))
    .orderBy(desc(outbox.createdAt))
    .limit(1);
  return Number(row!.body.match(/¥0\.(\d\d)/)![1]);
}

async function addCard(u: User, body: Record<string, unknown> = PERSONAL) {
  const res = await h.json('POST', '/api/v1/wallet/cards', body, { token: u.token });
  expect(res.status, res.text).toBe(201);
  return res.json as { id: string; status: string; attemptsLeft: number };
}

async function verifiedCard(u: User) {
  const card = await addCard(u);
  const res = await h.json('POST', `/api/v1/wallet/cards/${card.id}/verify`, { amountFen: await microDeposit(u) }, { token: u.token });
  expect(res.status, res.text).toBe(200);
  return res.json as { id: string; status: string };
}

async function setSecurityPassword(u: User, securityPassword = SECURITY) {
  const res = await h.json(
    'PUT',
    '/api/v1/wallet/security-password',
    { loginPassword: u.input.password, securityPassword, confirmSecurityPassword: securityPassword },
    { token: u.token },
  );
  expect(res.status, res.text).toBe(200);
}

/** An enterprise with money in its wallet, a verified card and a security password. */
async function readyToWithdraw(availableFen = 100_000) {
  const u = await h.user();
  if (availableFen) await fund(h.platform, u.actor, availableFen);
  const card = await verifiedCard(u);
  await setSecurityPassword(u);
  return { u, card };
}

const balances = async (u: User) => (await h.json('GET', '/api/v1/wallet', undefined, { token: u.token })).json as { availableFen: number; frozenFen: number };

const withdraw = (u: User, body: Record<string, unknown>) => h.json('POST', '/api/v1/wallet/withdrawals', body, { token: u.token });

/** A second user of `owner`'s organisation with the given role, acting for it. */
async function colleague(owner: User, role: 'member' | 'finance') {
  const v = await h.user();
  await h.platform.db.insert(memberships).values({ userId: v.actor.userId, organisationId: owner.actor.organisation!.organisationId, role });
  const token = await h.loginAs(v.input as { username: string; password: string });
  const switched = await h.json('POST', '/api/v1/auth/active-organisation', { organisationId: owner.actor.organisation!.organisationId }, { token });
  expect(switched.status, switched.text).toBe(200);
  return { ...v, token };
}

describe('bank cards: add, verify, list, remove', () => {
  it('happy: a personal card gets a micro-deposit; the right amount verifies it; the list shows it masked', async () => {
    const u = await h.user();
    const card = await addCard(u);
    expect(card).toMatchObject({ status: 'pending', attemptsLeft: 3 });
    const verified = await h.json('POST', `/api/v1/wallet/cards/${card.id}/verify`, { amountFen: await microDeposit(u) }, { token: u.token });
    expect(verified.status).toBe(200);
    expect(verified.json).toMatchObject({ id: card.id, status: 'verified', accountNoMasked: '6222 **** **** 0128' });
    const list = await h.json('GET', '/api/v1/wallet/cards', undefined, { token: u.token });
    expect(list.status).toBe(200);
    expect(list.json).toEqual([expect.objectContaining({ id: card.id, status: 'verified' })]);
    expect(list.text).not.toContain(LUHN_CARD);
  });

  it('errors: a corporate account not in the organisation’s full name → 400 on holderName; the same account twice → 409 CARD_ALREADY_ADDED', async () => {
    const u = await h.user();
    const corporate = await h.json(
      'POST',
      '/api/v1/wallet/cards',
      { ...PERSONAL, accountType: 'corporate', holderName: '别的公司', accountNo: '3100000088886666' },
      { token: u.token },
    );
    expect(corporate.status).toBe(400);
    expect(corporate.json.error.fields.holderName).toContain(u.input.organisationName as string);
    await addCard(u);
    const again = await h.json('POST', '/api/v1/wallet/cards', PERSONAL, { token: u.token });
    expect(again.status).toBe(409);
    expect(again.json.error).toMatchObject({ code: 'CARD_ALREADY_ADDED', fields: { accountNo: '该账号已添加' } });
    expect((await h.json('GET', '/api/v1/wallet/cards', undefined, { token: u.token })).json).toHaveLength(1);
  });

  it('errors: a wrong amount costs a try (CARD_AMOUNT_WRONG); the third fails the card (CARD_VERIFICATION_FAILED) and the right amount no longer helps', async () => {
    const u = await h.user();
    const card = await addCard(u);
    const right = await microDeposit(u);
    const wrong = right === 99 ? 98 : right + 1;
    const verify = (amountFen: number) => h.json('POST', `/api/v1/wallet/cards/${card.id}/verify`, { amountFen }, { token: u.token });
    for (const left of [2, 1]) {
      const res = await verify(wrong);
      expect(res.status).toBe(400);
      expect(res.json.error).toMatchObject({ code: 'CARD_AMOUNT_WRONG', fields: { amountFen: `金额不正确，还可尝试 ${left} 次` } });
    }
    const third = await verify(wrong);
    expect(third.status).toBe(400);
    expect(third.json.error.code).toBe('CARD_VERIFICATION_FAILED');
    const late = await verify(right);
    expect(late.json.error.code).toBe('CARD_VERIFICATION_FAILED');
    expect((await h.json('GET', '/api/v1/wallet/cards', undefined, { token: u.token })).json).toEqual([
      expect.objectContaining({ status: 'failed', attemptsLeft: 0 }),
    ]);
  });

  it('errors: an amount outside ¥0.01–¥0.99 → 400 on amountFen, and no try is spent', async () => {
    const u = await h.user();
    const card = await addCard(u);
    const res = await h.json('POST', `/api/v1/wallet/cards/${card.id}/verify`, { amountFen: 100 }, { token: u.token });
    expect(res.status).toBe(400);
    expect(res.json.error).toMatchObject({ code: 'VALIDATION', fields: { amountFen: expect.any(String) } });
    expect((await h.json('GET', '/api/v1/wallet/cards', undefined, { token: u.token })).json).toEqual([expect.objectContaining({ attemptsLeft: 3 })]);
  });

  it('auth: without a session 401; another organisation can neither see, verify nor remove the card (404); a member without the money role is 403', async () => {
    const u = await h.user();
    const card = await addCard(u);
    await h.expectRefusals('signed-in', { method: 'GET', path: '/api/v1/wallet/cards' });
    await h.expectRefusals('signed-in', { method: 'POST', path: '/api/v1/wallet/cards', body: PERSONAL });
    await h.expectRefusals('signed-in', { method: 'POST', path: `/api/v1/wallet/cards/${card.id}/verify`, body: { amountFen: 1 } });
    await h.expectRefusals('signed-in', { method: 'DELETE', path: `/api/v1/wallet/cards/${card.id}` });

    const stranger = await h.user();
    expect((await h.json('GET', '/api/v1/wallet/cards', undefined, { token: stranger.token })).json).toEqual([]);
    const verify = await h.json('POST', `/api/v1/wallet/cards/${card.id}/verify`, { amountFen: await microDeposit(u) }, { token: stranger.token });
    expect(verify.status).toBe(404);
    expect(verify.json.error.code).toBe('NOT_FOUND');
    const remove = await h.json('DELETE', `/api/v1/wallet/cards/${card.id}`, undefined, { token: stranger.token });
    expect(remove.status).toBe(404);

    const member = await colleague(u, 'member');
    for (const [method, path, body] of [
      ['GET', '/api/v1/wallet/cards', undefined],
      ['POST', '/api/v1/wallet/cards', { ...PERSONAL, accountNo: '6222021234567890011' }],
      ['DELETE', `/api/v1/wallet/cards/${card.id}`, undefined],
    ] as const) {
      const res = await h.json(method, path, body, { token: member.token });
      expect(res.status, `${method} ${path} as a member`).toBe(403);
      expect(res.json.error.code).toBe('FORBIDDEN');
    }
    expect((await h.json('GET', '/api/v1/wallet/cards', undefined, { token: u.token })).json).toEqual([
      expect.objectContaining({ id: card.id, status: 'pending' }),
    ]);
  });

  it('remove: the owner removes the card (204); it is gone from the list and cannot be verified any more', async () => {
    const u = await h.user();
    const card = await addCard(u);
    const removed = await h.json('DELETE', `/api/v1/wallet/cards/${card.id}`, undefined, { token: u.token });
    expect(removed.status).toBe(204);
    expect((await h.json('GET', '/api/v1/wallet/cards', undefined, { token: u.token })).json).toEqual([]);
    const verify = await h.json('POST', `/api/v1/wallet/cards/${card.id}/verify`, { amountFen: await microDeposit(u) }, { token: u.token });
    expect(verify.status).toBe(404);
    expect((await h.json('DELETE', '/api/v1/wallet/cards/not-a-uuid', undefined, { token: u.token })).status).toBe(404);
  });
});

describe('security password: set, change, wrong tries, lock', () => {
  it('happy: set with the login password, then changed; only the new one withdraws', async () => {
    const { u, card } = await readyToWithdraw();
    await setSecurityPassword(u, '135790');
    const old = await withdraw(u, { amountFen: 1_000, cardId: card.id, securityPassword: SECURITY });
    expect(old.status).toBe(401);
    expect(old.json.error.code).toBe('SECURITY_PASSWORD_WRONG');
    const fresh = await withdraw(u, { amountFen: 1_000, cardId: card.id, securityPassword: '135790' });
    expect(fresh.status).toBe(201);
  });

  it('errors: a wrong login password → 401 on loginPassword; not 6 digits or not confirmed → 400 by field; nothing is set', async () => {
    const u = await h.user();
    const put = (body: Record<string, unknown>) => h.json('PUT', '/api/v1/wallet/security-password', body, { token: u.token });
    const wrongLogin = await put({ loginPassword: 'Wrong-pass-1', securityPassword: SECURITY, confirmSecurityPassword: SECURITY });
    expect(wrongLogin.status).toBe(401);
    expect(wrongLogin.json.error).toMatchObject({ code: 'INVALID_CREDENTIALS', fields: { loginPassword: '登录密码不正确' } });
    const short = await put({ loginPassword: u.input.password, securityPassword: '12345', confirmSecurityPassword: '12345' });
    expect(short.status).toBe(400);
    expect(short.json.error.fields.securityPassword).toBe('安全密码为 6 位数字');
    const unconfirmed = await put({ loginPassword: u.input.password, securityPassword: SECURITY, confirmSecurityPassword: '135790' });
    expect(unconfirmed.status).toBe(400);
    expect(unconfirmed.json.error.fields.confirmSecurityPassword).toBe('两次输入的安全密码不一致');
    expect(await h.platform.services.withdrawals.hasSecurityPassword(u.actor)).toBe(false);
  });

  it('wrong tries: four answer SECURITY_PASSWORD_WRONG with the tries left, the fifth locks withdrawals (429, retry-after) even for the right one', async () => {
    const { u, card } = await readyToWithdraw();
    const attempt = (securityPassword: string) => withdraw(u, { amountFen: 1_000, cardId: card.id, securityPassword });
    for (const left of [4, 3, 2, 1]) {
      const res = await attempt('000000');
      expect(res.status).toBe(401);
      expect(res.json.error).toMatchObject({ code: 'SECURITY_PASSWORD_WRONG', fields: { securityPassword: `安全密码错误，还可尝试 ${left} 次` } });
    }
    const fifth = await attempt('000000');
    expect(fifth.status).toBe(429);
    expect(fifth.json.error.code).toBe('SECURITY_PASSWORD_LOCKED');
    expect(Number(fifth.headers.get('retry-after'))).toBe(30 * 60);
    const right = await attempt(SECURITY);
    expect(right.status).toBe(429);
    expect(right.json.error.code).toBe('SECURITY_PASSWORD_LOCKED');
    expect(await balances(u)).toMatchObject({ availableFen: 100_000, frozenFen: 0 });
  });

  it('auth: setting it needs a session (401)', async () => {
    await h.expectRefusals('signed-in', {
      method: 'PUT',
      path: '/api/v1/wallet/security-password',
      body: { loginPassword: 'x', securityPassword: SECURITY, confirmSecurityPassword: SECURITY },
    });
  });
});

describe('withdrawals: request and list', () => {
  it('happy: the amount is frozen at once and the request is listed as pending', async () => {
    const { u, card } = await readyToWithdraw(50_000);
    const res = await withdraw(u, { amountFen: 20_000, cardId: card.id, securityPassword: SECURITY, requestId: 'req-happy-0001' });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ status: 'pending', amountFen: 20_000, cardId: card.id, rejectReason: null, payoutRef: null });
    expect(await balances(u)).toMatchObject({ availableFen: 30_000, frozenFen: 20_000 });
    // A resent request is the same withdrawal and freezes nothing more.
    const resent = await withdraw(u, { amountFen: 20_000, cardId: card.id, securityPassword: SECURITY, requestId: 'req-happy-0001' });
    expect(resent.json.withdrawalNo).toBe(res.json.withdrawalNo);
    const list = await h.json('GET', '/api/v1/wallet/withdrawals', undefined, { token: u.token });
    expect(list.status).toBe(200);
    expect(list.json).toMatchObject({ total: 1, page: 1, items: [{ withdrawalNo: res.json.withdrawalNo, status: 'pending' }] });
  });

  it('errors: more than available → 409 INSUFFICIENT_FUNDS and nothing frozen; below ¥1 → 400 on amountFen', async () => {
    const { u, card } = await readyToWithdraw(5_000);
    const tooMuch = await withdraw(u, { amountFen: 5_001, cardId: card.id, securityPassword: SECURITY });
    expect(tooMuch.status).toBe(409);
    expect(tooMuch.json.error.code).toBe('INSUFFICIENT_FUNDS');
    const tiny = await withdraw(u, { amountFen: 99, cardId: card.id, securityPassword: SECURITY });
    expect(tiny.status).toBe(400);
    expect(tiny.json.error.fields.amountFen).toBe('单笔提现不少于 ¥1.00');
    expect(await balances(u)).toMatchObject({ availableFen: 5_000, frozenFen: 0 });
    expect((await h.json('GET', '/api/v1/wallet/withdrawals', undefined, { token: u.token })).json.total).toBe(0);
  });

  it('errors: no security password yet → 403 SECURITY_PASSWORD_NOT_SET; a card not verified → 400 CARD_NOT_VERIFIED; another organisation’s card → 404', async () => {
    const u = await h.user();
    await fund(h.platform, u.actor, 10_000);
    const card = await verifiedCard(u);
    const none = await withdraw(u, { amountFen: 1_000, cardId: card.id, securityPassword: SECURITY });
    expect(none.status).toBe(403);
    expect(none.json.error).toMatchObject({ code: 'SECURITY_PASSWORD_NOT_SET', fields: { securityPassword: '请先设置安全密码' } });
    await setSecurityPassword(u);
    const pending = await addCard(u, { ...PERSONAL, accountNo: '6222021234567890011' });
    const unverified = await withdraw(u, { amountFen: 1_000, cardId: pending.id, securityPassword: SECURITY });
    expect(unverified.status).toBe(400);
    expect(unverified.json.error).toMatchObject({ code: 'CARD_NOT_VERIFIED', fields: { cardId: '该银行卡尚未通过认证' } });
    const other = await readyToWithdraw(0);
    const foreign = await withdraw(u, { amountFen: 1_000, cardId: other.card.id, securityPassword: SECURITY });
    expect(foreign.status).toBe(404);
    expect(await balances(u)).toMatchObject({ availableFen: 10_000, frozenFen: 0 });
  });

  it('auth: without a session 401; the list shows only the own organisation’s; a member without the money role is 403', async () => {
    await h.expectRefusals('signed-in', {
      method: 'POST',
      path: '/api/v1/wallet/withdrawals',
      body: { amountFen: 1_000, cardId: '00000000-0000-4000-8000-000000000000', securityPassword: SECURITY },
    });
    await h.expectRefusals('signed-in', { method: 'GET', path: '/api/v1/wallet/withdrawals' });
    const { u, card } = await readyToWithdraw();
    expect((await withdraw(u, { amountFen: 1_000, cardId: card.id, securityPassword: SECURITY })).status).toBe(201);
    const stranger = await h.user();
    expect((await h.json('GET', '/api/v1/wallet/withdrawals', undefined, { token: stranger.token })).json).toMatchObject({ total: 0, items: [] });
    const member = await colleague(u, 'member');
    const listed = await h.json('GET', '/api/v1/wallet/withdrawals', undefined, { token: member.token });
    expect(listed.status).toBe(403);
    const requested = await withdraw(member, { amountFen: 1_000, cardId: card.id, securityPassword: SECURITY });
    expect(requested.status).toBe(403);
    expect(requested.json.error.code).toBe('FORBIDDEN');
    // Finance staff may withdraw for the organisation (with their own security password).
    const finance = await colleague(u, 'finance');
    await setSecurityPassword(finance);
    expect((await withdraw(finance, { amountFen: 1_000, cardId: card.id, securityPassword: SECURITY })).status).toBe(201);
    expect(await balances(u)).toMatchObject({ availableFen: 98_000, frozenFen: 2_000 });
  });
});

describe('operators’ withdrawal review', () => {
  const review = (withdrawalNo: string, body: Record<string, unknown>, token = operatorToken) =>
    h.json('POST', `/api/v1/admin/withdrawals/${withdrawalNo}/review`, body, { token });

  it('happy: the queue shows the request with its organisation and masked card; approval pays it out and tells the requester', async () => {
    const { u, card } = await readyToWithdraw(40_000);
    const w = (await withdraw(u, { amountFen: 15_000, cardId: card.id, securityPassword: SECURITY })).json;
    const queue = await h.json('GET', '/api/v1/admin/withdrawals', undefined, { token: operatorToken });
    expect(queue.status).toBe(200);
    const mine = (queue.json as { withdrawalNo: string }[]).find((x) => x.withdrawalNo === w.withdrawalNo);
    expect(mine).toMatchObject({
      organisationName: u.input.organisationName,
      card: { id: card.id, accountNoMasked: '6222 **** **** 0128' },
      amountFen: 15_000,
    });
    expect(queue.text).not.toContain(LUHN_CARD);

    const approved = await review(w.withdrawalNo, { decision: 'approve' });
    expect(approved.status).toBe(200);
    expect(approved.json).toMatchObject({ withdrawalNo: w.withdrawalNo, status: 'paid', payoutRef: expect.any(String), reviewedAt: expect.any(String) });
    expect(await balances(u)).toMatchObject({ availableFen: 25_000, frozenFen: 0 });
    const inbox = await h.json('GET', '/api/v1/messages', undefined, { token: u.token });
    expect(inbox.json.items[0]).toMatchObject({ title: '提现已打款', category: 'wallet' });
    const after = await h.json('GET', '/api/v1/admin/withdrawals', undefined, { token: operatorToken });
    expect((after.json as { withdrawalNo: string }[]).map((x) => x.withdrawalNo)).not.toContain(w.withdrawalNo);
  });

  it('happy: a rejection with its reason returns the money to available and tells the requester why', async () => {
    const { u, card } = await readyToWithdraw(40_000);
    const w = (await withdraw(u, { amountFen: 15_000, cardId: card.id, securityPassword: SECURITY })).json;
    const rejected = await review(w.withdrawalNo, { decision: 'reject', reason: '收款账户与单位名称不符' });
    expect(rejected.status).toBe(200);
    expect(rejected.json).toMatchObject({ status: 'rejected', rejectReason: '收款账户与单位名称不符' });
    expect(await balances(u)).toMatchObject({ availableFen: 40_000, frozenFen: 0 });
    const inbox = await h.json('GET', '/api/v1/messages', undefined, { token: u.token });
    expect(inbox.json.items[0]).toMatchObject({ title: '提现未通过', body: expect.stringContaining('收款账户与单位名称不符') });
  });

  it('errors: a rejection without a reason → 400 on reason; deciding twice → 409 WITHDRAWAL_NOT_PENDING; an unknown number → 404', async () => {
    const { u, card } = await readyToWithdraw(40_000);
    const w = (await withdraw(u, { amountFen: 15_000, cardId: card.id, securityPassword: SECURITY })).json;
    const noReason = await review(w.withdrawalNo, { decision: 'reject', reason: ' ' });
    expect(noReason.status).toBe(400);
    expect(noReason.json.error.fields.reason).toBe('请填写驳回原因');
    expect((await review(w.withdrawalNo, { decision: 'approve' })).status).toBe(200);
    const twice = await review(w.withdrawalNo, { decision: 'reject', reason: '重复处理' });
    expect(twice.status).toBe(409);
    expect(twice.json.error.code).toBe('WITHDRAWAL_NOT_PENDING');
    expect(await balances(u)).toMatchObject({ availableFen: 25_000, frozenFen: 0 });
    const unknown = await review('W202601010000000000', { decision: 'approve' });
    expect(unknown.status).toBe(404);
  });

  it('auth: 401 without a session, 403 for every non-operator (the requester, its owner, another organisation); the money stays frozen', async () => {
    const { u, card } = await readyToWithdraw(40_000);
    const w = (await withdraw(u, { amountFen: 15_000, cardId: card.id, securityPassword: SECURITY })).json;
    await h.expectRefusals('operator', { method: 'GET', path: '/api/v1/admin/withdrawals' });
    await h.expectRefusals('operator', { method: 'POST', path: `/api/v1/admin/withdrawals/${w.withdrawalNo}/review`, body: { decision: 'approve' } });
    for (const token of [u.token, (await h.user()).token]) {
      const res = await review(w.withdrawalNo, { decision: 'approve' }, token);
      expect(res.status).toBe(403);
      expect(res.json.error.code).toBe('FORBIDDEN');
      expect((await h.json('GET', '/api/v1/admin/withdrawals', undefined, { token })).status).toBe(403);
    }
    expect(await balances(u)).toMatchObject({ availableFen: 25_000, frozenFen: 15_000 });
  });
});
