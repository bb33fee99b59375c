import { z } from 'zod';

/**
 * The monitoring context's vocabulary (manual 002) and the inputs and views it shares across its
 * services, routes and pages. Each service keeps its own detailed schemas next to it.
 */

export const UNIT_KINDS = ['province', 'city', 'market', 'chain', 'ecommerce', 'enterprise', 'wholesaler', 'store'] as const;
export type MonitoringUnitKind = (typeof UNIT_KINDS)[number];
export const UNIT_KIND_LABELS: Record<MonitoringUnitKind, string> = {
  province: '省级扶贫部门',
  city: '地级市扶贫部门',
  market: '农产品批发市场',
  chain: '连锁商超',
  ecommerce: '本地电商平台',
  enterprise: '企业',
  wholesaler: '批发商',
  store: '门店',
};
/** Kinds a city's administrator opens (采购商账号管理). */
export const CHANNEL_KINDS = ['market', 'chain', 'ecommerce'] as const;
/** The sub-account kind a market or chain opens. */
export const SUB_ACCOUNT_KIND = { market: 'wholesaler', chain: 'store' } as const;

export const MONITORING_ROLES = ['admin', 'auditor', 'reporter'] as const;
export type MonitoringRole = (typeof MONITORING_ROLES)[number];
export const MONITORING_ROLE_LABELS: Record<MonitoringRole, string> = { admin: '管理员', auditor: '审核员', reporter: '填报账号' };

export const FILING_TYPES = ['backfill', 'regular'] as const;
export type FilingType = (typeof FILING_TYPES)[number];
export const FILING_TYPE_LABELS: Record<FilingType, string> = { backfill: '上半年购销信息补登', regular: '购销信息登记' };

export const RECORD_STATUSES = ['draft', 'filed', 'submitted', 'approved', 'returned'] as const;
export type RecordStatus = (typeof RECORD_STATUSES)[number];
export const RECORD_STATUS_LABELS: Record<RecordStatus, string> = {
  draft: '草稿',
  filed: '已填报',
  submitted: '已提交',
  approved: '审核通过',
  returned: '退回修改',
};

export const CATEGORIES = ['粮食', '蔬菜', '水果', '畜禽肉蛋', '水产品', '食用油', '茶叶', '食用菌', '中药材', '饮品酒水', '加工食品', '其他'] as const;
export type Category = (typeof CATEGORIES)[number];
export const UNITS = ['吨', '公斤', '斤', '件', '箱', '袋', '盒', '瓶', '头', '只', '份', '其他'] as const;

export const EVIDENCE_KINDS = ['invoice', 'contract', 'waybill', 'other', 'mall_order'] as const;
export type EvidenceKind = (typeof EVIDENCE_KINDS)[number];
export const EVIDENCE_KIND_LABELS: Record<EvidenceKind, string> = {
  invoice: '发票',
  contract: '合同',
  waybill: '运单',
  other: '其他佐证材料',
  mall_order: '商城订单',
};
/** Evidence files: PDF or images, at most 10 MB each, at most 10 per record. */
export const EVIDENCE_CONTENT_TYPES = ['application/pdf', 'image/png', 'image/jpeg', 'image/webp'] as const;
export const EVIDENCE_MAX_BYTES = 10 * 1024 * 1024;
export const EVIDENCE_MAX_PER_RECORD = 10;

/** Levels a person acts at on a record. */
export const LEVELS = ['reporter', 'parent', 'department'] as const;
export type Level = (typeof LEVELS)[number];
export const LEVEL_LABELS: Record<Level, string> = { reporter: '填报单位', parent: '市场/商超', department: '扶贫部门' };

export const Mobile = z
  .string({ error: '请填写手机号' })
  .trim()
  .regex(/^1[3-9]\d{9}$/, '请填写 11 位手机号');
export const ContactName = z.string({ error: '请填写联系人' }).trim().min(1, '请填写联系人').max(20, '联系人最多 20 个字');
export const UnitName = z.string({ error: '请填写单位名称' }).trim().min(2, '单位名称至少 2 个字').max(60, '单位名称最多 60 个字');
/** GB/T 2260 code of a prefecture-level city (e.g. 440100). */
export const CityCode = z.string({ error: '请选择所在地级市' }).regex(/^\d{4}00$/, '请选择所在地级市');
