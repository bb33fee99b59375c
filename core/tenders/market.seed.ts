import type { Db } from '../../db/client';
import { DEMO_PASSWORD, insertDemoUser } from '../accounts/accounts.seed';
import { hashPassword } from '../accounts/passwords';
import type { OrganisationService } from '../organisations/organisations.service';
import { usccCheckCharacter } from '../shared/validators';

/**
 * The demo market around the base demo's two enterprises and three providers: more enterprises and
 * providers (storefronts with items and cases), and requirements in every state of a tender, each
 * with the state it should reach. The data only; core/escrow/escrow.seed.ts walks each requirement
 * there through the services. The base demo's organisations take no part, so the journeys that start
 * from their balances and lists find them as before.
 */

export interface MarketOrg {
  key: string;
  kind: 'enterprise' | 'provider';
  fullName: string;
  /** Region of registration (2, 4 or 6 digits). */
  regionCode: string;
  intro: string;
}

export interface MarketProvider extends MarketOrg {
  kind: 'provider';
  qualifications: string;
  regionsServed: string[];
  categoryCodes: string[];
  phone: string;
  items: { title: string; categoryCode: string; priceMinFen: number; priceMaxFen: number; priceUnit: string; description: string }[];
  cases: { title: string; clientName: string; year: number; description: string }[];
}

export const MARKET_ENTERPRISES: MarketOrg[] = [
  { key: 'nanfeng', kind: 'enterprise', fullName: '赣州南丰脐橙果业有限公司', regionCode: '360703', intro: '脐橙种植、分选与冷链销售，年产鲜果 2 万吨。' },
  { key: 'rongjiang', kind: 'enterprise', fullName: '江西蓉江家具制造有限公司', regionCode: '360703', intro: '南康实木家具制造，产品销往全国 20 余个省份。' },
  { key: 'ruijin', kind: 'enterprise', fullName: '瑞金红都文旅发展有限公司', regionCode: '360781', intro: '红色文旅景区运营、研学接待与文创产品。' },
  { key: 'hongcheng', kind: 'enterprise', fullName: '南昌洪城智能装备有限公司', regionCode: '3601', intro: '工业机器人集成与自动化产线，国家高新技术企业。' },
  { key: 'yuezhou', kind: 'enterprise', fullName: '广州粤洲跨境电商有限公司', regionCode: '4401', intro: '农产品跨境电商，自营店铺 12 家。' },
  { key: 'qianjiang', kind: 'enterprise', fullName: '重庆黔江山地农业开发有限公司', regionCode: '5001', intro: '高山蔬菜与中药材种植基地 3000 亩。' },
];

export const MARKET_PROVIDERS: MarketProvider[] = [
  {
    key: 'hengxin',
    kind: 'provider',
    fullName: '赣州恒信会计师事务所',
    regionCode: '360702',
    intro: '年度审计、专项审计与高新企业审计，注册会计师 18 名。',
    qualifications: '会计师事务所执业证书；证券服务业务备案。',
    regionsServed: ['36'],
    categoryCodes: ['finance.03', 'finance.06'],
    phone: '0797-8236688',
    items: [
      {
        title: '年度财务报表审计',
        categoryCode: 'finance.03',
        priceMinFen: 800_000,
        priceMaxFen: 3_000_000,
        priceUnit: '次',
        description: '按资产规模计价，出具标准审计报告。',
      },
      {
        title: '高新技术企业专项审计',
        categoryCode: 'finance.03',
        priceMinFen: 500_000,
        priceMaxFen: 1_200_000,
        priceUnit: '次',
        description: '研发费用与高新收入专项审计报告。',
      },
    ],
    cases: [{ title: '稀土企业年度审计', clientName: '赣州某稀土集团', year: 2025, description: '集团及 6 家子公司合并报表审计。' }],
  },
  {
    key: 'dingfeng',
    kind: 'provider',
    fullName: '江西鼎丰律师事务所',
    regionCode: '3601',
    intro: '企业常年法律顾问、合同审查、劳动争议与股权设计。',
    qualifications: '律师事务所执业许可证；执业律师 32 名。',
    regionsServed: ['36', '44'],
    categoryCodes: ['legal.01', 'legal.02', 'legal.04', 'legal.05'],
    phone: '0791-88230011',
    items: [
      {
        title: '企业常年法律顾问',
        categoryCode: 'legal.01',
        priceMinFen: 2_000_000,
        priceMaxFen: 6_000_000,
        priceUnit: '年',
        description: '合同审查、法律咨询、律师函，不限次数。',
      },
      {
        title: '合同审查（单份）',
        categoryCode: 'legal.02',
        priceMinFen: 80_000,
        priceMaxFen: 300_000,
        priceUnit: '份',
        description: '三个工作日内出具修改意见。',
      },
      {
        title: '股权架构设计',
        categoryCode: 'legal.05',
        priceMinFen: 1_000_000,
        priceMaxFen: 5_000_000,
        priceUnit: '次',
        description: '合伙人股权、期权池与融资条款设计。',
      },
    ],
    cases: [
      { title: '家具企业劳动用工合规', clientName: '南康某家具企业', year: 2025, description: '梳理 600 名员工劳动合同与规章制度。' },
      { title: '农业合作社股权改造', clientName: '于都某合作社', year: 2024, description: '合作社改制为有限公司的股权设计。' },
    ],
  },
  {
    key: 'yunchuang',
    kind: 'provider',
    fullName: '南昌云创信息技术有限公司',
    regionCode: '3601',
    intro: '小程序、企业网站、ERP 对接与数据看板，开发工程师 40 名。',
    qualifications: 'ISO 27001 信息安全管理体系认证；软件企业证书。',
    regionsServed: [],
    categoryCodes: ['it.01', 'it.02', 'it.03', 'it.06'],
    phone: '0791-86601234',
    items: [
      {
        title: '企业官网建设',
        categoryCode: 'it.01',
        priceMinFen: 1_500_000,
        priceMaxFen: 5_000_000,
        priceUnit: '套',
        description: '响应式网站，含后台与一年运维。',
      },
      {
        title: '微信小程序商城',
        categoryCode: 'it.03',
        priceMinFen: 3_000_000,
        priceMaxFen: 12_000_000,
        priceUnit: '套',
        description: '商品、订单、会员与分销。',
      },
      {
        title: '经营数据看板',
        categoryCode: 'it.06',
        priceMinFen: 2_000_000,
        priceMaxFen: 8_000_000,
        priceUnit: '套',
        description: '对接 ERP 与电商平台，日报自动推送。',
      },
    ],
    cases: [{ title: '脐橙溯源小程序', clientName: '赣州某果业公司', year: 2025, description: '一果一码，扫码可见果园、采摘与物流信息。' }],
  },
  {
    key: 'huarui',
    kind: 'provider',
    fullName: '江西华瑞检测认证有限公司',
    regionCode: '360700',
    intro: '食品、建材与环境检测，ISO 体系认证咨询。',
    qualifications: 'CMA 资质认定；CNAS 实验室认可。',
    regionsServed: ['36', '43'],
    categoryCodes: ['testing.01', 'testing.02', 'testing.04'],
    phone: '0797-8399012',
    items: [
      {
        title: '食品全项检测',
        categoryCode: 'testing.01',
        priceMinFen: 150_000,
        priceMaxFen: 600_000,
        priceUnit: '批',
        description: '按国标全项检测，七个工作日出报告。',
      },
      {
        title: 'ISO 9001 认证咨询',
        categoryCode: 'testing.02',
        priceMinFen: 1_000_000,
        priceMaxFen: 2_500_000,
        priceUnit: '次',
        description: '体系文件、内审员培训与认证陪审。',
      },
    ],
    cases: [{ title: '脐橙出口检测', clientName: '赣州某果业公司', year: 2024, description: '农残 200 项检测，支持出口东南亚。' }],
  },
  {
    key: 'lingyun',
    kind: 'provider',
    fullName: '广州凌云电商运营有限公司',
    regionCode: '4401',
    intro: '天猫、京东、抖音店铺代运营与直播带货。',
    qualifications: '天猫六星服务商；抖音电商服务商。',
    regionsServed: [],
    categoryCodes: ['marketing.01', 'marketing.02', 'marketing.04'],
    phone: '020-38881234',
    items: [
      {
        title: '抖音店铺代运营',
        categoryCode: 'marketing.04',
        priceMinFen: 1_500_000,
        priceMaxFen: 4_000_000,
        priceUnit: '月',
        description: '选品、短视频、直播与投流。',
      },
      {
        title: '新媒体账号运营',
        categoryCode: 'marketing.02',
        priceMinFen: 500_000,
        priceMaxFen: 1_500_000,
        priceUnit: '月',
        description: '公众号、视频号与小红书内容。',
      },
    ],
    cases: [{ title: '赣南脐橙抖音直播', clientName: '赣州某果业公司', year: 2025, description: '双十一期间直播 30 场，销售 8 万箱。' }],
  },
  {
    key: 'boshi',
    kind: 'provider',
    fullName: '赣州博识人力资源服务有限公司',
    regionCode: '360702',
    intro: '招聘、社保代理、员工培训与薪酬绩效咨询。',
    qualifications: '人力资源服务许可证；劳务派遣经营许可证。',
    regionsServed: ['3607'],
    categoryCodes: ['hr.01', 'hr.03', 'hr.04', 'hr.05'],
    phone: '0797-8126677',
    items: [
      {
        title: '中高端人才招聘',
        categoryCode: 'hr.01',
        priceMinFen: 500_000,
        priceMaxFen: 2_000_000,
        priceUnit: '人',
        description: '按年薪 20% 收费，三个月保用期。',
      },
      {
        title: '员工技能培训',
        categoryCode: 'hr.04',
        priceMinFen: 300_000,
        priceMaxFen: 1_000_000,
        priceUnit: '场',
        description: '安全生产、班组长与销售技能培训。',
      },
    ],
    cases: [{ title: '家具企业薪酬改革', clientName: '南康某家具企业', year: 2024, description: '计件工资与绩效体系重建，流失率下降 40%。' }],
  },
  {
    key: 'zhiyuan',
    kind: 'provider',
    fullName: '江西致远管理咨询有限公司',
    regionCode: '3601',
    intro: '项目申报、战略咨询与融资咨询，服务省内企业 1200 余家。',
    qualifications: '江西省中小企业公共服务示范平台。',
    regionsServed: ['36'],
    categoryCodes: ['consulting.01', 'consulting.04', 'consulting.05', 'ip.04'],
    phone: '0791-86779900',
    items: [
      {
        title: '高新技术企业认定辅导',
        categoryCode: 'ip.04',
        priceMinFen: 1_500_000,
        priceMaxFen: 3_000_000,
        priceUnit: '次',
        description: '评估、材料编写与申报，未通过退费。',
      },
      {
        title: '政府项目申报',
        categoryCode: 'consulting.04',
        priceMinFen: 500_000,
        priceMaxFen: 2_000_000,
        priceUnit: '项',
        description: '专精特新、技改补贴与科技项目申报。',
      },
    ],
    cases: [{ title: '专精特新“小巨人”申报', clientName: '南昌某装备企业', year: 2025, description: '辅导企业获评国家级专精特新“小巨人”。' }],
  },
  {
    key: 'mojing',
    kind: 'provider',
    fullName: '重庆墨境视觉设计有限公司',
    regionCode: '5001',
    intro: '品牌设计、宣传片与产品摄影，专注农产品与文旅品牌。',
    qualifications: '设计师 15 名，导演 3 名。',
    regionsServed: ['50', '36'],
    categoryCodes: ['design.01', 'design.03', 'design.06'],
    phone: '023-67889900',
    items: [
      {
        title: '企业宣传片（3 分钟）',
        categoryCode: 'design.06',
        priceMinFen: 3_000_000,
        priceMaxFen: 8_000_000,
        priceUnit: '部',
        description: '策划、拍摄、剪辑与配音。',
      },
      { title: '产品摄影', categoryCode: 'design.03', priceMinFen: 50_000, priceMaxFen: 150_000, priceUnit: '款', description: '白底图、场景图与详情页。' },
    ],
    cases: [{ title: '红色文旅宣传片', clientName: '瑞金某文旅公司', year: 2025, description: '景区形象片，全网播放 200 万次。' }],
  },
];

/** The state a demo requirement is walked to (in that order of the tender's path). */
export type MarketGoal =
  'draft' | 'pending_review' | 'rejected' | 'open' | 'withdrawn' | 'room' | 'round_open' | 'round_closed' | 'awarded' | 'signed' | 'in_progress' | 'completed';

export interface MarketRequirement {
  key: string;
  owner: string;
  title: string;
  categoryCode: string;
  regionCode: string;
  budgetMinFen: number;
  budgetMaxFen: number;
  mode: 'competitive' | 'invitation';
  paymentMode: 'full_escrow' | 'instalments';
  goal: MarketGoal;
  /** Bidders (competitive) or invited providers who accepted (invitation); the first is selected. */
  bidders: string[];
  /** Days before the first start it was published (its dates are moved back by this much). */
  daysAgo: number;
  description: string;
}

const req = (
  key: string,
  owner: string,
  goal: MarketGoal,
  title: string,
  categoryCode: string,
  regionCode: string,
  budgetYuan: [number, number],
  bidders: string[],
  daysAgo: number,
  description: string,
  mode: 'competitive' | 'invitation' = 'competitive',
): MarketRequirement => ({
  key,
  owner,
  title,
  categoryCode,
  regionCode,
  budgetMinFen: budgetYuan[0] * 100,
  budgetMaxFen: budgetYuan[1] * 100,
  mode,
  paymentMode: budgetYuan[1] >= 50_000 ? 'instalments' : 'full_escrow',
  goal,
  bidders,
  daysAgo,
  description,
});

/** 36 requirements: every state, ten service categories, regions from 赣州 to 广州 and 重庆. */
export const MARKET_REQUIREMENTS: MarketRequirement[] = [
  // Completed, with reviews both ways: the showcase's ratings come from these.
  req(
    'c01',
    'nanfeng',
    'completed',
    '2025 年度财务报表审计',
    'finance.03',
    '360703',
    [15_000, 30_000],
    ['hengxin', 'zhiyuan'],
    150,
    '合并报表审计，出具标准无保留意见审计报告，用于银行授信。',
  ),
  req(
    'c02',
    'rongjiang',
    'completed',
    '员工劳动合同与规章制度全面审查',
    'legal.04',
    '360703',
    [8_000, 20_000],
    ['dingfeng', 'boshi'],
    140,
    '600 名员工的劳动合同、员工手册与计件工资制度合规审查。',
  ),
  req(
    'c03',
    'nanfeng',
    'completed',
    '脐橙溯源小程序开发',
    'it.03',
    '360703',
    [40_000, 90_000],
    ['yunchuang', 'lingyun'],
    130,
    '一果一码溯源：果园、采摘、分选与物流信息，消费者扫码查看。',
  ),
  req(
    'c04',
    'ruijin',
    'completed',
    '景区形象宣传片拍摄',
    'design.06',
    '360781',
    [40_000, 80_000],
    ['mojing', 'lingyun'],
    125,
    '3 分钟景区形象片与 30 秒短视频各一部，含航拍。',
  ),
  req(
    'c05',
    'hongcheng',
    'completed',
    '高新技术企业认定申报辅导',
    'ip.04',
    '3601',
    [15_000, 30_000],
    ['zhiyuan', 'hengxin'],
    120,
    '今年首次申报，需要评估、研发项目梳理与申报材料编写。',
  ),
  req(
    'c06',
    'yuezhou',
    'completed',
    '天猫旗舰店三个月代运营',
    'marketing.04',
    '4401',
    [40_000, 100_000],
    ['lingyun', 'yunchuang'],
    115,
    '赣南脐橙与客家米粉旗舰店，负责上新、活动与客服。',
  ),
  req('c07', 'qianjiang', 'completed', '有机蔬菜基地农残检测', 'testing.01', '5001', [5_000, 15_000], ['huarui'], 110, '12 个品种按批次检测农残，全年 4 次。'),
  req(
    'c08',
    'rongjiang',
    'completed',
    '车间班组长管理培训',
    'hr.04',
    '360703',
    [10_000, 25_000],
    ['boshi', 'zhiyuan'],
    100,
    '40 名班组长，两天集中培训与一个月跟踪辅导。',
  ),
  req(
    'c09',
    'ruijin',
    'completed',
    '文创产品品牌与包装设计',
    'design.01',
    '360781',
    [20_000, 50_000],
    ['mojing'],
    95,
    '红色文创系列 12 款产品的品牌标识与包装。',
    'invitation',
  ),
  req(
    'c10',
    'hongcheng',
    'completed',
    '股权激励方案设计',
    'legal.05',
    '3601',
    [30_000, 60_000],
    ['dingfeng'],
    90,
    '核心技术人员期权池与分期成熟条款设计。',
    'invitation',
  ),
  req(
    'c11',
    'yuezhou',
    'completed',
    '出口食品检测与报告',
    'testing.01',
    '4401',
    [8_000, 20_000],
    ['huarui', 'hengxin'],
    85,
    '出口东南亚的干货与调味品，按进口国标准检测。',
  ),
  req(
    'c12',
    'qianjiang',
    'completed',
    '基地宣传短视频制作',
    'design.06',
    '5001',
    [10_000, 30_000],
    ['mojing', 'lingyun'],
    80,
    '六条 60 秒短视频，用于抖音与视频号。',
  ),
  req(
    'c13',
    'nanfeng',
    'completed',
    '企业官网改版',
    'it.01',
    '360703',
    [20_000, 50_000],
    ['yunchuang'],
    75,
    '中英文官网，产品展示与经销商招募。',
    'invitation',
  ),
  req(
    'c14',
    'hongcheng',
    'completed',
    '专精特新企业申报',
    'consulting.04',
    '3601',
    [10_000, 30_000],
    ['zhiyuan', 'dingfeng'],
    70,
    '省级专精特新中小企业申报材料编写与答辩辅导。',
  ),
  // In progress: escrow funded, milestones delivered or accepted.
  req(
    'p01',
    'rongjiang',
    'in_progress',
    '家具电商详情页与主图设计',
    'design.03',
    '360703',
    [30_000, 60_000],
    ['mojing', 'lingyun'],
    45,
    '80 款实木家具的主图、详情页与场景图。',
  ),
  req(
    'p02',
    'yuezhou',
    'in_progress',
    '跨境店铺数据看板开发',
    'it.06',
    '4401',
    [50_000, 120_000],
    ['yunchuang', 'zhiyuan'],
    40,
    '对接 12 家店铺订单与广告数据，按日推送经营报表。',
  ),
  req(
    'p03',
    'qianjiang',
    'in_progress',
    '常年法律顾问服务',
    'legal.01',
    '5001',
    [20_000, 50_000],
    ['dingfeng'],
    35,
    '一年期法律顾问，含合同审查与纠纷处理。',
    'invitation',
  ),
  req(
    'p04',
    'ruijin',
    'in_progress',
    '研学基地 ISO 9001 认证咨询',
    'testing.02',
    '360781',
    [15_000, 30_000],
    ['huarui', 'zhiyuan'],
    30,
    '建立质量管理体系并通过第三方认证。',
  ),
  // Agreement signed, not yet funded; awarded without an agreement.
  req(
    's01',
    'hongcheng',
    'signed',
    '工业机器人产品宣传册设计',
    'design.03',
    '3601',
    [8_000, 20_000],
    ['mojing', 'yunchuang'],
    20,
    '中英文产品手册 40 页，含产品摄影。',
  ),
  req('s02', 'nanfeng', 'awarded', '销售团队招聘（5 人）', 'hr.01', '360703', [20_000, 50_000], ['boshi'], 14, '招聘区域销售经理 5 名，三个月保用期。'),
  req('s03', 'yuezhou', 'awarded', '品牌商标国际注册', 'ip.01', '4401', [20_000, 60_000], ['zhiyuan', 'dingfeng'], 12, '马德里体系注册，指定东南亚 6 国。'),
  // Bidding rooms: the opening passed; a second round running; one finished.
  req(
    'r01',
    'rongjiang',
    'round_closed',
    '南康家具产业园宣传片',
    'design.06',
    '360703',
    [50_000, 120_000],
    ['mojing', 'lingyun', 'yunchuang'],
    9,
    '产业园形象片与招商短片，含航拍与三维动画。',
  ),
  req(
    'r02',
    'hongcheng',
    'round_open',
    'MES 生产执行系统开发',
    'it.02',
    '3601',
    [200_000, 500_000],
    ['yunchuang', 'zhiyuan', 'huarui'],
    8,
    '覆盖排产、报工、质检与设备管理，对接现有 ERP。',
  ),
  req(
    'r03',
    'qianjiang',
    'room',
    '中药材种植基地 GAP 认证咨询',
    'consulting.03',
    '5001',
    [30_000, 80_000],
    ['huarui', 'zhiyuan'],
    7,
    '黄连、党参基地中药材 GAP 认证全过程咨询。',
  ),
  req(
    'r04',
    'ruijin',
    'room',
    '研学课程体系开发',
    'consulting.02',
    '360781',
    [20_000, 60_000],
    ['zhiyuan', 'boshi'],
    6,
    '小学、初中两个学段的红色研学课程与教师手册。',
  ),
  // Open in the hall: opening in the coming days, some already with proposals.
  req('o01', 'nanfeng', 'open', '冷库能耗监测系统集成', 'it.04', '360703', [80_000, 150_000], ['yunchuang'], 3, '6 座冷库的温湿度与能耗监测，异常短信告警。'),
  req('o02', 'rongjiang', 'open', '年度社保与公积金代理', 'hr.03', '360703', [10_000, 30_000], ['boshi'], 3, '约 600 人的社保、公积金增减员与申报。'),
  req(
    'o03',
    'yuezhou',
    'open',
    '抖音直播间搭建与主播培训',
    'marketing.02',
    '4401',
    [20_000, 60_000],
    ['lingyun', 'mojing'],
    2,
    '直播间灯光布景与 4 名主播一个月带教。',
  ),
  req('o04', 'hongcheng', 'open', '网络安全等级保护测评', 'it.07', '3601', [40_000, 80_000], [], 2, '生产管理系统等保二级测评与整改建议。'),
  req(
    'o05',
    'qianjiang',
    'open',
    '农产品区域公用品牌策划',
    'design.01',
    '5001',
    [60_000, 150_000],
    ['mojing'],
    1,
    '黔江高山蔬菜区域公用品牌命名、标识与推广方案。',
  ),
  req('o06', 'ruijin', 'open', '景区年度审计', 'finance.03', '360781', [10_000, 25_000], ['hengxin'], 1, '2026 年度财务报表审计。'),
  req('o07', 'nanfeng', 'open', '果园土壤与水质环境检测', 'testing.04', '360703', [8_000, 20_000], [], 1, '3 个果园土壤重金属与灌溉水质检测。'),
  // Before the hall and out of it.
  req('w01', 'yuezhou', 'withdrawn', '海外仓选址咨询', 'consulting.01', '4401', [30_000, 80_000], [], 10, '东南亚海外仓选址与成本测算。'),
  req('x01', 'hongcheng', 'rejected', '展会活动策划', 'marketing.03', '3601', [20_000, 50_000], [], 5, '参加工博会的展位设计与活动策划。'),
  req('q01', 'qianjiang', 'pending_review', '电商代记账服务', 'finance.01', '5001', [6_000, 12_000], [], 0, '三家网店的代理记账与纳税申报。'),
  req('q02', 'ruijin', 'pending_review', '文创商标注册', 'ip.01', '360781', [3_000, 8_000], [], 0, '12 个文创商标在 3 个类别的注册。'),
  req('d01', 'rongjiang', 'draft', '工厂数字化转型诊断', 'consulting.02', '360703', [30_000, 60_000], [], 0, '生产、仓储与销售环节数字化现状诊断与规划。'),
];

/** A demo organisation's owner login: m + key (password DEMO_PASSWORD); a mobile of its own. */
export const marketLogin = (key: string) => `m${key}`;

/** The enterprises and providers with their owners, in one transaction; their organisation and user ids by key. */
export async function seedMarketOrganisations(
  p: { db: Db; services: { organisations: Pick<OrganisationService, 'createWithOwner'> } },
  log: (line: string) => void,
): Promise<Record<string, { organisationId: string; userId: string }>> {
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  log(`  seeding the market's ${MARKET_ENTERPRISES.length} enterprises and ${MARKET_PROVIDERS.length} providers`);
  return p.db.transaction(async (tx) => {
    const out: Record<string, { organisationId: string; userId: string }> = {};
    for (const [i, o] of [...MARKET_ENTERPRISES, ...MARKET_PROVIDERS].entries()) {
      const region6 = o.regionCode.padEnd(6, '0');
      const first17 = `91${region6}MA${String(3_600_001 + i * 7919).slice(0, 7)}`;
      const user = await insertDemoUser(
        tx,
        { username: marketLogin(o.key), mobile: `139000050${String(i + 10).padStart(2, '0')}`, displayName: `${o.fullName.slice(-6)} 经办人` },
        passwordHash,
        { title: '欢迎使用帮扶平台（演示数据）', body: `这是 ${o.fullName} 的演示账号。密码 ${DEMO_PASSWORD}。`, link: '/account' },
      );
      const org = await p.services.organisations.createWithOwner(
        tx,
        { kind: o.kind, fullName: o.fullName, uscc: first17 + usccCheckCharacter(first17), regionCode: o.regionCode },
        user.id,
      );
      out[o.key] = { organisationId: org.id, userId: user.id };
    }
    return out;
  });
}
