import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { auditLog, legalDocuments, users } from '../../db/schema';
import { createTestPlatform, latestCode } from '../testing/test-platform';
import { buildRegistration, nextIp, registerUser } from '../testing/factories';
import { operator } from '../testing/tenders-factories';
import type { Platform } from '../platform/platform';
import type { Actor } from '../shared/actor';
import { LEGAL_TEMPLATES } from './legal.machine';

let p: Platform;
let ops: Actor;
beforeAll(async () => {
  p = await createTestPlatform();
  ops = await operator(p);
});
afterAll(() => p?.close());

const TERMS_V = '帮扶平台用户协议（测试版）：第一条，账号由注册人负责保管。第二条，交易遵守平台规则。';
const countRows = async () => (await p.db.select({ id: legalDocuments.id }).from(legalDocuments)).length;

describe('legal documents', () => {
  it('reads the template as version 1 before anything is published, with a template flag', async () => {
    const privacy = await p.services.legal.read('privacy');
    if (privacy.template) {
      expect(privacy).toMatchObject({ version: 1, title: '隐私政策', body: LEGAL_TEMPLATES.privacy });
    }
    await expect(p.services.legal.read('privacy', { version: '1' })).resolves.toMatchObject({ version: 1 });
  });

  it('publishes new versions (the template stored as version 1 first); old versions stay readable; audited', async () => {
    const before = (await p.services.legal.currentVersions()).terms;
    const v = await p.services.legal.publish(ops, { kind: 'terms', title: '用户协议', body: TERMS_V });
    expect(v).toMatchObject({ kind: 'terms', version: before + 1, template: false, body: TERMS_V });
    const again = await p.services.legal.publish(ops, { kind: 'terms', title: '用户协议', body: TERMS_V + '第三条，新增。' });
    expect(again.version).toBe(before + 2);
    expect((await p.services.legal.read('terms')).version).toBe(before + 2);
    expect((await p.services.legal.read('terms', { version: String(before + 1) })).body).toBe(TERMS_V);
    if (before === 1) expect((await p.services.legal.read('terms', { version: '1' })).body).toBe(LEGAL_TEMPLATES.terms);
    const list = await p.services.legal.versions('terms');
    expect(list.map((x) => x.version).slice(0, 3)).toEqual([before + 2, before + 1, before]);
    const rows = await p.db.select().from(auditLog).where(eq(auditLog.action, 'legal.publish'));
    expect(rows.some((r) => (r.after as { version?: number })?.version === before + 2 && r.actorUserId === ops.userId)).toBe(true);
  });

  it('refuses unknown versions and kinds with Chinese messages', async () => {
    await expect(p.services.legal.read('terms', { version: '9999' })).rejects.toMatchObject({
      code: 'LEGAL_VERSION_NOT_FOUND',
      message: '用户协议没有第 9999 版',
    });
    await expect(p.services.legal.read('terms', { version: 'x' })).rejects.toMatchObject({ code: 'VALIDATION', fields: { version: '版本号应为正整数' } });
    await expect(p.services.legal.read('cookies')).rejects.toMatchObject({ code: 'VALIDATION' });
  });

  it('lets only operators publish, and refuses bad input, changing nothing', async () => {
    const rows = await countRows();
    const member = await registerUser(p);
    await expect(p.services.legal.publish(member.actor, { kind: 'terms', title: '用户协议', body: TERMS_V })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(p.services.legal.publish(null, { kind: 'terms', title: '用户协议', body: TERMS_V })).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await expect(p.services.legal.publish(ops, { kind: 'terms', title: '', body: '短' })).rejects.toMatchObject({
      code: 'VALIDATION',
      fields: { title: '请填写标题', body: '正文至少 20 个字' },
    });
    expect(await countRows()).toBe(rows);
  });
});

describe('consent at registration', () => {
  it('refuses a registration without the consent box, by field, and writes no user', async () => {
    const input = buildRegistration({ agreeTerms: undefined });
    await p.services.accounts.sendRegisterCode({ mobile: input.mobile }, { ip: nextIp() });
    const code = await latestCode(p, input.mobile);
    for (const agreeTerms of [undefined, false, 'off', '']) {
      await expect(p.services.accounts.register({ ...input, code, agreeTerms }, { ip: nextIp() })).rejects.toMatchObject({
        code: 'VALIDATION',
        fields: { agreeTerms: '请阅读并同意用户协议和隐私政策' },
      });
    }
    expect(await p.db.select().from(users).where(eq(users.mobile, input.mobile))).toHaveLength(0);
  });

  it('records the versions current at registration and when', async () => {
    await p.services.legal.publish(ops, { kind: 'privacy', title: '隐私政策', body: '隐私政策（测试版）：我们只为完成交易使用您的信息，并妥善保护。' });
    const current = await p.services.legal.currentVersions();
    const { session } = await registerUser(p, { agreeTerms: 'on' });
    expect(session.user).toMatchObject({ termsVersion: current.terms, privacyVersion: current.privacy, agreedAt: expect.any(Date) });
    const [row] = await p.db.select().from(users).where(eq(users.id, session.user.id));
    expect(row).toMatchObject({ termsVersion: current.terms, privacyVersion: current.privacy });
  });
});
