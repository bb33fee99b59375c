import { can } from '$core/shared/access';
import type { Actor } from '$core/shared/actor';
import type { CartGroup } from './mall-ui';

export type BuyerKind = 'unit' | 'individual';
export interface Buyer {
  kind: BuyerKind;
  /** The unit purchases count for (a unit's own account, or the individual's unit); null for none. */
  unitId: string | null;
  unitName: string | null;
  /** A registered individual of the mall (has a profile). */
  isIndividual: boolean;
}

/**
 * Who buys, decided the way the orders service decides it: acting for a unit in a role that may buy
 * for it (owner, admin, finance) buys for the unit; anyone else buys as an individual, counted for the
 * unit of their profile (approved by the unit or not).
 */
export async function buyerOf(locals: App.Locals, actor: Actor): Promise<Buyer> {
  const org = actor.organisation;
  if (org?.kind === 'unit' && can(actor, 'mall.buy_for_unit', { organisationId: org.organisationId })) {
    return { kind: 'unit', unitId: org.organisationId, unitName: org.fullName, isIndividual: false };
  }
  const ctx = await locals.services.units.buyerContext(actor.userId);
  const unitId = ctx.kind === 'individual' ? ctx.unitId : null;
  const unitName = unitId ? (ctx.unitName ?? null) : null;
  return { kind: 'individual', unitId, unitName, isIndividual: ctx.kind === 'individual' };
}

/** The cart with its lines typed. */
export async function cartOf(locals: App.Locals, actor: Actor) {
  const cart = await locals.services.orders.cart(actor);
  return { ...cart, groups: cart.groups as CartGroup[] };
}

export const ctxOf = (locals: App.Locals, request: Request) => ({ ip: locals.ip, userAgent: request.headers.get('user-agent') ?? undefined });
