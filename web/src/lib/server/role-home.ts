import { roleAllows } from '$core/shared/access';
import { isAppError } from '$core/shared/app-error';
import { shanghaiDate } from '$core/shared/time';
import { ADMIN_SECTIONS } from '$lib/admin-sections';
import { adminWaiting } from './admin';

/**
 * The signed-in home (`/`): what waits for the organisation acted for now, by its kind. Reads go through
 * the services with the actor, so a role only ever sees its own organisation's rows; a read the role may
 * not make (a plain member and the wallet) comes back as null and its card is left out.
 */

/** A read the actor's role may not make is left out (null); anything else is a real failure. */
const allowed = <T>(read: () => Promise<T>): Promise<T | null> =>
  read().catch((e: unknown) => {
    if (isAppError(e) && ['FORBIDDEN', 'NOT_FOUND', 'UNAUTHENTICATED'].includes(e.code)) return null;
    throw e;
  });

type Link = { label: string; href: string };

/** What the enterprise does next with one of its projects (the page links there; the project page has the buttons). */
function projectNextStep(r: { id: string; state: string; mode: string; opened: boolean; actions?: string[] }): Link & { waiting: boolean } {
  const page = `/account/projects/${r.id}`;
  switch (r.state) {
    case 'draft':
      return { label: '完善并提交审核', href: `${page}/edit`, waiting: false };
    case 'rejected':
      return { label: '修改后重新提交', href: `${page}/edit`, waiting: false };
    case 'pending_review':
      return { label: '等待平台审核', href: page, waiting: true };
    case 'open':
      if (r.mode === 'invitation') return { label: '邀请服务机构并洽谈', href: page, waiting: false };
      if (r.actions?.includes('select')) return { label: '查看投标，选择服务机构', href: page, waiting: false };
      return { label: r.opened ? '进入竞价室' : '等待开标', href: r.opened ? `${page}/room` : page, waiting: !r.opened };
    case 'awarded':
      return { label: '签订协议并托管合同款', href: '/account/agreements', waiting: false };
    case 'in_progress':
      return { label: '验收里程碑', href: '/account/agreements', waiting: false };
    case 'completed':
      return { label: '查看项目与评价', href: page, waiting: true };
    default:
      return { label: '查看项目', href: page, waiting: true };
  }
}

async function enterpriseHome(locals: App.Locals) {
  const { services: s, actor } = locals;
  const [projects, wallet] = await Promise.all([s.requirements.listMine(actor, { pageSize: 5 }), allowed(() => s.statements.balances(actor))]);
  return {
    kind: 'enterprise' as const,
    projects: {
      total: projects.total,
      groups: projects.groups,
      items: projects.items.map((r) => ({
        id: r.id,
        title: r.title,
        state: r.state,
        stateLabel: r.stateLabel,
        mode: r.mode,
        openingAt: r.openingAt,
        bidderCount: r.bidderCount,
        next: projectNextStep(r),
      })),
    },
    wallet,
  };
}

async function providerHome(locals: App.Locals) {
  const { services: s, actor } = locals;
  const [invitations, bids] = await Promise.all([s.invitations.listMine(actor, { pageSize: 5 }), s.proposals.listMine(actor, { pageSize: 10 })]);
  const live = bids.items.filter((b) => b.status === 'active' && b.requirement.state === 'open');
  return {
    kind: 'provider' as const,
    invitations: {
      total: invitations.total,
      pending: invitations.items.filter((i) => i.status === 'pending').length,
      items: invitations.items.map((i) => ({
        id: i.id,
        title: i.requirement.title,
        enterpriseName: i.enterpriseName,
        status: i.status,
        statusLabel: i.statusLabel,
        href: i.status === 'accepted' || i.status === 'selected' ? `/account/negotiations/${i.requirementId}/${i.providerId}` : '/account/invitations',
      })),
    },
    bids: {
      total: bids.total,
      live: live.slice(0, 5).map((b) => ({
        id: b.id,
        requirementId: b.requirement.id,
        title: b.requirement.title,
        opened: b.requirement.opened,
        openingAt: b.requirement.openingAt,
        currentPriceFen: b.currentPriceFen,
      })),
    },
  };
}

async function merchantHome(locals: App.Locals) {
  const { orders } = locals.services;
  const actor = locals.actor;
  const [toShip, refunds, unpaid] = await Promise.all([
    orders.listForMerchant(actor, { status: 'paid', pageSize: 5 }),
    orders.listForMerchant(actor, { refund: 'requested', pageSize: 1 }),
    orders.listForMerchant(actor, { status: 'pending_payment', pageSize: 1 }),
  ]);
  return {
    kind: 'merchant' as const,
    counts: { toShip: toShip.total, refunds: refunds.total, unpaid: unpaid.total },
    toShip: toShip.items.map((o) => ({
      id: o.id,
      orderNo: o.orderNo,
      buyer: o.unitName ?? o.address.recipient,
      summary: o.lines.map((l) => `${l.name} × ${l.quantity}`).join('，'),
      totalFen: o.totalFen,
      paidAt: o.paidAt,
    })),
  };
}

const orderRow = (o: {
  id: string;
  orderNo: string;
  status: string;
  statusLabel: string;
  merchantName: string;
  totalFen: number;
  createdAt: string | Date;
  lines: { name: string }[];
}) => ({
  id: o.id,
  orderNo: o.orderNo,
  status: o.status,
  statusLabel: o.statusLabel,
  merchantName: o.merchantName,
  summary: o.lines.map((l) => l.name).join('，'),
  totalFen: o.totalFen,
  createdAt: o.createdAt,
});

async function unitHome(locals: App.Locals) {
  const { services: s, actor, platform } = locals;
  const today = shanghaiDate(platform.clock.now());
  const role = actor!.organisation!.role;
  const [orders, statistics] = await Promise.all([
    s.orders.listMine(actor, { pageSize: 5 }),
    roleAllows(role, 'statistics.view') ? allowed(() => s.statistics.unit(actor, { from: `${today.slice(0, 4)}-01-01`, to: today })) : null,
  ]);
  return {
    kind: 'unit' as const,
    orders: { total: orders.total, items: orders.items.map(orderRow) },
    statistics: statistics && { year: Number(today.slice(0, 4)), totals: statistics.totals, unitOwn: statistics.unitOwn },
  };
}

async function budgetUnitHome(locals: App.Locals) {
  const { services: s, actor } = locals;
  const [orders, quota] = await Promise.all([s.orders.listMine(actor, { pageSize: 5 }), allowed(() => s.quotaStatistics.unit(actor, {}))]);
  return {
    kind: 'budget_unit' as const,
    orders: { total: orders.total, items: orders.items.map(orderRow) },
    quota: quota && {
      year: quota.year,
      unitName: quota.unit.name,
      reservedFen: quota.reservedFen,
      actualFen: quota.actualFen,
      pendingFen: quota.pendingFen,
      completionBp: quota.completionBp,
      subtree: quota.subtree && {
        units: quota.subtree.units,
        reservedFen: quota.subtree.reservedFen,
        actualFen: quota.subtree.actualFen,
        completionBp: quota.subtree.completionBp,
      },
    },
  };
}

async function operatorHome(locals: App.Locals) {
  const waiting = await adminWaiting(locals);
  return {
    kind: 'platform' as const,
    queues: ADMIN_SECTIONS.filter((sec) => sec.queue).map((sec) => ({ href: sec.href, label: sec.label, waiting: waiting[sec.queue!] })),
  };
}

async function personHome(locals: App.Locals) {
  const { services: s, actor } = locals;
  const [orders, vouchers] = await Promise.all([s.orders.listMine(actor, { pageSize: 5 }), allowed(() => s.voucherGrabs.mine(actor))]);
  return {
    kind: 'person' as const,
    orders: { total: orders.total, items: orders.items.map(orderRow) },
    unusedVouchers: vouchers?.counts.unused ?? 0,
  };
}

/** Departments, voucher bureaus and monitoring accounts: their consoles, by what the organisation is. */
function governmentHome() {
  return {
    kind: 'government' as const,
    links: [
      { href: '/gov/vouchers', label: '消费券活动', text: '创建活动、分批发券、审核报名商家、查看核销与结算' },
      { href: '/mall/stats', label: '区域消费统计', text: '所辖区域帮扶产品的销售额，按区县、乡镇和品类' },
      { href: '/monitoring', label: '消费扶贫监测', text: '购销记录填报与两级审核，汇总看板' },
    ],
  };
}

/** The home of the organisation (or person) the actor acts for now; null for visitors. */
export async function roleHome(locals: App.Locals) {
  const actor = locals.actor;
  if (!actor) return null;
  const org = actor.organisation;
  const base = { organisationName: org?.fullName ?? null };
  const kind = actor.isOperator && (!org || org.kind === 'platform') ? 'platform' : (org?.kind ?? null);
  const home =
    kind === 'platform'
      ? await operatorHome(locals)
      : kind === 'enterprise'
        ? await enterpriseHome(locals)
        : kind === 'provider'
          ? await providerHome(locals)
          : kind === 'merchant'
            ? await merchantHome(locals)
            : kind === 'unit'
              ? await unitHome(locals)
              : kind === 'budget_unit'
                ? await budgetUnitHome(locals)
                : kind === 'government'
                  ? governmentHome()
                  : await personHome(locals);
  return { ...base, ...home };
}

export type RoleHome = NonNullable<Awaited<ReturnType<typeof roleHome>>>;
