import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../db/client';
import { mallOrders, priceRounds, requirements, voucherCampaigns, vouchers } from '../../db/schema';
import { ROUND_TIMER } from '../rooms/rooms.service';
import { requireActor, type Actor } from '../shared/actor';
import { AppError } from '../shared/app-error';
import type { Clock } from '../shared/clock';
import type { Config } from '../shared/config';
import type { DeadlineTimer } from '../shared/deadline-timer';
import { parseInput } from '../shared/validate';
import type { RequirementService } from '../tenders/requirements.service';

/**
 * Development only (`POST /dev/time-travel`, served only when DEV_TOOLS is on and never in
 * production): moves a competitive requirement's opening time, or its open second round's deadline,
 * to a number of seconds from now by the server clock, so a browser journey through the waiting
 * room, the bidding room and a second round takes seconds instead of days. Time is moved through
 * data only: the room still decides its phase from the stored opening time, and the round is still
 * closed by the deadline timer (rescheduled here) and refused by the server clock after it.
 *
 * The same hook ends a voucher campaign early (`{ campaignId, endsInSeconds }`): the campaign's
 * and its coupons' validity end move to that time, and when it is past the coupons' expiry runs at
 * once (what the expiry job does at the real end), so the bureau's settlement can be walked through.
 *
 * And a received mall order's 7-day wait (`{ orderId, completeNow: true }`): its completion time moves
 * to now and it completes as the completion job would (the merchant is paid, the quota statistics
 * count it), so a journey can reach 已完成.
 */
export const TimeTravelInput = z
  .object({
    requirementId: z.uuid('项目编号无效'),
    /** The new opening time, in seconds from now (negative: already opened). */
    openingInSeconds: z
      .number()
      .int()
      .min(-86_400)
      .max(30 * 86_400)
      .optional(),
    /** The open second round's new deadline, in seconds from now. */
    roundClosesInSeconds: z.number().int().min(0).max(3_600).optional(),
  })
  .refine((v) => v.openingInSeconds !== undefined || v.roundClosesInSeconds !== undefined, {
    message: '请给出新的开标时间或本轮截止时间',
    path: ['openingInSeconds'],
  });

export const CampaignTimeTravelInput = z.object({
  campaignId: z.uuid('活动编号无效'),
  /** The voucher campaign's new validity end, in seconds from now (negative: already ended). */
  endsInSeconds: z
    .number('请给出活动新的有效期截止时间')
    .int()
    .min(-86_400)
    .max(30 * 86_400),
});
const OrderTimeTravelInput = z.object({
  orderId: z.uuid('订单编号无效'),
  /** The received order's completion, now. */
  completeNow: z.literal(true, '请给出 completeNow: true'),
});
export type TimeTravelInput = z.input<typeof TimeTravelInput>;

/** Served only with dev tools on, and never in production, whatever DEV_TOOLS says. */
export const timeTravelEnabled = (config: Pick<Config, 'devTools' | 'NODE_ENV'>) => config.devTools && config.NODE_ENV !== 'production';

export function createTimeTravel({
  db,
  clock,
  timer,
  requirements: requirementService,
  voucherGrabs,
  mallOrders: orders,
}: {
  db: Db;
  clock: Clock;
  timer: DeadlineTimer;
  requirements: Pick<RequirementService, 'row'>;
  voucherGrabs?: { expireCampaign(campaignId: string): Promise<unknown> };
  mallOrders?: { complete(orderId: string): Promise<boolean> };
}) {
  return {
    moveCampaign,
    completeOrder,
    /**
     * Errors: NOT_FOUND (no such requirement, or the caller is neither its enterprise nor an operator),
     * INVALID_TRANSITION (not an open competitive requirement; opening moved during a round),
     * ROUND_CLOSED (a deadline asked for but no round is open).
     */
    async move(actor: Actor | null, raw: unknown) {
      const a = requireActor(actor);
      const input = parseInput(TimeTravelInput, raw);
      const now = clock.now();
      const at = (seconds: number) => new Date(now.getTime() + seconds * 1000);
      const result = await db.transaction(async (tx) => {
        const r = await requirementService.row(input.requirementId, tx, 'update');
        if (r.organisationId !== a.organisation?.organisationId && !a.isOperator) throw new AppError('NOT_FOUND', '项目不存在');
        if (r.mode !== 'competitive' || r.state !== 'open') throw new AppError('INVALID_TRANSITION', '只能调整招标中的竞标项目');
        const [open] = await tx
          .select()
          .from(priceRounds)
          .where(and(eq(priceRounds.requirementId, r.id), eq(priceRounds.status, 'open')))
          .for('update');
        let openingAt = r.openingAt;
        if (input.openingInSeconds !== undefined) {
          if (open) throw new AppError('INVALID_TRANSITION', '二次竞价进行中，不能调整开标时间');
          openingAt = at(input.openingInSeconds);
          await tx.update(requirements).set({ openingAt, updatedAt: now }).where(eq(requirements.id, r.id));
        }
        let round: { id: string; closesAt: Date } | null = null;
        if (input.roundClosesInSeconds !== undefined) {
          if (!open) throw new AppError('ROUND_CLOSED', '当前没有进行中的二次竞价');
          const closesAt = at(input.roundClosesInSeconds);
          await tx.update(priceRounds).set({ closesAt }).where(eq(priceRounds.id, open.id));
          round = { id: open.id, closesAt };
        }
        return { requirementId: r.id, openingAt, round };
      });
      if (result.round) await timer.schedule(`${ROUND_TIMER}:${result.round.id}`, result.round.closesAt);
      return { ...result, serverTime: now.toISOString() };
    },
  };

  /** Errors: NOT_FOUND (no such campaign, or the caller is neither its bureau nor an operator), INVALID_TRANSITION (settled or cancelled). */
  async function moveCampaign(actor: Actor | null, raw: unknown) {
    const a = requireActor(actor);
    const { campaignId, endsInSeconds } = parseInput(CampaignTimeTravelInput, raw);
    const now = clock.now();
    const validUntil = new Date(now.getTime() + endsInSeconds * 1000);
    await db.transaction(async (tx) => {
      const [c] = await tx.select().from(voucherCampaigns).where(eq(voucherCampaigns.id, campaignId)).for('update');
      if (!c || (c.bureauId !== a.organisation?.organisationId && !a.isOperator)) throw new AppError('NOT_FOUND', '活动不存在');
      if (c.status === 'settled' || c.status === 'cancelled') throw new AppError('INVALID_TRANSITION', '活动已结束，不能调整有效期');
      await tx.update(voucherCampaigns).set({ validUntil }).where(eq(voucherCampaigns.id, c.id));
      await tx
        .update(vouchers)
        .set({ validUntil })
        .where(and(eq(vouchers.campaignId, c.id), eq(vouchers.status, 'unused')));
    });
    const expired = validUntil.getTime() <= now.getTime() && voucherGrabs ? await voucherGrabs.expireCampaign(campaignId) : null;
    return { campaignId, validUntil: validUntil.toISOString(), expired, serverTime: now.toISOString() };
  }

  /** Errors: NOT_FOUND (no such order, or the caller is neither its buyer nor an operator), INVALID_TRANSITION (not received). */
  async function completeOrder(actor: Actor | null, raw: unknown) {
    const a = requireActor(actor);
    const { orderId } = parseInput(OrderTimeTravelInput, raw);
    if (!orders) throw new AppError('NOT_FOUND', '订单不存在');
    const now = clock.now();
    await db.transaction(async (tx) => {
      const [o] = await tx.select().from(mallOrders).where(eq(mallOrders.id, orderId)).for('update');
      if (!o || (o.buyerUserId !== a.userId && !a.isOperator)) throw new AppError('NOT_FOUND', '订单不存在');
      if (o.status !== 'received') throw new AppError('INVALID_TRANSITION', '只有已收货的订单可以提前完成');
      await tx.update(mallOrders).set({ completesAt: now }).where(eq(mallOrders.id, o.id));
    });
    return { orderId, completed: await orders.complete(orderId), serverTime: now.toISOString() };
  }
}
