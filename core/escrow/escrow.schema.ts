import { z } from 'zod';
import { PageNumber, PageSize } from '../shared/paging';
import { FenAmount, IsoDate, PositiveFen } from '../tenders/tenders.schema';

/** zod contracts of agreements, escrow, milestones, after-sales and reviews (pages, API, tests). */

const FileIds = z.array(z.uuid('附件编号无效')).max(10, '附件最多 10 个').default([]);

export const MilestoneInput = z.object({
  title: z.string({ message: '请填写里程碑名称' }).trim().min(2, '里程碑名称至少 2 个字').max(60, '里程碑名称不超过 60 字'),
  deliverables: z.string({ message: '请填写交付成果' }).trim().min(2, '请填写交付成果').max(2000, '交付成果不超过 2000 字'),
  amountFen: PositiveFen('里程碑金额'),
  dueDate: IsoDate,
});

export const AgreementInput = z.object({
  scope: z.string({ message: '请填写服务内容' }).trim().min(10, '服务内容至少 10 个字').max(10_000, '服务内容不超过 10000 字'),
  totalFen: PositiveFen('合同总价'),
  startDate: IsoDate,
  endDate: IsoDate,
  releaseMode: z.enum(['per_milestone', 'at_completion'], { message: '请选择支付方式' }).default('at_completion'),
  milestones: z.array(MilestoneInput, { message: '至少需要一个里程碑' }).min(1, '至少需要一个里程碑').max(20, '里程碑最多 20 个'),
});
export type AgreementInput = z.input<typeof AgreementInput>;

export const ReturnAgreementInput = z.object({ comment: z.string({ message: '请填写退回意见' }).trim().min(2, '请填写退回意见').max(2000, '意见不超过 2000 字') });

export const DeliverInput = z.object({
  note: z.string({ message: '请说明交付内容' }).trim().min(2, '请说明交付内容').max(5000, '说明不超过 5000 字'),
  attachmentIds: FileIds,
});

export const ReturnMilestoneInput = z.object({ reason: z.string({ message: '请填写退回理由' }).trim().min(2, '请填写退回理由').max(2000, '理由不超过 2000 字') });

export const OpenCaseInput = z.object({
  reason: z.string({ message: '请填写售后原因' }).trim().min(5, '售后原因至少 5 个字').max(5000, '原因不超过 5000 字'),
  attachmentIds: FileIds,
});

export const CaseMessageInput = z.object({
  body: z.string({ message: '请填写内容' }).trim().min(1, '请填写内容').max(5000, '内容不超过 5000 字'),
  attachmentIds: FileIds,
});

/** Escalating or withdrawing a case: an optional note and files. */
export const CaseNoteInput = z.object({
  body: z.string({ message: '说明须为文字' }).trim().max(5000, '内容不超过 5000 字').default(''),
  attachmentIds: FileIds,
});

const Split = {
  refundFen: FenAmount('退回企业金额'),
  payFen: FenAmount('支付服务机构金额'),
};

export const DecideCaseInput = z.object({
  ...Split,
  reason: z.string({ message: '请填写处理理由' }).trim().min(5, '处理理由至少 5 个字').max(5000, '理由不超过 5000 字'),
  /** continue: the project goes on with what is not yet funded; terminate: the agreement ends here. */
  outcome: z.enum(['continue', 'terminate'], { message: '请选择项目是否继续' }).default('continue'),
});

export const ProposeTerminationInput = z.object({
  ...Split,
  reason: z.string({ message: '请填写终止原因' }).trim().min(5, '终止原因至少 5 个字').max(2000, '原因不超过 2000 字'),
});

export const AnswerTerminationInput = z.object({ decision: z.enum(['accept', 'decline'], { message: '请选择同意或不同意' }) });

const Stars = (label: string) => z.number({ message: `请为${label}打分` }).int(`请为${label}打分`).min(1, `${label}为 1–5 星`).max(5, `${label}为 1–5 星`);
export const ReviewInput = z.object({
  quality: Stars('服务质量'),
  timeliness: Stars('及时性'),
  communication: Stars('沟通'),
  body: z.string().trim().max(2000, '评价不超过 2000 字').default(''),
});
export const ReplyInput = z.object({ reply: z.string({ message: '请填写回复' }).trim().min(1, '请填写回复').max(2000, '回复不超过 2000 字') });

export const EscrowFeeInput = z.object({ feeBp: z.number({ message: '请填写服务费比例' }).int().min(0, '服务费比例为 0–20%').max(2000, '服务费比例为 0–20%') });
/** Both lists are required: a body without them must not save an empty calendar (an empty list is sent as []). */
export const CalendarInput = z.object({
  holidays: z.array(IsoDate, { message: '请填写节假日列表（没有时填 []）' }).max(400, '节假日最多 400 天'),
  workdays: z.array(IsoDate, { message: '请填写调休工作日列表（没有时填 []）' }).max(100, '调休工作日最多 100 天'),
});

export const AgreementListQuery = z.object({
  page: PageNumber,
  pageSize: PageSize(50, 10),
});
