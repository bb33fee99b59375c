import { redirect } from '@sveltejs/kit';
import { formatFen, parseYuanInput } from '$core/shared/money';
import { fieldErrors } from '$core/shared/validate';
import { RoomRulesInput } from '$core/rooms/rooms.schema';
import { decideEnd, decideWithdrawal, EARLY_WITHDRAWAL_MS } from '$core/tenders/requirements.machine';
import { requireEnterprise, setFlash, shanghaiLocalToIso, takeFlash } from '$lib/server/requirements';
import { formAction, formValues, orError } from '$lib/server/session';
import { fieldFailure, runAction } from '$lib/server/form-action';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url, params, cookies }) => {
  const { actor } = requireEnterprise(locals, url);
  const svc = locals.services;
  const r = await orError(() => svc.requirements.getOwn(actor, params.id));
  const [events, settings, proposals, invitations, roomRules] = await Promise.all([
    svc.requirements.events(actor, r.id),
    svc.settings.depositSettings(),
    r.mode === 'competitive' && r.opened ? svc.proposals.listForRequirement(actor, r.id) : Promise.resolve(null),
    r.mode === 'invitation' ? svc.invitations.listForRequirement(actor, r.id) : Promise.resolve(null),
    // The second-round rules: editable until the first proposal arrives, then fixed.
    r.mode === 'competitive' ? svc.rooms.publicRules(r.id) : Promise.resolve(null),
  ]);
  // After selection the agreement lives under 交易提醒 (drafted by the provider).
  const agreement = ['awarded', 'in_progress', 'completed'].includes(r.state)
    ? await svc.escrow.draftBasis(actor, r.id).then(
        (b) => ({ id: b.agreementId }),
        () => null,
      )
    : null;
  const now = new Date();
  const actions = r.actions ?? [];
  const held = r.depositStatus === 'held' ? (r.depositFen ?? 0) : 0;

  // What withdrawing or ending would cost now, for the confirmations (the service decides again).
  const withdrawal =
    actions.includes('withdraw') && r.openingAt ? decideWithdrawal({ depositFen: held, bidders: r.bidderCount, openingAt: r.openingAt, now, settings }) : null;
  const lastAbandon = [...events].reverse().find((e) => e.event === 'abandon');
  const abandonedFree = Boolean((lastAbandon?.detail as { free?: boolean } | null)?.free);
  const ending = actions.includes('end') ? decideEnd({ depositFen: held, abandonedFree, bidders: r.bidderCount, settings }) : null;
  const abandonIfEnded = actions.includes('abandon')
    ? decideEnd({ depositFen: held, abandonedFree: actions.includes('abandon_free'), bidders: r.bidderCount, settings })
    : null;
  const settled = [...events].reverse().find((e) => ['withdraw', 'end', 'delete', 'reject', 'deposit_refund'].includes(e.event));

  return {
    requirement: r,
    events: events.map((e) => ({ id: e.id, event: e.event, detail: e.detail, createdAt: e.createdAt })),
    proposals,
    invitations,
    roomRules,
    agreement,
    settings,
    withdrawal: withdrawal && r.openingAt ? { ...withdrawal, early: r.openingAt.getTime() - now.getTime() >= EARLY_WITHDRAWAL_MS } : null,
    ending,
    abandonIfEnded,
    settledDetail: (settled?.detail ?? null) as { refundFen?: number; forfeitFen?: number } | null,
    flash: takeFlash(cookies),
    serverNow: now.getTime(),
  };
};

/** Runs one owner action; the page shows `done.message`, or the refusal next to the action that failed. */
async function act(request: Request, name: string, run: (values: Record<string, string>) => Promise<string>) {
  const values = formValues(await request.formData());
  const r = await formAction({ ...values, action: name }, () => run(values));
  if (!r.ok) return r.failure;
  return { done: { action: name, message: r.data } };
}

/** A number typed in the rules form; empty is missing (the schema names what is missing). */
const typedNumber = (raw: string | undefined) => (raw?.trim() ? Number(raw.trim()) : undefined);

const settledMessage = (what: string, x: { refundFen: number; forfeitFen: number }) =>
  `${what}。${x.refundFen ? `保证金 ${formatFen(x.refundFen)} 已退回钱包` : '没有需要退回的保证金'}${x.forfeitFen ? `，按规则扣除 ${formatFen(x.forfeitFen)}` : ''}。`;

export const actions: Actions = {
  submit: ({ request, locals, params }) =>
    act(request, 'submit', async () => {
      await locals.services.requirements.submit(locals.actor, params.id);
      return '需求已发布，保证金已缴纳，等待平台审核。审核结果会以站内信通知您。';
    }),

  discard: async ({ request, locals, params, cookies }) => {
    const r = await act(request, 'discard', async () => {
      await locals.services.requirements.discardDraft(locals.actor, params.id);
      return '草稿已删除';
    });
    if ('done' in r) {
      setFlash(cookies, { notice: '草稿已删除' });
      redirect(303, '/account/projects?group=draft');
    }
    return r;
  },

  withdraw: ({ request, locals, params }) =>
    act(request, 'withdraw', async () => settledMessage('项目已撤销', await locals.services.requirements.withdraw(locals.actor, params.id))),

  abandon: ({ request, locals, params }) =>
    act(request, 'abandon', async () => {
      await locals.services.requirements.abandon(locals.actor, params.id);
      return '已放弃本次招标。您可以修改开标时间重新招标，或结束本项目。';
    }),

  retender: ({ request, locals, params }) =>
    act(request, 'retender', async (v) => {
      await locals.services.requirements.retender(locals.actor, params.id, {
        openingAt: shanghaiLocalToIso(v.openingAt),
        minBidders: v.minBidders ? Number(v.minBidders) : undefined,
      });
      return '开标时间已修改，项目继续招标。已投标的服务机构会收到通知。';
    }),

  end: ({ request, locals, params }) =>
    act(request, 'end', async () => settledMessage('项目已结束', await locals.services.requirements.end(locals.actor, params.id))),

  delete: ({ request, locals, params }) =>
    act(request, 'delete', async () => settledMessage('邀标项目已删除', await locals.services.requirements.deleteInvitationProject(locals.actor, params.id))),

  select: ({ request, locals, params }) =>
    act(request, 'select', async (v) => {
      await locals.services.requirements.select(locals.actor, params.id, v.providerId ?? '');
      return `已选中 ${v.providerName || '服务机构'}，项目进入待实施。请与服务机构签订协议。`;
    }),

  /** 二次竞价规则: checked with the service's schema on the page first, so every field shows its message at once. */
  rules: async ({ request, locals, params }) => {
    const values = formValues(await request.formData());
    const yuan = parseYuanInput(values.minDecreaseYuan);
    const input = {
      minDecreasePercent: typedNumber(values.minDecreasePercent),
      minDecreaseFen: yuan.fen,
      snipeWindowSeconds: typedNumber(values.snipeWindowSeconds),
      maxExtensions: typedNumber(values.maxExtensions),
      extensionRule: values.extensionRule || undefined,
      maxExtensionMinutes: typedNumber(values.maxExtensionMinutes),
    };
    const parsed = RoomRulesInput.safeParse(input);
    const fields = { ...(parsed.success ? {} : fieldErrors(parsed.error)), ...(yuan.error ? { minDecreaseFen: yuan.error } : {}) };
    const rename = { minDecreaseFen: 'minDecreaseYuan' };
    if (Object.keys(fields).length) return fieldFailure(values, fields, { action: 'rules', rename });
    const r = await runAction(values, () => locals.services.rooms.updateRules(locals.actor, params.id, input), { action: 'rules', rename });
    if (!r.ok) return r.failure;
    return { done: { action: 'rules', message: '二次竞价规则已保存，服务机构投标前即可看到。' } };
  },

  drop: ({ request, locals }) =>
    act(request, 'drop', async (v) => {
      const i = await locals.services.invitations.drop(locals.actor, v.invitationId ?? '');
      return `已放弃 ${i.providerName}，对方会收到站内信。`;
    }),
};
