import { eq } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import sharp from 'sharp';
import type { Db } from '../../db/client';
import { organisations, users, voucherMerchants } from '../../db/schema';
import { DEMO_LOGINS, DEMO_PASSWORD, insertDemoUser } from '../accounts/accounts.seed';
import type { AccountService } from '../accounts/accounts.service';
import { hashPassword } from '../accounts/passwords';
import type { FileService } from '../files/files.service';
import { findCjkFont } from '../shared/cjk-font';
import type { OrganisationService } from '../organisations/organisations.service';
import type { SeedSteps } from '../platform/seed-steps';
import { usccCheckCharacter } from '../shared/validators';
import { demoBureauActor } from './campaigns.seed';
import { QIJIANG_TOWNSHIPS } from './merchants.schema';
import type { MerchantService } from './merchants.service';
import { merchantCategoryName } from './vouchers.constants';

/** What the merchants seed uses of the platform. */
export interface MerchantSeedHost {
  db: Db;
  services: {
    voucherMerchants: Pick<MerchantService, 'bulkEnrol' | 'mine' | 'setPhoto'>;
    organisations: Pick<OrganisationService, 'createWithOwner'>;
    accounts: Pick<AccountService, 'actorForUser'>;
    files: Pick<FileService, 'upload'>;
  };
}

/** One shop per 街镇: mostly hot-pot restaurants (the campaign is a hot-pot week), some shops of the 通用券 categories. */
const SHOPS: { name: string; category: string; street: string }[] = [
  { name: '老灶火锅（古南店）', category: 'dining', street: '沱湾路 18 号' },
  { name: '綦江北渡鱼火锅（文龙店）', category: 'dining', street: '九龙大道 66 号' },
  { name: '三江老街牛油火锅', category: 'dining', street: '三江老街 12 号' },
  { name: '新盛邻里生活超市', category: 'supermarket', street: '新盛场镇 3 号' },
  { name: '通惠百货商店', category: 'department_store', street: '通惠大道 101 号' },
  { name: '石角镇豆花火锅', category: 'dining', street: '石角场镇 25 号' },
  { name: '东溪古镇黄焖鸡火锅', category: 'dining', street: '东溪古镇朝阳街 5 号' },
  { name: '赶水草蔸羊肉汤锅', category: 'dining', street: '赶水镇滨河路 8 号' },
  { name: '打通镇惠民超市', category: 'supermarket', street: '打通镇新街 41 号' },
  { name: '石壕红军街火锅', category: 'dining', street: '石壕镇红军街 2 号' },
  { name: '永新家电城', category: 'appliances', street: '永新镇正街 77 号' },
  { name: '三角镇建材市场', category: 'building_materials', street: '三角镇工业路 9 号' },
  { name: '隆盛镇鲜货火锅', category: 'dining', street: '隆盛镇隆盛街 16 号' },
  { name: '郭扶高庙火锅', category: 'dining', street: '郭扶镇高庙村 1 组' },
  { name: '篆塘镇购物广场', category: 'mall', street: '篆塘镇篆塘街 30 号' },
  { name: '丁山湖渔家火锅', category: 'dining', street: '丁山镇湖滨路 6 号' },
  { name: '安稳老街火锅', category: 'dining', street: '安稳镇老街 21 号' },
  { name: '扶欢镇便民超市', category: 'supermarket', street: '扶欢镇扶欢街 58 号' },
  { name: '永城镇乡村火锅', category: 'dining', street: '永城镇中心街 13 号' },
  { name: '中峰镇农家火锅', category: 'dining', street: '中峰镇中峰街 4 号' },
  { name: '横山镇避暑火锅', category: 'dining', street: '横山镇大堡村 2 组' },
];

const shopLogin = (i: number) => `qjshop${String(i + 1).padStart(2, '0')}`;
/** The first shop's owner can sign in to try the console. */
if (!DEMO_LOGINS.some((d) => d.username === shopLogin(0)))
  DEMO_LOGINS.push({ username: shopLogin(0), organisation: `綦江区${SHOPS[0]!.name}`, kind: 'merchant' as (typeof DEMO_LOGINS)[number]['kind'] });

/**
 * The 21 townships' merchants of the demo campaign: each a merchant organisation with its owner,
 * then enrolled and approved by the bureau through the bulk enrolment (the XLSX sheet it would upload).
 */
export async function seedDemoMerchants(
  p: MerchantSeedHost,
  campaignId: string,
  bureauUsername: string,
  log: (line: string) => void,
  steps: SeedSteps,
): Promise<void> {
  const orgs = await steps.step('vouchers.merchant-orgs', async () => {
    log('  seeding the voucher merchants of the 21 townships');
    const passwordHash = await hashPassword(DEMO_PASSWORD);
    return p.db.transaction(async (tx) => {
      const out: { uscc: string }[] = [];
      for (const [i, shop] of SHOPS.entries()) {
        const township = QIJIANG_TOWNSHIPS[i]!;
        const user = await insertDemoUser(
          tx,
          { username: shopLogin(i), mobile: `1390000${String(1100 + i)}`, displayName: `${shop.name} 店主` },
          passwordHash,
          {
            title: '欢迎使用政府消费券（演示数据）',
            body: `这是綦江区${shop.name}的演示商户账号，可在"消费券收银台"核销顾客的付款码。所有演示账号的密码都是 ${DEMO_PASSWORD}。`,
            link: '/vouchers/merchant',
          },
        );
        const uscc17 = `92500110MA${String(6000000 + i)}`;
        const uscc = uscc17 + usccCheckCharacter(uscc17);
        await p.services.organisations.createWithOwner(tx, { kind: 'merchant', fullName: `綦江区${shop.name}`, uscc, regionCode: township.code }, user.id);
        out.push({ uscc });
      }
      return out;
    });
  });

  await steps.step('vouchers.merchant-enrolment', async () => {
    const [bureauUser] = await p.db.select({ id: users.id }).from(users).where(eq(users.username, bureauUsername));
    const bureauOrg = await p.db.query.voucherCampaigns.findFirst({ where: (c, { eq: is }) => is(c.id, campaignId) });
    if (!bureauUser || !bureauOrg) throw new Error('the voucher bureau or campaign is missing');
    const actor = demoBureauActor(bureauUser.id, bureauOrg.bureauId);
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('商户名单');
    ws.addRow(['商户名称', '经营地址', '所在街镇', '经营类别', '商户编号', '联系人', '联系电话', '统一社会信用代码']);
    for (const [i, shop] of SHOPS.entries()) {
      const t = QIJIANG_TOWNSHIPS[i]!;
      ws.addRow([
        `綦江区${shop.name}`,
        `重庆市綦江区${t.name}${shop.street}`,
        t.name,
        merchantCategoryName(shop.category),
        `1025001100${String(10001 + i)}`,
        '店主',
        `1390000${1100 + i}`,
        orgs[i]!.uscc,
      ]);
    }
    const r = await p.services.voucherMerchants.bulkEnrol(actor, campaignId, new Uint8Array(await wb.xlsx.writeBuffer()));
    if (r.errors.length) throw new Error(`demo merchants refused: ${r.errors.map((e) => `${e.row}: ${e.message}`).join('; ')}`);
    log(`  enrolled ${r.enrolled} voucher merchants`);
    return r.enrolled;
  });

  // Each shop's owner adds its storefront photo (the sheet brings none), as a merchant would afterwards.
  for (const [i, shop] of SHOPS.entries()) {
    await steps.step(`vouchers.merchant-photo:${i}`, async () => {
      const [owner] = await p.db
        .select({ id: users.id })
        .from(users)
        .where(eq(users.username, shopLogin(i)));
      if (!owner) return 0;
      const actor = await p.services.accounts.actorForUser(owner.id);
      const enrolment = (await p.services.voucherMerchants.mine(actor)).find((m) => m.campaignId === campaignId);
      if (!enrolment || enrolment.photoUrl) return 0;
      const photo = await p.services.files.upload(actor, {
        filename: `${shop.name}门头.png`,
        contentType: 'image/png',
        bytes: await storefrontPicture(shop.name, shop.category),
        imageOnly: true,
      });
      await p.services.voucherMerchants.setPhoto(actor, enrolment.id, { photoFileId: photo.id });
      return 1;
    });
  }
  log("  added the demo merchants' storefront photos");

  // One mall merchant (消费帮扶馆) enrolled too, as 超市 (通用券 applies): its mall checkout accepts the coupons.
  await steps.step('vouchers.mall-merchant', async () => {
    const [org] = await p.db.select().from(organisations).where(eq(organisations.fullName, '酉阳县花田乡贡米专业合作社'));
    if (!org) return 0;
    await p.db
      .insert(voucherMerchants)
      .values({
        campaignId,
        organisationId: org.id,
        name: org.fullName,
        address: '重庆市酉阳县花田乡（消费帮扶馆网店）',
        regionCode: org.regionCode ?? '500242209',
        category: 'supermarket',
        merchantNo: '102500242010001',
        contactName: '冉经理',
        contactMobile: '13900000032',
        mallStorefront: true,
        status: 'approved',
        reviewedAt: new Date(),
      })
      .onConflictDoNothing();
    log('  enrolled the mall merchant 酉阳县花田乡贡米专业合作社 (超市)');
    return 1;
  });
}

const SIGN_COLOURS: Record<string, string> = {
  dining: '#b91c1c',
  supermarket: '#15803d',
  department_store: '#7c3aed',
  mall: '#1d4ed8',
  appliances: '#0369a1',
  building_materials: '#a16207',
};

/** A drawn storefront for the demo: a shop front with its sign board (the name, when a CJK font is installed). */
async function storefrontPicture(name: string, category: string): Promise<Uint8Array> {
  const colour = SIGN_COLOURS[category] ?? '#374151';
  const escape = (t: string) => t.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
  const title = name.replace(/[（(].*$/, '').trim();
  const size = title.length > 9 ? 34 : 44;
  const sign = findCjkFont()
    ? `<text x="320" y="${118 + size / 3}" font-size="${size}" text-anchor="middle" fill="#fff7d6" font-family="Noto Sans CJK SC, Source Han Sans CN, WenQuanYi Micro Hei, sans-serif" font-weight="700">${escape(title)}</text>`
    : '';
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="640" height="480" viewBox="0 0 640 480">
  <rect width="640" height="480" fill="#dbeafe"/>
  <rect y="380" width="640" height="100" fill="#9ca3af"/>
  <rect x="40" y="60" width="560" height="330" fill="#f3f4f6" stroke="#6b7280" stroke-width="4"/>
  <rect x="40" y="60" width="560" height="110" fill="${colour}"/>
  <path d="M40 170 h560 l-20 36 h-520 z" fill="#fde68a" stroke="#b45309" stroke-width="3"/>
  <rect x="80" y="220" width="200" height="160" fill="#bfdbfe" stroke="#6b7280" stroke-width="4"/>
  <rect x="330" y="220" width="230" height="170" fill="#7c2d12" opacity="0.85"/>
  <line x1="445" y1="220" x2="445" y2="390" stroke="#fef3c7" stroke-width="3"/>
  ${sign}
</svg>`;
  return new Uint8Array(await sharp(Buffer.from(svg)).png().toBuffer());
}
