import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { budgetUnits, memberships, outbox, quotaPurchasers } from '../../db/schema';
import { createTestPlatform } from '../testing/test-platform';
import { buildMobile, buildUscc, registerUser } from '../testing/factories';
import type { Platform } from '../platform/platform';
import type { Actor } from '../shared/actor';
import type { PurchaserRow } from './purchasers.schema';

let p: Platform;
let unitA: Actor;
let unitB: Actor;
const kind = () => p.services.quotaPurchasers.purchaserImportKind;
const svc = () => p.services.quotaPurchasers;
const scopeOf = (a: Actor) => ({ organisationId: a.organisation!.organisationId, actorUserId: a.userId, batchId: randomUUID() });
const purchaser = (over: Partial<PurchaserRow> = {}): PurchaserRow => ({
  name: '机关食堂',
  uscc: buildUscc(),
  kind: '机关食堂',
  contactName: '周采购',
  mobile: buildMobile(),
  ...over,
});

async function importRows(a: Actor, rows: PurchaserRow[]) {
  const staged = rows.map((value, i) => ({ row: i + 2, value }));
  const checks = await kind().check(p.db, scopeOf(a), staged);
  const valid = staged.filter((_, i) => checks[i]!.status !== 'error');
  const writes = valid.length ? await p.db.transaction((tx) => kind().write(tx, scopeOf(a), valid)) : [];
  return { checks, writes };
}

/** A preset department acting through a registered user (its owner). */
async function presetActor(name: string): Promise<Actor> {
  const op = await registerUser(p);
  const unit = await p.services.budgetUnits.createPreset(
    { ...op.actor, isOperator: true },
    { fullName: name, uscc: buildUscc(), role: 'finance_dept', budgetLevel: '县', contactName: '经办人', mobile: buildMobile() },
  );
  const [row] = await p.db.select().from(budgetUnits).where(eq(budgetUnits.organisationId, unit.id));
  const a = await p.services.accounts.actorForUser(row!.accountUserId!);
  return { ...a, organisation: a.memberships.find((m) => m.organisationId === unit.id) };
}

beforeAll(async () => {
  p = await createTestPlatform();
  unitA = await presetActor('采购人测试财政局甲');
  unitB = await presetActor('采购人测试财政局乙');
});
afterAll(() => p?.close());

describe('purchasers', () => {
  it('imports by code (the same code updates), refuses a mobile in use and another unit’s purchaser', async () => {
    const canteen = purchaser();
    const union = purchaser({ name: '工会委员会', kind: '工会组织' });
    const first = await importRows(unitA, [canteen, union]);
    expect(first.checks.map((c) => c.status)).toEqual(['new', 'new']);
    const again = await importRows(unitA, [{ ...canteen, contactName: '吴采购' }]);
    expect(again.checks[0]!.status).toBe('update');
    const [row] = await p.db.select().from(quotaPurchasers).where(eq(quotaPurchasers.uscc, canteen.uscc));
    expect(row).toMatchObject({ contactName: '吴采购', budgetUnitId: unitA.organisation!.organisationId });

    const someone = await registerUser(p);
    const refused = await importRows(unitB, [{ ...canteen }, purchaser({ mobile: someone.input.mobile })]);
    expect(refused.checks.map((c) => c.status)).toEqual(['error', 'error']);
    // Write time: a code another unit took after the preview is refused on its row, not taken over.
    const [w] = await p.db.transaction((tx) => kind().write(tx, scopeOf(unitB), [{ row: 2, value: canteen }]));
    expect(w).toMatchObject({ errors: [expect.objectContaining({ column: 'uscc' })] });
  });

  it('opens trading accounts (role buyer, login the mobile, code by SMS), lists their state, resends', async () => {
    const p1 = purchaser({ name: '交易账号测试食堂' });
    await importRows(unitA, [p1]);
    const opened = await svc().generateAccounts(unitA, {});
    expect(opened.generated).toBeGreaterThanOrEqual(1);
    const [row] = await p.db.select().from(quotaPurchasers).where(eq(quotaPurchasers.uscc, p1.uscc));
    expect(row!.userId).toBeTruthy();
    const [m] = await p.db
      .select()
      .from(memberships)
      .where(and(eq(memberships.userId, row!.userId!), eq(memberships.organisationId, unitA.organisation!.organisationId)));
    expect(m!.role).toBe('buyer');
    const [sms] = await p.db.select().from(outbox).where(eq(outbox.recipient, p1.mobile));
    expect(sms!.body).toContain(`已为交易账号测试食堂开通采购人交易账号。账号：${p1.mobile}，激活码：`);

    const list = await svc().list(unitA, { keyword: '交易账号测试' });
    expect(list.items[0]).toMatchObject({ accountState: 'pending', kind: '机关食堂' });
    await svc().resendActivation(unitA, row!.id);
    expect((await p.db.select().from(outbox).where(eq(outbox.recipient, p1.mobile))).length).toBe(2);
    // Another unit cannot see or resend it.
    expect((await svc().list(unitB, { keyword: '交易账号测试' })).total).toBe(0);
    await expect(svc().resendActivation(unitB, row!.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(svc().generateAccounts(unitA, {})).rejects.toMatchObject({ code: 'QUOTA_NO_ACCOUNT' });
  });
});
