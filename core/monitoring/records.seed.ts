import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { monitoringMembers, monitoringPeriods, monitoringRecords, users } from '../../db/schema';
import type { AccountService } from '../accounts/accounts.service';
import type { FileService } from '../files/files.service';
import { createSeedSteps, type SeedSteps } from '../platform/seed-steps';
import type { Actor } from '../shared/actor';
import type { MonitoringRecordService } from './records.service';

/** What the records seed uses of the platform. */
export interface MonitoringRecordsSeedHost {
  db: Db;
  services: {
    accounts: Pick<AccountService, 'actorForUser'>;
    files: Pick<FileService, 'upload'>;
    monitoringRecords: MonitoringRecordService;
  };
}

const PDF = () => new TextEncoder().encode('%PDF-1.4\n% 演示凭证\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');

type Goal = 'draft' | 'filed' | 'submitted' | 'approved' | 'returned';
/** [who files, product, category, unit, quantity, yuan, county, goal, filing type, months ago]. */
const DEMO: [string, string, string, string, string, string, string, Goal, 'regular' | 'backfill', number][] = [
  ['jnpifa', '罗城毛葡萄', '水果', '吨', '12.5', '86000', '451225', 'approved', 'backfill', 5],
  ['jnpifa', '罗城野生山茶油', '食用油', '公斤', '800', '96000', '451225', 'approved', 'backfill', 4],
  ['jnpifa', '百色芒果', '水果', '吨', '20', '120000', '451026', 'approved', 'regular', 3],
  ['jnpifa', '环江香猪', '畜禽肉蛋', '头', '60', '108000', '451226', 'approved', 'regular', 2],
  ['jnpifa', '都安山羊', '畜禽肉蛋', '只', '120', '144000', '451228', 'submitted', 'regular', 1],
  ['jnpifa', '罗城香菇', '食用菌', '公斤', '1500', '52500', '451225', 'filed', 'regular', 0],
  ['jnpifa', '凌云白毫茶', '茶叶', '公斤', '200', '64000', '451027', 'filed', 'regular', 0],
  ['jnpifa', '融水糯米', '粮食', '吨', '8', '56000', '450225', 'returned', 'regular', 0],
  ['jnpifa', '三江油茶', '食用油', '公斤', '300', '27000', '450226', 'draft', 'regular', 0],
  ['jiangnan', '罗城砂糖橘', '水果', '吨', '30.2', '181200', '451225', 'approved', 'backfill', 5],
  ['jiangnan', '田东香芒', '水果', '吨', '18', '99000', '451022', 'approved', 'regular', 3],
  ['jiangnan', '遵义辣椒', '蔬菜', '吨', '10', '65000', '520304', 'approved', 'regular', 1],
  ['jiangnan', '毕节马铃薯', '蔬菜', '吨', '40', '72000', '520502', 'submitted', 'regular', 0],
  ['jiangnan', '罗城毛葡萄酒', '饮品酒水', '箱', '500', '75000', '451225', 'returned', 'regular', 0],
  ['jiangnan', '黔东南香禾糯', '粮食', '吨', '6', '48000', '522622', 'draft', 'regular', 0],
  ['crvstore', '罗城柚子', '水果', '箱', '400', '32000', '451225', 'approved', 'backfill', 4],
  ['crvstore', '湄潭翠芽', '茶叶', '盒', '600', '90000', '520328', 'approved', 'regular', 2],
  ['crvstore', '修文猕猴桃', '水果', '箱', '900', '63000', '520123', 'filed', 'regular', 0],
  ['crvstore', '罗城腐竹', '加工食品', '公斤', '700', '24500', '451225', 'returned', 'regular', 0],
  ['crvstore', '巴马矿泉水', '饮品酒水', '箱', '1000', '30000', '451227', 'draft', 'regular', 0],
  ['crvgz', '横县茉莉花茶', '茶叶', '公斤', '500', '150000', '450181', 'approved', 'backfill', 5],
  ['crvgz', '罗城野生葛根粉', '加工食品', '公斤', '1200', '96000', '451225', 'approved', 'regular', 2],
  ['crvgz', '威宁苹果', '水果', '吨', '15', '90000', '520526', 'submitted', 'regular', 0],
  ['crvgz', '六盘水猕猴桃', '水果', '箱', '800', '64000', '520203', 'returned', 'regular', 0],
  ['crvgz', '罗城红薯', '蔬菜', '吨', '9', '27000', '451225', 'draft', 'regular', 0],
  ['gzdianshang', '罗城毛葡萄干', '加工食品', '袋', '3000', '45000', '451225', 'approved', 'backfill', 4],
  ['gzdianshang', '德保脐橙', '水果', '箱', '1500', '97500', '451024', 'approved', 'regular', 3],
  ['gzdianshang', '安顺金刺梨', '水果', '箱', '600', '36000', '520402', 'approved', 'regular', 1],
  ['gzdianshang', '荔波蜂蜜', '其他', '瓶', '2000', '80000', '522722', 'submitted', 'regular', 0],
  ['gzdianshang', '罗城山茶油', '食用油', '瓶', '800', '64000', '451225', 'returned', 'regular', 0],
  ['gzdianshang', '平塘豆腐乳', '加工食品', '瓶', '1000', '15000', '522727', 'draft', 'regular', 0],
  ['gzqiye', '罗城黑山羊', '畜禽肉蛋', '只', '80', '128000', '451225', 'approved', 'backfill', 5],
  ['gzqiye', '天等辣椒', '蔬菜', '吨', '5', '40000', '451425', 'approved', 'regular', 2],
  ['gzqiye', '赤水竹笋', '蔬菜', '吨', '7', '49000', '520381', 'submitted', 'regular', 0],
  ['gzqiye', '罗城米粉', '加工食品', '箱', '1000', '38000', '451225', 'draft', 'regular', 0],
  ['gdxiezuo', '罗城毛葡萄（协作）', '水果', '吨', '25', '175000', '451225', 'approved', 'regular', 2],
  ['gdxiezuo', '从江椪柑', '水果', '吨', '12', '72000', '522633', 'approved', 'backfill', 4],
  ['gdxiezuo', '罗甸火龙果', '水果', '吨', '10', '80000', '522728', 'submitted', 'regular', 0],
  ['gdxiezuo', '融安金桔', '水果', '吨', '6', '54000', '450224', 'draft', 'regular', 0],
];

/**
 * Demo purchase records (SEED_DEMO): about 40 records of the Guangzhou channels (the market and its wholesaler,
 * the chain and its store, the e-commerce platform, the enterprise) and of the market listed under the
 * province, in every state, across both periods and many assisted counties (罗城 451225 among them), the
 * approved ones spread over the last months. Filed through the service as people would; only the dates are
 * moved back afterwards. Every service call is a recorded step (its result the record's id and seq): an
 * interrupted seed resumes with what is missing, each record filed and decided once.
 */
export async function seedDemoMonitoringRecords(
  p: MonitoringRecordsSeedHost,
  log: (line: string) => void,
  steps: SeedSteps = createSeedSteps(p.db),
): Promise<void> {
  const names = [...new Set([...DEMO.map((d) => d[0]), 'gzfpb', 'gzshenhe', 'gdfpb', 'jiangnan', 'crvgz'])];
  const people = await p.db
    .select({ username: users.username, userId: users.id, organisationId: monitoringMembers.organisationId })
    .from(users)
    .innerJoin(monitoringMembers, eq(monitoringMembers.userId, users.id))
    .where(inArray(users.username, names));
  const found = new Map(people.map((x) => [x.username, x]));
  const missing = names.filter((n) => !found.has(n));
  if (missing.length) {
    log(`monitoring records: skipped (the demo accounts ${missing.join(', ')} are not seeded)`);
    return;
  }

  const actors = new Map<string, Actor>();
  const as = async (username: string) => {
    if (!actors.has(username)) {
      const x = found.get(username)!;
      const a = await p.services.accounts.actorForUser(x.userId);
      actors.set(username, { ...a, organisation: a.memberships.find((m) => m.organisationId === x.organisationId) });
    }
    return actors.get(username)!;
  };
  const period = async (filingType: 'regular' | 'backfill') => {
    const [row] = await p.db
      .select({ id: monitoringPeriods.id })
      .from(monitoringPeriods)
      .where(and(eq(monitoringPeriods.filingType, filingType), eq(monitoringPeriods.open, true)))
      .limit(1);
    return row?.id;
  };
  const periods = { regular: await period('regular'), backfill: await period('backfill') };
  if (!periods.regular || !periods.backfill) {
    log('monitoring records: skipped (no open filing periods)');
    return;
  }
  const svc = p.services.monitoringRecords;
  const parentOf: Record<string, string> = { jnpifa: 'jiangnan', crvstore: 'crvgz' };
  const reviewerOf = (who: string) => (who === 'gdxiezuo' ? 'gdfpb' : who.length % 2 ? 'gzshenhe' : 'gzfpb');
  const ref = (v: { id: string; seq: number }) => ({ id: v.id, seq: v.seq });
  let made = 0;
  for (const [i, [who, productName, category, unit, quantity, amountYuan, county, goal, filingType, monthsAgo]] of DEMO.entries()) {
    const key = `monitoring:record:${who}:${productName}`;
    if (await steps.isDone(key)) continue;
    const a = await as(who);
    const file = await steps.step(`${key}:file`, () =>
      p.services.files.upload(a, { filename: `${productName}-发票.pdf`, contentType: 'application/pdf', bytes: PDF() }).then((f) => ({ id: f.id })),
    );
    let r = await steps.step(`${key}:create`, () =>
      svc
        .create(a, {
          filingType,
          periodId: periods[filingType],
          directFromOrigin: i % 3 !== 0,
          originCountyCode: county,
          category,
          productName,
          unit,
          quantity,
          amountYuan,
          evidence: [{ fileId: file.id, kind: i % 2 ? 'invoice' : 'contract' }],
        })
        .then(ref),
    );
    if (goal !== 'draft') {
      const at = r;
      r = await steps.step(`${key}:submit`, () => svc.submit(a, at.id, { seq: at.seq }).then(ref));
      const parent = parentOf[who];
      // Returned records: some by the market or chain (still 已填报), the others by the department.
      const returner = goal === 'returned' ? (parent && (i + 1) % 2 ? parent : reviewerOf(who)) : null;
      const decide = async (name: string, by: string, decision: 'approve' | 'return', comment?: string) => {
        const at = r;
        r = await steps.step(`${key}:${name}`, async () => svc.decide(await as(by), at.id, { seq: at.seq, decision, comment }).then(ref));
      };
      if (parent && goal !== 'filed' && returner !== parent) await decide('approve:parent', parent, 'approve');
      if (goal === 'approved') await decide('approve', reviewerOf(who), 'approve');
      if (returner)
        await decide('return', returner, 'return', returner === parent ? '请补充运单，数量与发票不一致' : '发票抬头与填报单位不一致，请核对后重新提交');
    }
    const filed = r;
    if (monthsAgo > 0) await steps.step(`${key}:backdate`, () => backdate(p.db, filed.id, monthsAgo * 30 + ((i + 1) % 20)).then(() => null));
    await steps.markDone(key);
    made++;
  }
  if (made) log(`monitoring records: ${made} demo records`);
}

/** Moves a demo record's dates (and its timeline's) back by `days`, so approvals spread over months (one transaction). */
async function backdate(db: Db, id: string, days: number) {
  const by = sql`${`${days} days`}::interval`;
  await db.transaction(async (tx) => {
    await tx.execute(sql`update monitoring_records set created_at = created_at - ${by}, updated_at = updated_at - ${by},
      filed_at = filed_at - ${by}, submitted_at = submitted_at - ${by}, approved_at = approved_at - ${by} where id = ${id}`);
    await tx.execute(sql`update monitoring_record_events set at = at - ${by} where record_id = ${id}`);
  });
}
