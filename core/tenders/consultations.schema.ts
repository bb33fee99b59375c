import { z } from 'zod';
import { Paging } from '../shared/paging';
import { pageOf } from './tenders.schema';

/** 咨询: what the pre-sales conversation accepts and the views it returns (pages, API, sockets, tests). */

/** Longest message of a consultation, in characters. */
export const CONSULTATION_MESSAGE_MAX = 1000;

export const OpenConsultationInput = z.object({ providerId: z.uuid('请选择服务机构') });
export type OpenConsultationInput = z.input<typeof OpenConsultationInput>;

export const ConsultationMessageInput = z.object({
  body: z.string({ message: '请填写消息内容' }).trim().min(1, '请填写消息内容').max(CONSULTATION_MESSAGE_MAX, `消息不超过 ${CONSULTATION_MESSAGE_MAX} 字`),
  /** Client-generated: a resent message is stored once. */
  clientId: z.string({ message: '消息编号无效' }).min(8, '消息编号为 8–64 个字符').max(64, '消息编号为 8–64 个字符').optional(),
});
export type ConsultationMessageInput = z.input<typeof ConsultationMessageInput>;

/** 转为邀请: one of the enterprise's open invitation requirements, and an optional note. */
export const ConsultationInviteInput = z.object({
  requirementId: z.uuid('请选择要邀请参与的项目'),
  note: z.string({ message: '附言无效' }).trim().max(500, '附言不超过 500 字').optional(),
});
export type ConsultationInviteInput = z.input<typeof ConsultationInviteInput>;

export const ConsultationRef = z.object({ consultationId: z.uuid('会话编号无效') });
export const ConsultationReceiptInput = ConsultationRef.extend({
  messageIds: z.array(z.uuid('消息编号无效'), { message: '请指定消息' }).min(1, '请指定消息').max(200, '一次最多 200 条消息'),
});

export const ConsultationPageQuery = Paging(100, 30);

export const ConsultationSide = z.enum(['enterprise', 'provider']);
export type ConsultationSide = z.output<typeof ConsultationSide>;

export const ConsultationMessageView = z.object({
  id: z.uuid(),
  consultationId: z.uuid(),
  kind: z.enum(['text', 'invitation']).describe('`invitation`: the system line announcing an invitation'),
  senderOrgId: z.uuid(),
  senderName: z.string(),
  body: z.string(),
  invitation: z.object({ id: z.uuid(), requirementId: z.uuid(), title: z.string() }).nullable().describe('The invitation a system line announces'),
  deliveredAt: z.iso.datetime().nullable().describe('Reached the other side live'),
  readAt: z.iso.datetime().nullable(),
  createdAt: z.iso.datetime(),
});
export type ConsultationMessageView = z.output<typeof ConsultationMessageView>;

export const ConsultationView = z.object({
  id: z.uuid(),
  enterprise: z.object({ id: z.uuid(), fullName: z.string() }),
  provider: z.object({ id: z.uuid(), fullName: z.string() }),
  side: ConsultationSide.describe("The caller's side"),
  lastMessageAt: z.iso.datetime().nullable(),
  createdAt: z.iso.datetime(),
});
export type ConsultationView = z.output<typeof ConsultationView>;

export const ConsultationSummaryView = ConsultationView.extend({
  counterpartName: z.string(),
  lastMessage: z.string().nullable().describe('The newest message, shortened'),
  unreadCount: z.number().int().describe("The other side's messages the caller has not read"),
});

export const ConsultationListView = pageOf(ConsultationSummaryView).extend({ unreadTotal: z.number().int() });
export const ConsultationThreadView = pageOf(ConsultationMessageView).extend({ consultation: ConsultationView });
export type ConsultationThreadView = z.output<typeof ConsultationThreadView>;

export const ConsultationReceiptView = z.object({
  consultationId: z.uuid(),
  kind: z.enum(['delivered', 'read']),
  messageIds: z.array(z.uuid()),
  at: z.iso.datetime(),
});
export type ConsultationReceiptView = z.output<typeof ConsultationReceiptView>;
