import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memberships, organisations } from '../../db/schema';
import { createTestPlatform } from '../testing/test-platform';
import { registerUser } from '../testing/factories';
import type { Platform } from '../platform/platform';
import type { Actor } from '../shared/actor';

let p: Platform;
let operator: Actor;
let platformOrgId: string;
const marker = `测${Date.now().toString(36)}`;
let active: Awaited<ReturnType<typeof registerUser>>;
let disabled: Awaited<ReturnType<typeof registerUser>>;
let enterprise: Awaited<ReturnType<typeof registerUser>>;
let percent: Awaited<ReturnType<typeof registerUser>>;

beforeAll(async () => {
  p = await createTestPlatform();
  const op = await registerUser(p);
  const [org] = await p.db
    .insert(organisations)
    .values({ kind: 'platform', fullName: `${marker}平台运营中心` })
    .returning();
  platformOrgId = org!.id;
  await p.db.insert(memberships).values({ userId: op.actor.userId, organisationId: platformOrgId, role: 'admin' });
  operator = (await p.services.accounts.validateSessionToken(op.token))!.actor;
  expect(operator.isOperator).toBe(true);

  active = await registerUser(p, { accountType: 'provider', organisationName: `${marker}律师事务所` });
  disabled = await registerUser(p, { accountType: 'provider', organisationName: `${marker}会计师事务所` });
  enterprise = await registerUser(p, { accountType: 'enterprise', organisationName: `${marker}制造有限公司` });
  percent = await registerUser(p, { accountType: 'provider', organisationName: `满意度100%_${marker}咨询` });
  await p.services.organisations.adminSetOrganisationStatus(operator, disabled.actor.organisation!.organisationId, { status: 'disabled', reason: '测试' });
});
afterAll(() => p?.close());

const names = (r: { items: { fullName: string }[] }) => r.items.map((o) => o.fullName);

describe('listProviders (the showcase hall)', () => {
  it('shows active providers only: not enterprises, not disabled providers, not the platform', async () => {
    const found = await p.services.organisations.listProviders({ q: marker, pageSize: 50 });
    expect(names(found).sort()).toEqual([active.input.organisationName, percent.input.organisationName].sort());
    expect(found.total).toBe(2);
    const everything = await p.services.organisations.listProviders({ pageSize: 50 });
    expect(names(everything)).not.toContain(disabled.input.organisationName);
    expect(names(everything)).not.toContain(enterprise.input.organisationName);
    expect(names(everything)).not.toContain(`${marker}平台运营中心`);
  });

  it('a provider re-enabled by the operator is back in the hall', async () => {
    const id = disabled.actor.organisation!.organisationId;
    await p.services.organisations.adminSetOrganisationStatus(operator, id, { status: 'active' });
    try {
      expect(names(await p.services.organisations.listProviders({ q: marker }))).toContain(disabled.input.organisationName);
    } finally {
      await p.services.organisations.adminSetOrganisationStatus(operator, id, { status: 'disabled' });
    }
  });

  it('pages newest first and refuses silly page sizes by field (the shared paging rule)', async () => {
    const page1 = await p.services.organisations.listProviders({ q: marker, pageSize: 1, page: 1 });
    const page2 = await p.services.organisations.listProviders({ q: marker, pageSize: 1, page: 2 });
    expect(names(page1)).toEqual([percent.input.organisationName]);
    expect(names(page2)).toEqual([active.input.organisationName]);
    expect(page1.total).toBe(2);
    await expect(p.services.organisations.listProviders({ pageSize: 10_000 })).rejects.toMatchObject({
      code: 'VALIDATION',
      fields: { pageSize: '每页最多 50 条' },
    });
    await expect(p.services.organisations.listProviders({ page: -3 })).rejects.toMatchObject({ code: 'VALIDATION', fields: { page: '页码无效' } });
    expect((await p.services.organisations.listProviders({})).pageSize).toBe(12);
  });
});

describe('search escaping', () => {
  it("'%' and '_' match themselves, not everything", async () => {
    const all = await p.services.organisations.listProviders({ pageSize: 50 });
    expect(all.total).toBeGreaterThan(1);
    for (const q of ['%', '_', '100%_']) {
      const r = await p.services.organisations.listProviders({ q });
      expect(names(r), q).toEqual([percent.input.organisationName]);
    }
    expect((await p.services.organisations.listProviders({ q: '%%' })).total).toBe(0);
    expect((await p.services.organisations.listProviders({ q: '\\' })).total).toBe(0);
    const admin = await p.services.organisations.adminListOrganisations(operator, { q: '%' });
    expect(names(admin)).toEqual([percent.input.organisationName]);
    expect((await p.services.organisations.adminListUsers(operator, { q: '%' })).total).toBe(0);
  });
});

describe('getPublicProfile', () => {
  it('shows an active organisation without members or registration details', async () => {
    const profile = await p.services.organisations.getPublicProfile(active.actor.organisation!.organisationId);
    expect(profile).toMatchObject({ kind: 'provider', fullName: active.input.organisationName });
    expect(Object.keys(profile).sort()).toEqual(['createdAt', 'fullName', 'id', 'intro', 'kind']);
  });

  it('the platform organisation, a disabled one, an unknown id and a malformed id are all NOT_FOUND', async () => {
    for (const id of [platformOrgId, disabled.actor.organisation!.organisationId, '00000000-0000-4000-8000-000000000000', "1' or '1'='1"]) {
      await expect(p.services.organisations.getPublicProfile(id), id).rejects.toMatchObject({ code: 'NOT_FOUND' });
    }
  });
});

describe('operator-only lists', () => {
  it('refuse a signed-in non-operator and an anonymous caller', async () => {
    for (const actor of [active.actor, null]) {
      await expect(p.services.organisations.adminListOrganisations(actor, {})).rejects.toMatchObject({ code: actor ? 'FORBIDDEN' : 'UNAUTHENTICATED' });
      await expect(p.services.organisations.adminListUsers(actor, {})).rejects.toMatchObject({ code: actor ? 'FORBIDDEN' : 'UNAUTHENTICATED' });
    }
  });

  it('the platform organisation itself cannot be disabled', async () => {
    await expect(p.services.organisations.adminSetOrganisationStatus(operator, platformOrgId, { status: 'disabled' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    const platformOrgs = await p.services.organisations.adminListOrganisations(operator, { kind: 'platform' });
    expect(platformOrgs.items.find((o) => o.id === platformOrgId)).toMatchObject({ status: 'active' });
  });
});
