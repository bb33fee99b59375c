import type { Actor } from '$core/shared/actor';

export type BuyerKind = 'unit' | 'individual';
export interface Buyer {
  kind: BuyerKind;
  /** The unit purchases count for (a unit's own account, or the individual's unit); null for none. */
  unitId: string | null;
  unitName: string | null;
  /** A registered individual of the mall (has a profile). */
  isIndividual: boolean;
}

/** Who buys: the orders service's one buyer rule (the same one checkout and payment apply). */
export async function buyerOf(locals: App.Locals, actor: Actor): Promise<Buyer> {
  return locals.services.orders.buyer(actor);
}

export const ctxOf = (locals: App.Locals, request: Request) => ({ ip: locals.ip, userAgent: request.headers.get('user-agent') ?? undefined });
