import { z } from 'zod';
import { PageNumber, PageSize } from '../shared/paging';

/** A calendar day the database can take (year 0 or 10000 would fail the query instead of the form). */
const auditDate = (name: string) =>
  z.iso.date(`${name}格式为 YYYY-MM-DD`).refine((d) => d >= '2000-01-01' && d <= '2099-12-31', `${name}须在 2000 年至 2099 年之间`);

/** Filters of the audit trail search (operators: everything; an organisation's admins: their own rows). */
export const AuditSearchQuery = z
  .object({
    from: auditDate('开始日期').optional(),
    to: auditDate('结束日期').optional(),
    /** An exact action (`wallet.withdrawal_approved`) or its context (`wallet`, `wallet.`). */
    action: z
      .string()
      .trim()
      .max(100, '操作不超过 100 个字符')
      .regex(/^[a-z0-9_.]*$/, '操作只能包含小写字母、数字、下划线和点')
      .optional(),
    /** The acting user's username (exact, case-insensitive). */
    actor: z.string().trim().max(40, '用户名不超过 40 个字符').optional(),
    organisationId: z.uuid('组织编号格式不正确').optional(),
    /** Part of the organisation's full name. */
    organisation: z.string().trim().max(100, '组织名称不超过 100 个字符').optional(),
    targetType: z.string().trim().max(40, '对象类型不超过 40 个字符').optional(),
    targetId: z.string().trim().max(100, '对象编号不超过 100 个字符').optional(),
    page: PageNumber,
    pageSize: PageSize(100, 20),
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { path: ['to'], message: '结束日期不能早于开始日期' });
export type AuditSearchQuery = z.input<typeof AuditSearchQuery>;
export type AuditSearch = z.output<typeof AuditSearchQuery>;

/** One row of the audit trail as operators and organisation admins see it. */
export interface AuditRowView {
  id: string;
  createdAt: Date;
  actorUserId: string | null;
  /** null: the platform itself (a job, a payment callback). */
  actorUsername: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  organisationId: string | null;
  organisationName: string | null;
  before: unknown;
  after: unknown;
  reason: string | null;
  ip: string | null;
  data: unknown;
}

/** Chinese names of the actions, for pages and exports; an unknown action shows as written. */
export const AUDIT_ACTION_LABELS: Record<string, string> = {
  'account.register': '注册账号',
  'account.login': '登录',
  'account.password_reset': '重置密码',
  'account.password_change': '修改密码',
  'admin.user_disable': '停用账号',
  'admin.user_enable': '启用账号',
  'admin.organisation_disabled': '停用组织',
  'admin.organisation_active': '启用组织',
  'organisation.member_approved': '确认员工身份',
  'organisation.member_rejected': '不通过员工审核',
  'organisation.member_role_changed': '修改成员角色',
  'settings.update': '修改平台设置',
  'legal.publish': '发布用户协议/隐私政策',
  'wallet.recharge_credited': '在线充值到账',
  'wallet.offline_recharge_confirmed': '确认线下充值',
  'wallet.offline_recharge_rejected': '驳回线下充值',
  'wallet.withdrawal_requested': '申请提现',
  'wallet.withdrawal_approved': '批准提现',
  'wallet.withdrawal_rejected': '驳回提现',
  'mall.transfer_confirmed': '确认对公转账',
  'mall.transfer_rejected': '驳回对公转账',
  'mall.payment_received': '商城支付到账',
  'mall.refund_paid': '商城退款',
  'mall.settlement_paid': '商城货款结算',
  'mall.product_taken_down': '平台下架商品',
  'mall.product_restored': '解除商品下架',
  'escrow.funded': '托管资金到账',
  'escrow.released': '托管资金放款',
  'escrow.after_sales_split': '售后处理分配',
  'escrow.terminated_split': '协商终止分配',
  'tenders.deposit_paid': '缴纳保证金',
  'tenders.deposit_forfeited': '没收保证金',
  'tenders.deposit_refunded': '退还保证金',
  'tenders.requirement_approved': '需求审核通过',
  'tenders.requirement_rejected': '需求审核驳回',
  'vouchers.campaign_created': '新建消费券活动',
  'vouchers.campaign_updated': '修改消费券活动',
  'vouchers.campaign_funded': '消费券资金划拨',
  'vouchers.issuance_created': '新增发券批次',
  'vouchers.issuance_updated': '修改发券批次',
  'vouchers.issuance_deleted': '删除发券批次',
  'vouchers.issuance_started': '发券批次开始发放',
  'vouchers.issuance_paused': '暂停发券批次',
  'vouchers.issuance_resumed': '恢复发券批次',
  'vouchers.issuance_stopped': '停止发券批次',
};

export const auditActionLabel = (action: string) => AUDIT_ACTION_LABELS[action] ?? action;

/**
 * One row of the trail as the API publishes it: AuditRowView with the action's Chinese name; times as
 * ISO strings (the service hands back Date values, which JSON turns into exactly that).
 */
export const AuditEntryView = z.object({
  id: z.uuid(),
  createdAt: z.iso.datetime(),
  actorUserId: z.uuid().nullable().describe('null: the platform itself (jobs, payment callbacks)'),
  actorUsername: z.string().nullable(),
  action: z.string(),
  actionLabel: z.string(),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  organisationId: z.uuid().nullable(),
  organisationName: z.string().nullable(),
  before: z.unknown(),
  after: z.unknown(),
  reason: z.string().nullable(),
  ip: z.string().nullable().describe('Operators only'),
  data: z.unknown(),
});

/** The actions found in the trail, with their Chinese names (the search's dropdown). */
export const AuditActionsView = z.object({ items: z.array(z.object({ action: z.string(), label: z.string() })) });
