import type { Db, Tx } from '../../db/client';
import { DEMO_LOGINS, DEMO_PASSWORD, insertDemoUser } from '../accounts/accounts.seed';
import { hashPassword } from '../accounts/passwords';
import type { OrganisationService } from '../organisations/organisations.service';
import type { SeedSteps } from '../platform/seed-steps';
import { usccCheckCharacter } from '../shared/validators';
import type { BudgetLevel } from './budget-units.schema';
import { quotasRepo as repo } from './quotas.repo';

/** What the quotas seed uses of the platform. */
export interface QuotaSeedHost {
  db: Db;
  services: { organisations: Pick<OrganisationService, 'createWithOwner' | 'upsertByUscc' | 'addMembers'> };
}

const uscc = (first17: string) => first17 + usccCheckCharacter(first17);

interface Preset {
  key: string;
  username: string;
  mobile: string;
  fullName: string;
  uscc17: string;
  role: 'central_dept' | 'finance_dept';
  budgetLevel: BudgetLevel;
  regionCode: string;
  superior?: string;
}

/**
 * The preset departments at the top of the trees, each with a demo login (password DEMO_PASSWORD,
 * 'Bangfu2026'): caizhengbu (中华人民共和国财政部), cqczj (重庆市财政局), qjczj (綦江区财政局), yyczj (酉阳县财政局).
 */
export const PRESET_DEPARTMENTS: Preset[] = [
  {
    key: 'mof',
    username: 'caizhengbu',
    mobile: '13900000160',
    fullName: '中华人民共和国财政部',
    uscc17: '11100000000013127',
    role: 'central_dept',
    budgetLevel: '中央',
    regionCode: '110000',
  },
  {
    key: 'cq',
    username: 'cqczj',
    mobile: '13900000161',
    fullName: '重庆市财政局',
    uscc17: '11500000MB1527351',
    role: 'finance_dept',
    budgetLevel: '省',
    regionCode: '500000',
  },
  {
    key: 'qj',
    username: 'qjczj',
    mobile: '13900000162',
    fullName: '綦江区财政局',
    uscc17: '11500110MB1602114',
    role: 'finance_dept',
    budgetLevel: '县',
    regionCode: '500110',
    superior: 'cq',
  },
  {
    key: 'yy',
    username: 'yyczj',
    mobile: '13900000163',
    fullName: '酉阳县财政局',
    uscc17: '11500242MB1555613',
    role: 'finance_dept',
    budgetLevel: '县',
    regionCode: '500242',
    superior: 'cq',
  },
];
for (const p of PRESET_DEPARTMENTS)
  if (!DEMO_LOGINS.some((d) => d.username === p.username)) DEMO_LOGINS.push({ username: p.username, organisation: p.fullName, kind: 'budget_unit' });

/** A demo budget unit with a management login: 綦江区教育委员会 (login qjjwh). */
const DEMO_UNIT_LOGIN = { username: 'qjjwh', mobile: '13900000170' };
/** A purchaser of it with a trading account (login 13900000171, role buyer). */
const DEMO_BUYER = { mobile: '13900000171' };
if (!DEMO_LOGINS.some((d) => d.username === DEMO_UNIT_LOGIN.username))
  DEMO_LOGINS.push({ username: DEMO_UNIT_LOGIN.username, organisation: '綦江区教育委员会', kind: 'budget_unit' });

const ADMIN_BY_BUDGET: Record<BudgetLevel, string> = { 中央: '厅局级', 省: '厅局级', 市: '县处级', 县: '乡科级', 乡: '其他' };

/** ~30 demo units: the superior's key, the name, the budget level; amounts and ratios are derived from the index. */
const DEMO_UNITS: { superior: string; name: string; level: BudgetLevel }[] = [
  ...['国家机关事务管理局', '国家统计局', '国家税务总局', '海关总署', '国家林业和草原局', '国家乡村振兴局'].map((name) => ({
    superior: 'mof',
    name,
    level: '中央' as const,
  })),
  ...['重庆市教育委员会', '重庆市卫生健康委员会', '重庆市农业农村委员会', '重庆市商务委员会', '重庆市公安局', '重庆市机关事务管理局'].map((name) => ({
    superior: 'cq',
    name,
    level: '省' as const,
  })),
  ...[
    '綦江区教育委员会',
    '綦江区卫生健康委员会',
    '綦江区农业农村委员会',
    '綦江区人民医院',
    '綦江中学',
    '綦江区古南街道办事处',
    '綦江区文龙街道办事处',
    '綦江区机关事务服务中心',
  ].map((name) => ({
    superior: 'qj',
    name,
    level: '县' as const,
  })),
  ...[
    '酉阳县教育委员会',
    '酉阳县卫生健康委员会',
    '酉阳县农业农村委员会',
    '酉阳县人民医院',
    '酉阳县桃花源街道办事处',
    '酉阳县龙潭镇人民政府',
    '酉阳县机关事务服务中心',
    '酉阳第一中学',
  ].map((name) => ({ superior: 'yy', name, level: '县' as const })),
];

async function addUnit(
  tx: Tx,
  orgId: string,
  superiorId: string | null,
  v: { role: 'unit' | 'central_dept' | 'finance_dept'; contactName: string; mobile: string; budgetLevel: BudgetLevel; annualFen?: number; ratioBp?: number },
) {
  await repo.insertUnits(tx, [
    {
      organisationId: orgId,
      role: v.role,
      superiorId,
      contactName: v.contactName,
      contactMobile: v.mobile,
      budgetLevel: v.budgetLevel,
      adminLevel: ADMIN_BY_BUDGET[v.budgetLevel],
      annualFen: v.annualFen ?? 0,
      ratioBp: v.ratioBp ?? 0,
    },
  ]);
  await repo.attach(tx, orgId, superiorId);
}

/**
 * Demo quotas: the four preset departments with logins (caizhengbu, cqczj, qjczj, yyczj), 28 budget units
 * under them with annual amounts and ratios (the statistics have something to show), one unit with a
 * login (qjjwh, 綦江区教育委员会) and three purchasers of it, one with a trading account (13900000171).
 * Every demo password is DEMO_PASSWORD (Bangfu2026).
 */
export async function seedDemoQuotas(p: QuotaSeedHost, log: (line: string) => void, steps: SeedSteps): Promise<void> {
  await steps.step('quotas.demo', async () => {
    log('  seeding budget units (4 preset departments, 28 units, 3 purchasers)');
    const passwordHash = await hashPassword(DEMO_PASSWORD);
    await p.db.transaction(async (tx) => {
      const ids = new Map<string, string>();
      for (const d of PRESET_DEPARTMENTS) {
        const user = await insertDemoUser(tx, { username: d.username, mobile: d.mobile, displayName: `${d.fullName} 经办人` }, passwordHash, {
          title: '欢迎使用预算单位预留份额管理（演示数据）',
          body: `这是 ${d.fullName} 的演示账号，可导入和管理下属预算单位、生成管理账号、查看预留份额统计。所有演示账号的密码都是 ${DEMO_PASSWORD}。`,
          link: '/quotas/units',
        });
        const org = await p.services.organisations.createWithOwner(
          tx,
          { kind: 'budget_unit', fullName: d.fullName, uscc: uscc(d.uscc17), regionCode: d.regionCode },
          user.id,
        );
        ids.set(d.key, org.id);
        await addUnit(tx, org.id, d.superior ? ids.get(d.superior)! : null, {
          role: d.role,
          contactName: `${d.fullName.slice(0, 4)}经办人`,
          mobile: d.mobile,
          budgetLevel: d.budgetLevel,
        });
        await repo.setAccounts(tx, [{ id: org.id, userId: user.id }], new Date());
      }
      const orgIds = await p.services.organisations.upsertByUscc(
        tx,
        'budget_unit',
        DEMO_UNITS.map((u, i) => ({ fullName: u.name, uscc: uscc(`12500${String(100 + i).padStart(3, '0')}MB${String(1_600_000 + i * 37).slice(0, 7)}`) })),
      );
      let i = 0;
      for (const u of DEMO_UNITS) {
        const code = uscc(`12500${String(100 + i).padStart(3, '0')}MB${String(1_600_000 + i * 37).slice(0, 7)}`);
        const id = orgIds.get(code)!;
        ids.set(u.name, id);
        // Amounts ¥200,000–¥3,000,000; ratios 5–30 %; a few without a ratio (未设预留).
        await addUnit(tx, id, ids.get(u.superior)!, {
          role: 'unit',
          contactName: `${['王', '李', '张', '刘', '陈', '杨'][i % 6]}${['主任', '科长', '会计'][i % 3]}`,
          mobile: `1390000${String(2000 + i).padStart(4, '0')}`,
          budgetLevel: u.level,
          annualFen: (200_000 + ((i * 97_531) % 2_800_000)) * 100,
          ratioBp: i % 7 === 6 ? 0 : 500 + ((i * 313) % 2_500),
        });
        i++;
      }
      // One unit signs in (its management account) and has purchasers, one of them with a trading account.
      const unitId = ids.get('綦江区教育委员会')!;
      const manager = await insertDemoUser(
        tx,
        { username: DEMO_UNIT_LOGIN.username, mobile: DEMO_UNIT_LOGIN.mobile, displayName: '綦江区教育委员会 经办人' },
        passwordHash,
        {
          title: '欢迎使用预算单位管理账号（演示数据）',
          body: `这是綦江区教育委员会的演示管理账号，可查看本单位预留份额、导入采购人并开通交易账号。所有演示账号的密码都是 ${DEMO_PASSWORD}。`,
          link: '/quotas/my-unit',
        },
      );
      const buyer = await insertDemoUser(
        tx,
        { username: `b${DEMO_BUYER.mobile}`, mobile: DEMO_BUYER.mobile, displayName: '綦江区教育委员会机关食堂 采购员' },
        passwordHash,
        {
          title: '欢迎使用采购人交易账号（演示数据）',
          body: `这是綦江区教育委员会机关食堂的采购人账号（用手机号 ${DEMO_BUYER.mobile} 登录），在商城采购计入本预算单位。密码是 ${DEMO_PASSWORD}。`,
          link: '/mall',
        },
      );
      await p.services.organisations.addMembers(tx, [
        { userId: manager.id, organisationId: unitId, role: 'owner' },
        { userId: buyer.id, organisationId: unitId, role: 'buyer' },
      ]);
      await repo.setAccounts(tx, [{ id: unitId, userId: manager.id }], new Date());
      const written = await repo.upsertPurchasers(tx, unitId, [
        { name: '綦江区教育委员会机关食堂', uscc: uscc('12500110MB1603001'), kind: '机关食堂', contactName: '周采购', mobile: DEMO_BUYER.mobile },
        { name: '綦江区教育委员会工会委员会', uscc: uscc('81500110MB1603002'), kind: '工会组织', contactName: '吴主席', mobile: '13900002101' },
        { name: '綦江区教育委员会本级', uscc: uscc('12500110MB1603003'), kind: '预算单位本级', contactName: '郑会计', mobile: '13900002102' },
      ]);
      const canteen = written.find((w) => w.uscc === uscc('12500110MB1603001'))!;
      await repo.setPurchaserAccount(tx, canteen.id, buyer.id, new Date());
    });
  });
}
