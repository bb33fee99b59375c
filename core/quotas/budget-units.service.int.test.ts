import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { and, count, eq, inArray, like } from 'drizzle-orm';
import { accountActivations, auditLog, budgetUnits, budgetUnitTree, memberships, organisations, outbox, users } from '../../db/schema';
import { createTestPlatform } from '../testing/test-platform';
import { buildMobile, buildUscc, registerUser } from '../testing/factories';
import type { Platform } from '../platform/platform';
import type { Actor, MemberRole } from '../shared/actor';
import type { StagedRow } from '../imports/imports.kinds';
import type { BudgetUnitRow } from './budget-units.schema';

let p: Platform;
let operator: Actor;
/** Two preset departments: 重庆市财政局 (cq) with 綦江 (qj) under it, and an unrelated 酉阳 (yy). */
let cq: Actor;
let qj: Actor;
let yy: Actor;

const svc = () => p.services.budgetUnits;
const kind = () => p.services.budgetUnits.budgetUnitImportKind;
const err = async (f: Promise<unknown>) => {
  try {
    await f;
  } catch (e) {
    return e as { code: string; message: string; fields?: Record<string, string> };
  }
  throw new Error('expected a refusal');
};

/** Acts for `organisationId` with `role` (the membership exists or is made). */
async function actorFor(userId: string, organisationId: string, role: MemberRole = 'owner'): Promise<Actor> {
  await p.db.insert(memberships).values({ userId, organisationId, role }).onConflictDoNothing();
  const a = await p.services.accounts.actorForUser(userId);
  return { ...a, organisation: a.memberships.find((m) => m.organisationId === organisationId) };
}

async function preset(fullName: string, role: 'central_dept' | 'finance_dept', superiorId?: string): Promise<Actor> {
  const u = await svc().createPreset(operator, {
    fullName,
    uscc: buildUscc(),
    role,
    budgetLevel: '省',
    contactName: '经办人',
    mobile: buildMobile(),
    superiorId,
  });
  const [row] = await p.db.select().from(budgetUnits).where(eq(budgetUnits.organisationId, u.id));
  return actorFor(row!.accountUserId!, u.id);
}

const row = (over: Partial<BudgetUnitRow> = {}): BudgetUnitRow => ({
  fullName: `测试预算单位${randomUUID().slice(0, 8)}`,
  uscc: buildUscc(),
  contactName: '王主任',
  mobile: buildMobile(),
  budgetLevel: '县',
  annualFen: 100_000_00,
  ratioBp: 1_000,
  ...over,
});
const staged = (rows: BudgetUnitRow[]): StagedRow<BudgetUnitRow>[] => rows.map((value, i) => ({ row: i + 2, value }));
const scopeOf = (a: Actor) => ({ organisationId: a.organisation!.organisationId, actorUserId: a.userId, batchId: randomUUID() });

/** Check then write as the engine does: checks, writeOrder, chunks of 1,000 in transactions. */
async function importRows(a: Actor, rows: BudgetUnitRow[]) {
  const s = staged(rows);
  const checks = await kind().check(p.db, scopeOf(a), s);
  const valid = s.filter((_, i) => checks[i]!.status !== 'error');
  const ordered = kind().writeOrder!(valid);
  const writes = [];
  for (let i = 0; i < ordered.length; i += 1000) writes.push(...(await p.db.transaction((tx) => kind().write(tx, scopeOf(a), ordered.slice(i, i + 1000)))));
  return { checks, writes, ordered };
}

const idOf = async (uscc: string) => (await p.services.organisations.findByUscc('budget_unit', uscc))!.id;

/** The closure rows of the whole table compared with walking every unit's superiors. */
async function expectClosureConsistent() {
  const units = await p.db.select({ id: budgetUnits.organisationId, superiorId: budgetUnits.superiorId }).from(budgetUnits);
  const parent = new Map(units.map((u) => [u.id, u.superiorId]));
  const expected = new Set<string>();
  for (const u of units) {
    let depth = 0;
    for (let n: string | null | undefined = u.id; n; n = parent.get(n), depth++) expected.add(`${n}>${u.id}@${depth}`);
  }
  const actual = new Set((await p.db.select().from(budgetUnitTree)).map((t) => `${t.ancestorId}>${t.descendantId}@${t.depth}`));
  expect([...actual].sort()).toEqual([...expected].sort());
}

beforeAll(async () => {
  p = await createTestPlatform();
  const op = await registerUser(p);
  operator = { ...op.actor, isOperator: true };
  cq = await preset('重庆市财政局（测试）', 'finance_dept');
  qj = await preset('綦江区财政局（测试）', 'finance_dept', cq.organisation!.organisationId);
  yy = await preset('酉阳县财政局（测试）', 'finance_dept');
});
afterAll(() => p?.close());

describe('budget-unit import', () => {
  it('writes new units with forward references (a row naming a superior further down), superiors first, with the closure rows', async () => {
    const child = row({ superiorName: '测试教育委员会' });
    const parent = row({ fullName: '测试教育委员会' });
    const grandchild = row({ superiorName: child.fullName });
    const { checks, writes, ordered } = await importRows(qj, [grandchild, child, parent]);
    expect(checks.map((c) => c.status)).toEqual(['new', 'new', 'new']);
    expect(ordered.map((r) => r.value.fullName)).toEqual([parent.fullName, child.fullName, grandchild.fullName]);
    expect(writes.every((w) => 'targetId' in w)).toBe(true);
    const qjId = qj.organisation!.organisationId;
    const gId = await idOf(grandchild.uscc);
    expect(
      await p.db
        .select({ depth: budgetUnitTree.depth })
        .from(budgetUnitTree)
        .where(and(eq(budgetUnitTree.ancestorId, qjId), eq(budgetUnitTree.descendantId, gId))),
    ).toEqual([{ depth: 3 }]);
    // The province above 綦江 sees it too, four levels down.
    const cqId = cq.organisation!.organisationId;
    expect(
      await p.db
        .select({ depth: budgetUnitTree.depth })
        .from(budgetUnitTree)
        .where(and(eq(budgetUnitTree.ancestorId, cqId), eq(budgetUnitTree.descendantId, gId))),
    ).toEqual([{ depth: 4 }]);
    // New units: one audit row for the chunk, naming its rows.
    const [audit] = await p.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'quotas.unit_import'), eq(auditLog.targetId, qjId)));
    expect(audit!.data).toMatchObject({ created: 3 });
    await expectClosureConsistent();
  });

  it('the same code again updates (never duplicates); a new superior moves the unit with its subtree', async () => {
    const a = row();
    const b = row();
    const under = row({ superiorName: a.fullName });
    await importRows(qj, [a, b, under]);
    const [before] = await p.db.select({ n: count() }).from(budgetUnits);
    const moved = { ...a, superiorName: b.fullName, contactName: '李科长', ratioBp: 2_500 };
    const { checks, writes } = await importRows(qj, [moved]);
    expect(checks[0]!.status).toBe('update');
    expect('targetId' in writes[0]!).toBe(true);
    const [after] = await p.db.select({ n: count() }).from(budgetUnits);
    expect(after!.n).toBe(before!.n);
    const aId = await idOf(a.uscc);
    const [unit] = await p.db.select().from(budgetUnits).where(eq(budgetUnits.organisationId, aId));
    expect(unit).toMatchObject({ superiorId: await idOf(b.uscc), contactName: '李科长', ratioBp: 2_500 });
    // The unit below `a` now sits under b, two levels down.
    const [d] = await p.db
      .select({ depth: budgetUnitTree.depth })
      .from(budgetUnitTree)
      .where(and(eq(budgetUnitTree.ancestorId, await idOf(b.uscc)), eq(budgetUnitTree.descendantId, await idOf(under.uscc))));
    expect(d!.depth).toBe(2);
    await expectClosureConsistent();
  });

  it('refuses a cycle through units already there, a code outside the subtree, and the uploader’s own code', async () => {
    const a = row();
    const b = row({ superiorName: a.fullName });
    await importRows(qj, [a, b]);
    const { checks } = await importRows(qj, [{ ...a, superiorName: b.fullName }]);
    expect(checks[0]).toMatchObject({
      status: 'error',
      errors: [expect.objectContaining({ column: 'superiorName', message: expect.stringContaining('循环') })],
    });
    // 酉阳 may not take over 綦江's unit.
    const outside = await importRows(yy, [{ ...b, superiorName: undefined }]);
    expect(outside.checks[0]).toMatchObject({ status: 'error', errors: [expect.objectContaining({ column: 'uscc' })] });
    const own = await importRows(qj, [row({ uscc: qj.organisation!.uscc! })]);
    expect(own.checks[0]!.status).toBe('error');
    await expectClosureConsistent();
  });

  it('refuses the code of an organisation outside every tree (no takeover by import)', async () => {
    const orphan = row();
    await p.db.insert(organisations).values({ kind: 'budget_unit', fullName: orphan.fullName, uscc: orphan.uscc });
    const { checks, writes } = await importRows(qj, [{ ...orphan, fullName: `${orphan.fullName}改名` }]);
    expect(checks[0]).toMatchObject({ status: 'error', errors: [expect.objectContaining({ column: 'uscc' })] });
    expect(writes).toEqual([]);
    const [still] = await p.db.select().from(organisations).where(eq(organisations.uscc, orphan.uscc));
    expect(still!.fullName).toBe(orphan.fullName);
  });

  it('refuses at write time what became invalid after the preview (the code was taken by another tree)', async () => {
    const r = row();
    const s = staged([r]);
    expect((await kind().check(p.db, scopeOf(yy), s))[0]!.status).toBe('new');
    await importRows(qj, [r]);
    const [w] = await p.db.transaction((tx) => kind().write(tx, scopeOf(yy), s));
    expect(w).toMatchObject({ errors: [expect.objectContaining({ column: 'uscc' })] });
  });

  it('the engine’s authorize: a manager acting for a budget unit, nobody else', async () => {
    await expect(kind().authorize(qj, qj.organisation!.organisationId)).resolves.toBeUndefined();
    expect((await err(Promise.resolve().then(() => kind().authorize(qj, yy.organisation!.organisationId)))).code).toBe('FORBIDDEN');
    expect((await err(Promise.resolve().then(() => kind().authorize(null, qj.organisation!.organisationId)))).code).toBe('UNAUTHENTICATED');
  });
});

describe('budget units service', () => {
  it('manual add uses the sheet rules; list searches the subtree only; a unit cannot change its own ratio', async () => {
    const added = await svc().add(qj, {
      fullName: '綦江区测试手工单位',
      uscc: buildUscc(),
      contactName: '赵会计',
      mobile: buildMobile(),
      budgetLevel: '县',
      annualYuan: '12000.50',
      ratioPercent: '35.5',
    });
    expect(added).toMatchObject({ annualFen: 1_200_050, ratioBp: 3_550, reservedFen: 426_018, accountState: 'none', superiorName: '綦江区财政局（测试）' });
    const bad = await err(svc().add(qj, { fullName: '短', uscc: '123', contactName: '赵', mobile: '1', budgetLevel: '国' }));
    expect(bad.code).toBe('VALIDATION');
    expect(Object.keys(bad.fields ?? {})).toEqual(expect.arrayContaining(['fullName', 'uscc', 'mobile', 'budgetLevel']));

    const page = await svc().list(qj, { keyword: '手工' });
    expect(page.items.map((u) => u.id)).toEqual([added.id]);
    expect((await svc().list(yy, { keyword: '手工' })).total).toBe(0);
    expect((await svc().list(cq, { keyword: '手工' })).total).toBe(1);

    const changed = await svc().setFigures(qj, added.id, { annualFen: 5_000_000, ratioBp: 2_000 });
    expect(changed.reservedFen).toBe(1_000_000);
    const history = await svc().get(qj, added.id);
    expect(history.history.map((h) => h.action)).toEqual(expect.arrayContaining(['quotas.figures', 'quotas.unit_add']));
    expect(history.history.find((h) => h.action === 'quotas.figures')).toMatchObject({
      actorName: qj.username,
      before: { annualFen: 1_200_050, ratioBp: 3_550 },
      after: { annualFen: 5_000_000, ratioBp: 2_000 },
    });

    const self = await err(svc().setFigures(qj, qj.organisation!.organisationId, { annualFen: 1, ratioBp: 1 }));
    expect(self).toMatchObject({ code: 'QUOTA_SUPERIOR_ONLY', message: expect.stringContaining('请联系上级预算单位修改') });
    expect((await err(svc().setFigures(yy, added.id, { annualFen: 1, ratioBp: 1 }))).code).toBe('QUOTA_OUTSIDE_SUBTREE');
    expect((await err(svc().get(yy, 'not-a-uuid'))).code).toBe('NOT_FOUND');
    // An edit without a superior keeps the unit where it is.
    const under = await svc().add(qj, {
      fullName: '綦江区测试手工下级',
      superiorName: '綦江区测试手工单位',
      uscc: buildUscc(),
      contactName: '钱会计',
      mobile: buildMobile(),
      budgetLevel: '乡',
    });
    const edited = await svc().edit(qj, under.id, { fullName: '綦江区测试手工下级', contactName: '孙会计', mobile: buildMobile(), budgetLevel: '乡' });
    expect(edited).toMatchObject({ contactName: '孙会计', superiorId: added.id });
    expect(
      (
        await err(
          svc().edit(qj, qj.organisation!.organisationId, {
            fullName: '綦江区财政局（测试）',
            contactName: '孙会计',
            mobile: buildMobile(),
            budgetLevel: '县',
          }),
        )
      ).code,
    ).toBe('QUOTA_SUPERIOR_ONLY');
    const file = await svc().exportXlsx(qj, { keyword: '手工' });
    expect(file.bytes.byteLength).toBeGreaterThan(1000);
  });

  it('generates 2,000 management accounts as a job in chunks: SMS in the outbox, no password hashing, in a few seconds', async () => {
    const rows = Array.from({ length: 2000 }, (_, i) => row({ fullName: `批量生成测试单位${String(i).padStart(4, '0')}` }));
    await importRows(qj, rows);
    const started = Date.now();
    const run = await svc().generateAccounts(qj, {});
    expect(run.total).toBeGreaterThanOrEqual(2000);
    await p.jobs.runDue();
    const done = await svc().run(qj, run.id);
    const ms = Date.now() - started;
    expect(done).toMatchObject({ state: 'done', done: run.total });
    expect(ms).toBeLessThan(15_000);
    const ids = await Promise.all(rows.slice(0, 5).map((r) => idOf(r.uscc)));
    const units = await p.db.select().from(budgetUnits).where(inArray(budgetUnits.organisationId, ids));
    expect(units.every((u) => u.accountUserId && u.accountAt)).toBe(true);
    const [sms] = await p.db.select({ n: count() }).from(outbox).where(like(outbox.body, '%已开通预算单位管理账号。账号：%激活码：%/activate 激活。'));
    expect(sms!.n).toBeGreaterThanOrEqual(2000);
    const [u] = await p.db.select().from(users).where(eq(users.id, units[0]!.accountUserId!));
    expect(rows.map((r) => r.uscc)).toContain(u!.username);
    expect(u!.passwordHash.startsWith('$argon2')).toBe(false);
    const list = await svc().list(qj, { accountState: 'pending', pageSize: 5 });
    expect(list.total).toBeGreaterThanOrEqual(2000);
    expect(list.items[0]!.accountState).toBe('pending');
    // Nothing left: a second run is refused.
    expect((await err(svc().generateAccounts(qj, { ids }))).code).toBe('QUOTA_NO_ACCOUNT');
    console.log(`generated ${run.total} accounts in ${ms} ms`);
  }, 60_000);

  it('checks a sheet of 40,000 rows (more names and codes than one statement may have parameters)', async () => {
    const rows = Array.from({ length: 40_000 }, (_, i) => row({ fullName: `大表测试单位${i}`, uscc: buildUscc() }));
    const checks = await kind().check(p.db, scopeOf(qj), staged(rows));
    expect(checks).toHaveLength(40_000);
    expect(checks.every((c) => c.status === 'new')).toBe(true);
  }, 120_000);

  it('two moves at once (X under Y, Y under X): one wins, the other is refused as a loop', async () => {
    const x = row();
    const y = row();
    await importRows(qj, [x, y]);
    const move = (r: BudgetUnitRow, superiorName: string) => p.db.transaction((tx) => kind().write(tx, scopeOf(qj), staged([{ ...r, superiorName }])));
    const [a, b] = await Promise.all([move(x, y.fullName), move(y, x.fullName)]);
    expect([a[0], b[0]].filter((w) => 'targetId' in w!)).toHaveLength(1);
    expect([a[0], b[0]].find((w) => 'errors' in w!)).toMatchObject({ errors: [{ column: 'superiorName', message: expect.stringContaining('循环') }] });
    const [xId, yId] = [await idOf(x.uscc), await idOf(y.uscc)];
    const loops = await p.db
      .select({ n: count() })
      .from(budgetUnitTree)
      .where(and(inArray(budgetUnitTree.ancestorId, [xId, yId]), inArray(budgetUnitTree.descendantId, [xId, yId])));
    expect(loops[0]!.n).toBe(3); // each itself, and one below the other
  });

  it('two batches writing the same codes at once (in opposite orders): each unit once, no deadlock', async () => {
    const rows = Array.from({ length: 40 }, () => row());
    const write = (list: BudgetUnitRow[]) => p.db.transaction((tx) => kind().write(tx, scopeOf(qj), staged(list)));
    const [a, b] = await Promise.all([write(rows), write([...rows].reverse())]);
    expect([...a, ...b].every((w) => 'targetId' in w)).toBe(true);
    const ids = await Promise.all(rows.map((r) => idOf(r.uscc)));
    const units = await p.db.select({ id: budgetUnits.organisationId }).from(budgetUnits).where(inArray(budgetUnits.organisationId, ids));
    expect(units).toHaveLength(40);
    const pairs = await p.db.select({ n: count() }).from(budgetUnitTree).where(inArray(budgetUnitTree.descendantId, ids));
    const qjDepth = (await p.db.select({ n: count() }).from(budgetUnitTree).where(eq(budgetUnitTree.descendantId, qj.organisation!.organisationId)))[0]!.n;
    expect(pairs[0]!.n).toBe(40 * (qjDepth + 1));
  });

  it('resend and reset: a superior only; an account shared with another tree is not reset', async () => {
    const r = row();
    await importRows(qj, [r]);
    const id = await idOf(r.uscc);
    expect((await err(svc().resendActivation(qj, id))).code).toBe('QUOTA_NO_ACCOUNT');
    const run = await svc().generateAccounts(qj, { ids: [id] });
    await p.jobs.runDue();
    expect((await svc().run(qj, run.id)).state).toBe('done');
    const [unit] = await p.db.select().from(budgetUnits).where(eq(budgetUnits.organisationId, id));
    const userId = unit!.accountUserId!;
    const open = async () => (await p.db.select().from(accountActivations).where(eq(accountActivations.userId, userId))).filter((a) => !a.usedAt);

    const [firstCode] = await open();
    await svc().resendActivation(qj, id);
    const [secondCode] = await open();
    expect(secondCode!.codeHash).not.toBe(firstCode!.codeHash);
    await svc().resetPassword(cq, id);
    const texts = await p.db.select().from(outbox).where(eq(outbox.recipient, r.mobile));
    expect(texts.length).toBe(3);

    const unitActor = await actorFor(userId, id);
    expect((await err(svc().resetPassword(unitActor, id))).code).toBe('QUOTA_SUPERIOR_ONLY');
    expect((await err(svc().resetPassword(yy, id))).code).toBe('QUOTA_OUTSIDE_SUBTREE');
    // The same person also manages a unit of 酉阳: 綦江 may not reset that account.
    const other = row();
    await importRows(yy, [other]);
    await p.db.insert(memberships).values({ userId, organisationId: await idOf(other.uscc), role: 'owner' });
    expect((await err(svc().resetPassword(qj, id))).code).toBe('QUOTA_ACCOUNT_SHARED');

    // The unit confirms its levels at first sign-in and sees its own figures.
    const confirmed = await svc().confirmProfile(unitActor, { budgetLevel: '县', adminLevel: '乡科级' });
    expect(confirmed.confirmedAt).not.toBeNull();
    expect(await svc().myUnit(unitActor)).toMatchObject({ id, superiorName: '綦江区财政局（测试）', adminLevel: '乡科级' });
  });

  it('the operator’s preset departments: operators only, one per code', async () => {
    expect(
      (
        await err(
          svc().createPreset(qj, {
            fullName: '某某财政局',
            uscc: buildUscc(),
            role: 'finance_dept',
            budgetLevel: '县',
            contactName: '经办人',
            mobile: buildMobile(),
          }),
        )
      ).code,
    ).toBe('FORBIDDEN');
    const uscc = buildUscc();
    await svc().createPreset(operator, {
      fullName: '重复测试财政局',
      uscc,
      role: 'finance_dept',
      budgetLevel: '县',
      contactName: '经办人',
      mobile: buildMobile(),
    });
    expect(
      (
        await err(
          svc().createPreset(operator, {
            fullName: '重复测试财政局',
            uscc,
            role: 'finance_dept',
            budgetLevel: '县',
            contactName: '经办人',
            mobile: buildMobile(),
          }),
        )
      ).code,
    ).toBe('QUOTA_UNIT_CONFLICT');
  });
});
