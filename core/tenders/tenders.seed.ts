import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client';
import type { AccountService } from '../accounts/accounts.service';
import type { Clock } from '../shared/clock';
import type { Ledger } from '../wallet/ledger.service';
import type { InvitationService } from './invitations.service';
import type { ProposalService } from './proposals.service';
import type { RequirementService } from './requirements.service';
import type { StorefrontService } from './storefronts.service';
import type { Actor } from '../shared/actor';
import { DAY } from '../shared/clock';
import { users } from '../../db/schema';
import { createSeedSteps, type SeedSteps } from '../platform/seed-steps';

/**
 * Demo marketplace data, made through the real services so that every fen moves through the ledger
 * and every state is one the machine allows: storefronts for the three providers, funded enterprise
 * wallets, requirements in the hall (a competitive one with proposals, an invitation one with an
 * accepted invitation and a negotiation), one waiting for review and one draft.
 * Runs right after the base demo data; each call is a recorded step, so an interrupted seed resumes.
 */
/** What the marketplace's seed uses of the platform (see SeedFn). */
export interface TendersSeedHost {
  db: Db;
  clock: Clock;
  services: {
    accounts: AccountService;
    ledger: Ledger;
    storefronts: StorefrontService;
    requirements: RequirementService;
    proposals: ProposalService;
    invitations: InvitationService;
  };
}

export async function seedDemoTenders(p: TendersSeedHost, log: (line: string) => void = () => {}, steps: SeedSteps = createSeedSteps(p.db)): Promise<boolean> {
  const s = p.services;
  const step = steps.step;
  const as = async (username: string): Promise<Actor> => {
    const [u] = await p.db.select({ id: users.id }).from(users).where(eq(users.username, username));
    return s.accounts.actorForUser(u!.id);
  };
  const [operator, qinghe, xitu, chengxin, zhixing, chuangxiang] = (await Promise.all(
    ['operator', 'qinghe', 'xitu', 'chengxin', 'zhixing', 'chuangxiang'].map(as),
  )) as [Actor, Actor, Actor, Actor, Actor, Actor];
  const now = p.clock.now();
  const at = (ms: number) => new Date(now.getTime() + ms);
  // Opening times on the hour, Shanghai time, so the demo reads naturally.
  const openingIn = (days: number, hourShanghai: number) => {
    const d = at(days * DAY);
    d.setUTCHours(hourShanghai - 8, 0, 0, 0);
    return d.toISOString();
  };
  const day = (days: number) =>
    at(days * DAY)
      .toISOString()
      .slice(0, 10);

  log('  seeding storefronts');
  await step('tenders:storefront:chengxin', () =>
    s.storefronts
      .update(chengxin, {
        introduction: '赣州诚信财税咨询有限公司成立于 2013 年，专注中小企业代理记账、纳税申报、税务筹划与审计报告，服务本地企业 800 余家。',
        qualifications: '代理记账许可证；注册会计师 6 名、税务师 4 名；赣州市优秀财税服务机构（2023）。',
        regionsServed: ['3607', '360702', '360703'],
        categoryCodes: ['finance.01', 'finance.02'],
        contactPhone: '0797-8123456',
      })
      .then(() => null),
  );
  for (const [i, item] of [
    {
      title: '小规模纳税人代理记账',
      categoryCode: 'finance.01',
      priceMinFen: 30_000,
      priceMaxFen: 30_000,
      priceUnit: '月',
      description: '票据整理、记账、月度申报、年度汇算清缴。',
    },
    {
      title: '一般纳税人代理记账',
      categoryCode: 'finance.01',
      priceMinFen: 60_000,
      priceMaxFen: 120_000,
      priceUnit: '月',
      description: '按票据量计价，含增值税、企业所得税申报。',
    },
    {
      title: '企业税务筹划',
      categoryCode: 'finance.02',
      priceMinFen: 500_000,
      priceMaxFen: 2_000_000,
      priceUnit: '次',
      description: '研发费用加计扣除、小微企业优惠政策适用分析。',
    },
  ].entries()) {
    await step(`tenders:item:chengxin:${i}`, () => s.storefronts.addItem(chengxin, item).then(() => null));
  }
  await step('tenders:case:chengxin', () =>
    s.storefronts
      .addCase(chengxin, {
        title: '某食品企业三年账务规范化',
        clientName: '赣州某食品有限公司',
        year: 2024,
        description: '梳理历史账务，建立月度结账流程，顺利通过税务检查。',
      })
      .then(() => null),
  );

  await step('tenders:storefront:zhixing', () =>
    s.storefronts
      .update(zhixing, {
        introduction: '江西知行知识产权代理有限公司：商标注册、专利申请、版权登记与知识产权贯标，专利代理师 15 名。',
        qualifications: '国家知识产权局备案专利代理机构；商标代理备案。',
        regionsServed: ['36', '3607'],
        categoryCodes: ['ip.01', 'ip.02'],
        contactPhone: '0791-86543210',
      })
      .then(() => null),
  );
  for (const [i, item] of [
    {
      title: '商标注册（单类）',
      categoryCode: 'ip.01',
      priceMinFen: 80_000,
      priceMaxFen: 80_000,
      priceUnit: '件',
      description: '查询、申报、补正与进度跟踪，含官费。',
    },
    {
      title: '发明专利申请',
      categoryCode: 'ip.02',
      priceMinFen: 600_000,
      priceMaxFen: 1_200_000,
      priceUnit: '件',
      description: '技术交底、撰写、答复审查意见。',
    },
  ].entries()) {
    await step(`tenders:item:zhixing:${i}`, () => s.storefronts.addItem(zhixing, item).then(() => null));
  }
  await step('tenders:case:zhixing', () =>
    s.storefronts
      .addCase(zhixing, {
        title: '稀土永磁材料专利布局',
        clientName: '江西某新材料企业',
        year: 2025,
        description: '完成 12 件发明专利申请与 3 件 PCT 国际申请。',
      })
      .then(() => null),
  );

  await step('tenders:storefront:chuangxiang', () =>
    s.storefronts
      .update(chuangxiang, {
        introduction: '赣州创想品牌设计工作室：品牌 VI、包装设计、电商详情页与短视频拍摄，为农产品打造好看的包装。',
        qualifications: '设计师 8 名，服务农产品品牌 60 余个。',
        regionsServed: ['3607'],
        categoryCodes: ['design.01', 'design.02'],
        contactPhone: '13900000023',
      })
      .then(() => null),
  );
  await step('tenders:item:chuangxiang:0', () =>
    s.storefronts
      .addItem(chuangxiang, {
        title: '农产品包装设计',
        categoryCode: 'design.02',
        priceMinFen: 300_000,
        priceMaxFen: 800_000,
        priceUnit: '套',
        description: '含三轮修改与印刷文件。',
      })
      .then(() => null),
  );
  await step('tenders:item:chuangxiang:1', () =>
    s.storefronts
      .addItem(chuangxiang, {
        title: '品牌标志与 VI 基础系统',
        categoryCode: 'design.01',
        priceMinFen: 800_000,
        priceMaxFen: 2_000_000,
        priceUnit: '套',
        description: '标志、标准字、色彩与应用规范。',
      })
      .then(() => null),
  );

  log('  seeding wallets');
  for (const [actor, amountFen] of [
    [qinghe, 5_000_000],
    [xitu, 3_000_000],
  ] as const) {
    const w = await s.ledger.ensureWallet(p.db, actor.organisation!.organisationId);
    await s.ledger.transfer(p.db, {
      debitAccountId: await s.ledger.platformAccount('gateway_clearing'),
      creditAccountId: w.availableId,
      amountFen,
      kind: 'recharge_online',
      reference: '演示充值',
      idempotencyKey: `demo:recharge:${actor.organisation!.organisationId}`,
    });
  }

  log('  seeding requirements');
  const publish = async (key: string, owner: Actor, input: Parameters<typeof s.requirements.saveDraft>[1], approve = true) => {
    const draft = await step(`tenders:requirement:${key}:draft`, () => s.requirements.saveDraft(owner, input).then((d) => ({ id: d.id })));
    await step(`tenders:requirement:${key}:submit`, () => s.requirements.submit(owner, draft.id).then(() => null));
    if (approve) await step(`tenders:requirement:${key}:review`, () => s.requirements.review(operator, draft.id, { decision: 'approve' }).then(() => null));
    return draft;
  };
  const base = { invoiceName: qinghe.organisation!.fullName, paymentMode: 'full_escrow' as const, attachmentIds: [] };

  const bookkeeping = await publish('bookkeeping', qinghe, {
    ...base,
    title: '年度代理记账与税务申报服务',
    categoryCode: 'finance.01',
    descriptionHtml:
      '<p>我公司为一般纳税人，年营业额约 3000 万元，每月票据约 400 张。需要：</p><ul><li>全年代理记账与月度纳税申报</li><li>年度企业所得税汇算清缴</li><li>每季度一次经营分析报告</li></ul><p>请在标书中说明团队配置与服务流程。</p>',
    budgetMinFen: 1_500_000,
    budgetMaxFen: 3_000_000,
    deliveryDate: day(45),
    regionCode: '360702',
    mode: 'competitive',
    openingAt: openingIn(3, 10),
    minBidders: 2,
  });
  await step('tenders:proposal:bookkeeping:chengxin', () =>
    s.proposals
      .submit(chengxin, bookkeeping.id, {
        priceFen: 2_400_000,
        plan: '由注册会计师带队的三人小组负责，每月 5 日前上门收取票据，15 日前完成申报，季度末出具经营分析报告。',
        timeline: '签约后 3 个工作日内启动，服务期 12 个月',
        attachmentIds: [],
      })
      .then(() => null),
  );
  await step('tenders:proposal:bookkeeping:zhixing', () =>
    s.proposals
      .submit(zhixing, bookkeeping.id, {
        priceFen: 2_800_000,
        plan: '与合作会计师事务所联合服务，提供线上票据系统，按月出具财务报表与纳税申报表。',
        timeline: '签约后 5 个工作日内启动，服务期 12 个月',
        attachmentIds: [],
      })
      .then(() => null),
  );

  await publish('packaging', qinghe, {
    ...base,
    title: '青禾食品品牌包装升级设计',
    categoryCode: 'design.02',
    descriptionHtml: '<p>为旗下 6 款腌制菜与辣椒酱产品重新设计包装，要求突出赣南客家特色，适合电商与商超两种渠道。</p>',
    budgetMinFen: 2_000_000,
    budgetMaxFen: 5_000_000,
    deliveryDate: day(60),
    regionCode: '360702',
    mode: 'competitive',
    paymentMode: 'instalments',
    openingAt: openingIn(5, 15),
    minBidders: 3,
  });

  const patent = await publish('patent', xitu, {
    ...base,
    invoiceName: xitu.organisation!.fullName,
    title: '稀土永磁材料专利检索与申请',
    categoryCode: 'ip.02',
    descriptionHtml: '<p>针对新研发的烧结钕铁硼工艺开展专利检索分析，并撰写提交 3 件发明专利申请。</p>',
    budgetMinFen: 3_000_000,
    budgetMaxFen: 6_000_000,
    deliveryDate: day(90),
    regionCode: '3607',
    mode: 'invitation',
    paymentMode: 'instalments',
  });
  const inv = await step('tenders:invitation:patent', () =>
    s.invitations
      .invite(xitu, { requirementId: patent.id, providerId: zhixing.organisation!.organisationId, note: '久仰贵所在稀土领域的专利经验，诚邀洽谈。' })
      .then((i) => ({ id: i.id })),
  );
  await step('tenders:invitation:patent:accept', () => s.invitations.respond(zhixing, inv.id, { decision: 'accept' }).then(() => null));
  await step('tenders:negotiation:patent:1', () =>
    s.invitations
      .postMessage(xitu, patent.id, zhixing.organisation!.organisationId, { body: '您好，我们希望先做一次专利检索，能否介绍一下检索范围和报价？' })
      .then(() => null),
  );
  await step('tenders:negotiation:patent:2', () =>
    s.invitations
      .postMessage(zhixing, patent.id, zhixing.organisation!.organisationId, {
        body: '您好！检索覆盖中国、美国、欧洲和日本的专利数据库，检索报告约两周完成，报价随后在方案中给出。',
      })
      .then(() => null),
  );

  await publish(
    'iso9001',
    xitu,
    {
      ...base,
      invoiceName: xitu.organisation!.fullName,
      title: 'ISO 9001 质量管理体系认证咨询',
      categoryCode: 'testing.02',
      descriptionHtml: '<p>协助我公司建立质量管理体系文件，完成内审与管理评审，通过第三方认证审核。</p>',
      budgetMinFen: 800_000,
      budgetMaxFen: 1_500_000,
      deliveryDate: day(120),
      regionCode: '3607',
      mode: 'competitive',
      openingAt: openingIn(7, 9),
      minBidders: 3,
    },
    false,
  );

  await step('tenders:requirement:labour:draft', () =>
    s.requirements
      .saveDraft(qinghe, {
        ...base,
        title: '员工劳动合同与规章制度合规审查',
        categoryCode: 'legal.02',
        descriptionHtml: '<p>审查现有劳动合同模板与员工手册，出具修改意见。</p>',
        budgetMinFen: 300_000,
        budgetMaxFen: 800_000,
        deliveryDate: day(30),
        regionCode: '360702',
        mode: 'competitive',
        openingAt: openingIn(4, 10),
        minBidders: 3,
      })
      .then(() => null),
  );
  return steps.ran;
}
