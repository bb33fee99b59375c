import { redirect } from '@sveltejs/kit';
import { formatFen } from '$core/shared/money';
import { fenToYuanInput } from '$lib/agreements';
import { act, fileIds, saveAgreement, yuanOf } from '$lib/server/agreements';
import { requireLogin } from '$lib/server/guard';
import { setFlash, takeFlash } from '$lib/server/requirements';
import { formAction, formValues, orError } from '$lib/server/session';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url, params, cookies }) => {
  const actor = requireLogin(locals, url);
  const svc = locals.services;
  const ag = await orError(() => svc.escrow.get(actor, params.id));
  const editing = ag.side === 'provider' && (ag.status === 'draft' || ag.status === 'returned');
  const [basis, wallet] = await Promise.all([
    editing ? svc.escrow.draftBasis(actor, ag.requirement.id) : Promise.resolve(null),
    ag.side === 'enterprise' && ag.escrow.nextToFundFen > 0 ? svc.ledger.walletBalances(locals.platform.db, ag.enterprise.id) : Promise.resolve(null),
  ]);
  return {
    agreement: ag,
    draft: basis
      ? {
          requirement: basis.requirement,
          winningPriceFen: basis.winningPriceFen,
          initial: {
            scope: ag.scope,
            total: fenToYuanInput(ag.totalFen),
            startDate: ag.startDate,
            endDate: ag.endDate,
            releaseMode: ag.releaseMode,
            milestones: ag.milestones.map((m) => ({ title: m.title, deliverables: m.deliverables, amount: fenToYuanInput(m.amountFen), dueDate: m.dueDate })),
          },
        }
      : null,
    availableFen: wallet?.availableFen ?? null,
    flash: takeFlash(cookies),
  };
};

const svc = (l: App.Locals) => l.services.escrow;

export const actions: Actions = {
  save: async ({ request, locals }) => {
    const r = await saveAgreement(locals, await request.formData(), false);
    if (!r.ok) return r.failure;
    return { done: { action: 'save', message: '草稿已保存，可以继续修改，确认无误后发送给企业。' } };
  },

  send: async ({ request, locals }) => {
    const r = await saveAgreement(locals, await request.formData(), true);
    if (!r.ok) return r.failure;
    return { done: { action: 'send', message: `协议（第 ${r.data.version} 版）已发送给企业。企业确认后生成正式协议书；退回的，可以修改后再次发送。` } };
  },

  confirm: ({ request, locals, params }) =>
    act(request, 'confirm', async () => {
      await svc(locals).confirm(locals.actor, params.id);
      return '协议已确认，正式协议书已生成，可随时下载。请托管合同款，托管后项目开始实施。';
    }),

  return: ({ request, locals, params }) =>
    act(request, 'return', async (v) => {
      await svc(locals).returnAgreement(locals.actor, params.id, { comment: v.comment ?? '' });
      return '协议已退回服务机构修改，对方修改后会重新发送给您。';
    }),

  fund: ({ request, locals, params }) =>
    act(request, 'fund', async () => {
      const r = await svc(locals).fund(locals.actor, params.id);
      return `已托管合同款 ${formatFen(r.fundedFen)}，项目进入实施。${r.depositRefundFen ? `需求保证金 ${formatFen(r.depositRefundFen)} 已全额退回钱包。` : ''}`;
    }),

  deliver: ({ request, locals }) =>
    act(request, 'deliver', async (v, data) => {
      await svc(locals).deliver(locals.actor, v.milestoneId ?? '', { note: v.note ?? '', attachmentIds: fileIds(data) });
      return '交付已提交，企业会收到站内信，5 个工作日内验收或退回。';
    }),

  accept: ({ request, locals }) =>
    act(request, 'accept', async (v) => {
      const ag = await svc(locals).accept(locals.actor, v.milestoneId ?? '');
      const m = ag.milestones.find((x) => x.id === v.milestoneId);
      if (ag.completedAt) return '全部里程碑已验收，合同款已支付给服务机构，项目完成。欢迎对服务机构进行评价。';
      if (m?.status === 'released') return `里程碑「${m.title}」已验收，合同款已支付给服务机构。`;
      return `里程碑「${m?.title ?? ''}」已验收。${ag.escrow.held ? '售后处理期间合同款暂不支付。' : '合同款将在全部里程碑验收后一次支付。'}`;
    }),

  returnMilestone: ({ request, locals }) =>
    act(request, 'returnMilestone', async (v) => {
      await svc(locals).returnMilestone(locals.actor, v.milestoneId ?? '', { reason: v.reason ?? '' });
      return '交付已退回，服务机构修改后会重新提交。';
    }),

  openCase: async ({ request, locals, params, cookies }) => {
    const data = await request.formData();
    const values = formValues(data);
    const r = await formAction({ ...values, action: 'openCase' }, () =>
      svc(locals).openCase(locals.actor, params.id, { reason: values.reason ?? '', attachmentIds: fileIds(data) }),
    );
    if (!r.ok) return r.failure;
    setFlash(cookies, { notice: '售后已提交，服务机构会收到通知。售后处理期间，还没付给服务机构的托管款暂停放款。' });
    redirect(303, `/account/after-sales/${r.data.id}`);
  },

  propose: async ({ request, locals, params }) => {
    const data = await request.formData();
    const values = formValues(data);
    const refund = yuanOf(values, 'refund', 'refundFen', 'propose');
    if (refund.failure) return refund.failure;
    const pay = yuanOf(values, 'pay', 'payFen', 'propose');
    if (pay.failure) return pay.failure;
    const r = await formAction({ ...values, action: 'propose' }, () =>
      svc(locals).proposeTermination(locals.actor, params.id, { refundFen: refund.fen, payFen: pay.fen, reason: values.reason ?? '' }),
    );
    if (!r.ok) return r.failure;
    return { done: { action: 'propose', message: '终止申请已发送，等待对方答复。' } };
  },

  answer: ({ request, locals, params }) =>
    act(request, 'answer', async (v) => {
      const ag = await svc(locals).answerTermination(locals.actor, params.id, { decision: v.decision });
      return ag.status === 'terminated' ? '已同意终止，协议终止，托管款已按约定结算。' : '已拒绝终止申请，项目继续实施。';
    }),

  review: ({ request, locals, params }) =>
    act(request, 'review', async (v) => {
      const star = (k: string) => (v[k] ? Number(v[k]) : undefined);
      await svc(locals).review(locals.actor, params.id, {
        quality: star('quality'),
        timeliness: star('timeliness'),
        communication: star('communication'),
        body: v.body ?? '',
      });
      return '评价已提交，感谢您的反馈。';
    }),

  reply: ({ request, locals }) =>
    act(request, 'reply', async (v) => {
      await svc(locals).reply(locals.actor, v.reviewId ?? '', { reply: v.reply ?? '' });
      return '回复已发布。';
    }),
};
