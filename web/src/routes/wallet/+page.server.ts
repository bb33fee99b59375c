import { isAppError } from '$core/shared/app-error';
import { pageFromQuery } from '$core/shared/paging';
import { TRANSFER_KIND_LABELS } from '$core/wallet/ledger.rules';
import { bankName } from '$core/wallet/payment-gateway';
import { requireWalletOrg } from '$lib/server/wallet';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
  const { actor, org } = requireWalletOrg(locals, url);
  const sp = url.searchParams;
  const filters = {
    kind: sp.get('kind')?.trim() || undefined,
    from: sp.get('from')?.trim() || undefined,
    to: sp.get('to')?.trim() || undefined,
  };
  const page = pageFromQuery(sp);

  let filterError: string | undefined;
  const statement = await locals.services.statements.list(actor, { page, pageSize: 20, ...filters }).catch(async (e: unknown) => {
    if (!isAppError(e)) throw e;
    filterError = Object.values(e.fields ?? {})[0] ?? e.message;
    return locals.services.statements.list(actor, { page: 1, pageSize: 20 });
  });
  const [balances, recharges, withdrawals, cards, hasSecurityPassword] = await Promise.all([
    locals.services.statements.balances(actor),
    locals.services.recharges.list(actor, { page: 1, pageSize: 5 }),
    locals.services.withdrawals.listWithdrawals(actor, { page: 1, pageSize: 5 }),
    locals.services.withdrawals.listCards(actor),
    locals.services.withdrawals.hasSecurityPassword(actor),
  ]);
  const cardLabel = Object.fromEntries(cards.map((c) => [c.id, `${c.bankName} 尾号 ${c.accountNoMasked.slice(-4)}`]));

  // The CSV carries the filters the list was shown with (none when they were refused).
  const csv = new URLSearchParams(Object.entries(filterError ? {} : filters).filter((e): e is [string, string] => Boolean(e[1])));
  return {
    organisation: org.fullName,
    balances,
    filters,
    filterError,
    kinds: Object.entries(TRANSFER_KIND_LABELS).map(([value, label]) => ({ value, label })),
    statement: { ...statement, items: statement.items.map((l) => ({ ...l, createdAt: l.createdAt.toISOString() })) },
    csvHref: `/api/v1/wallet/statement.csv${csv.size ? `?${csv}` : ''}`,
    recharges: recharges.items.map((r) => ({ ...r, bankName: r.bankCode ? bankName(r.bankCode) : null })),
    withdrawals: withdrawals.items.map((w) => ({
      withdrawalNo: w.withdrawalNo,
      amountFen: w.amountFen,
      status: w.status,
      rejectReason: w.rejectReason,
      createdAt: w.createdAt,
      card: cardLabel[w.cardId] ?? '已删除的银行卡',
    })),
    verifiedCards: cards.filter((c) => c.status === 'verified').length,
    hasSecurityPassword,
  };
};
