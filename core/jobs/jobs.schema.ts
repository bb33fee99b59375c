import { z } from 'zod';
import { PageNumber, PageOf, PageSize } from '../shared/paging';

export const JOB_STATUSES = ['pending', 'running', 'done', 'failed'] as const;

export const JobListQuery = z.object({
  page: PageNumber,
  pageSize: PageSize(100, 20),
  status: z.enum(JOB_STATUSES, { message: '状态无效' }).optional(),
  kind: z
    .string()
    .trim()
    .max(100, '类型过长')
    .optional()
    .transform((v) => v || undefined),
});
export type JobListQuery = z.infer<typeof JobListQuery>;

/** One job as operators see it (the payload stays internal: it may carry personal data). */
export const JobView = z.object({
  id: z.uuid(),
  kind: z.string(),
  key: z.string(),
  status: z.enum(JOB_STATUSES),
  runAt: z.string(),
  attempts: z.number().int(),
  maxAttempts: z.number().int(),
  lastError: z.string().nullable(),
  lockedBy: z.string().nullable(),
  lockedUntil: z.string().nullable(),
  finishedAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type JobView = z.infer<typeof JobView>;

export const JobPage = PageOf(JobView).extend({ kinds: z.array(z.string()) });

export const JobStats = z.object({
  byStatus: z.object({ pending: z.number(), running: z.number(), done: z.number(), failed: z.number() }),
  oldestDueAgeMs: z.number(),
  outboxLagMs: z.number(),
  failures: z.object({ total: z.number(), failedForGood: z.number(), waiting: z.number() }),
});

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** The operator's view of a row. */
export function toJobView(r: {
  id: string;
  kind: string;
  key: string;
  status: JobView['status'];
  runAt: Date;
  attempts: number;
  maxAttempts: number;
  lastError: string | null;
  lockedBy: string | null;
  lockedUntil: Date | null;
  finishedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}): JobView {
  return {
    id: r.id,
    kind: r.kind,
    key: r.key,
    status: r.status,
    runAt: r.runAt.toISOString(),
    attempts: r.attempts,
    maxAttempts: r.maxAttempts,
    lastError: r.lastError,
    lockedBy: r.lockedBy,
    lockedUntil: iso(r.lockedUntil),
    finishedAt: iso(r.finishedAt),
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

/** What operators read for a status. */
export const JOB_STATUS_LABELS: Record<(typeof JOB_STATUSES)[number], string> = {
  pending: '等待执行',
  running: '执行中',
  done: '已完成',
  failed: '已失败',
};

/** What operators read for a kind; an unknown kind is shown as it is. */
export const JOB_KIND_LABELS: Record<string, string> = {
  'rooms.round-close': '二次竞价截止',
  'wallet.recharge-expire': '在线充值超时关闭',
  'escrow.milestone-remind': '验收提醒',
  'escrow.milestone-accept': '到期自动验收',
  'mall.order-expire': '商城订单超时取消',
  'mall.order-receive': '商城订单自动收货',
  'mall.order-complete': '商城订单完成结算',
  'outbox:site-message': '站内信推送',
  'outbox:message-unread': '未读消息数推送',
  'outbox:sms': '短信发送',
  'outbox:email': '邮件发送',
};

export const jobKindLabel = (kind: string) => JOB_KIND_LABELS[kind] ?? kind;
