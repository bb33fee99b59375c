import { sha256 } from '@oslojs/crypto/sha2';
import { encodeBase32LowerCaseNoPadding, encodeHexLowerCase } from '@oslojs/encoding';
import { z } from 'zod';
import type { Db } from '../../db/client';
import type { OrganisationService } from '../organisations/organisations.service';
import { requireActor, type Actor } from '../shared/actor';
import { AppError } from '../shared/app-error';
import type { Clock } from '../shared/clock';
import type { RateLimiter } from '../shared/rate-limit';
import { parseInput } from '../shared/validate';
import { groupCartLines } from './cart.service';
import { isUuid } from './orders.core';
import { ordersRepo } from './orders.repo';
import { visitorCartRepo } from './visitor-cart.repo';
import { mergedQuantity, mergeLineLimit, planMerge, visitorCartExpiry, VISITOR_CART_LIMITS } from './visitor-cart.rules';

const VisitorQty = z
  .number({ message: '请填写数量' })
  .int('数量须为整数')
  .min(1, '数量至少为 1')
  .max(VISITOR_CART_LIMITS.maxQuantity, `未登录时每件商品最多 ${VISITOR_CART_LIMITS.maxQuantity} 件，登录后可买更多`);
const AddToVisitorCartInput = z.object({ productId: z.uuid('商品编号无效'), quantity: VisitorQty.default(1) });
const UpdateVisitorCartInput = z.object({ quantity: VisitorQty.optional(), selected: z.boolean().optional() });

/** Creating visitor carts, per network address: enough for people, not for filling the table. */
const NEW_CART_RULE = { name: 'mall_visitor_cart', points: 30, durationSeconds: 3600 };

export interface VisitorCartDeps {
  db: Db;
  clock: Clock;
  rateLimiter: RateLimiter;
  organisations: Pick<OrganisationService, 'namesOf' | 'summariesOf'>;
}

/** What a merge did: lines added as asked, capped (at stock or the line limit), skipped (unlisted, no stock). */
export interface MergeResult {
  added: number;
  capped: number;
  skipped: number;
}

/** A token is 20 random bytes in base32 (32 characters); anything else is no cart. */
const TOKEN = /^[a-z2-7]{32}$/;
const cartIdOf = (token: string) => encodeHexLowerCase(sha256(new TextEncoder().encode(token)));
function newToken() {
  const bytes = new Uint8Array(20);
  crypto.getRandomValues(bytes);
  return encodeBase32LowerCaseNoPadding(bytes);
}

/**
 * A visitor's cart (加入购物车 without signing in), kept on the server under the SHA-256 of a random
 * token the visitor's cookie carries, with limits (VISITOR_CART_LIMITS: lines, quantity per line,
 * expiry after the last change), and merged into the buyer's cart at sign-in (mergeVisitorCart).
 * The web layer owns the cookie; this service sees only the token.
 */
export function createVisitorCartService({ db, clock, rateLimiter, organisations }: VisitorCartDeps) {
  const idOf = (token: string | null | undefined) => (token && TOKEN.test(token) ? cartIdOf(token) : null);

  async function view(id: string | null) {
    const live = id ? await visitorCartRepo.findLive(db, id, clock.now()) : undefined;
    if (!id || !live) return { ...groupCartLines([], new Map()), expiresAt: null as Date | null };
    const lines = await visitorCartRepo.lines(db, id);
    const names = await organisations.namesOf(
      lines.map((l) => l.p.merchantId),
      db,
    );
    return { ...groupCartLines(lines, names), expiresAt: live.expiresAt };
  }

  /** Runs a change on the visitor's live cart, locked; NOT_FOUND when there is none (expired, or never). */
  async function change<T>(token: string | null | undefined, run: (tx: Parameters<Parameters<Db['transaction']>[0]>[0], id: string) => Promise<T>) {
    const id = idOf(token);
    if (!id) throw new AppError('NOT_FOUND', '购物车中没有该商品');
    return db.transaction(async (tx) => {
      const now = clock.now();
      if (!(await visitorCartRepo.lockLive(tx, id, now))) throw new AppError('NOT_FOUND', '购物车中没有该商品');
      const result = await run(tx, id);
      await visitorCartRepo.touch(tx, id, visitorCartExpiry(now));
      return result;
    });
  }

  const service = {
    /** The visitor's cart (empty without a token, or when it expired), in the buyer's cart's shape. */
    visitorCart: (token: string | null | undefined) => view(idOf(token)),

    /**
     * 加入购物车 for a visitor: into the cart of the token, or a new cart (a new token to set in the
     * cookie) when there is none. A product not listed is NOT_FOUND; a cart holding maxLines products
     * refuses a new one (VISITOR_CART_FULL); a line grows up to maxQuantity. Checked under the cart's
     * row lock, so two tabs adding at once cannot pass the limits. New carts are rate limited per address.
     */
    async addToVisitorCart(token: string | null | undefined, raw: unknown, ctx: { ip?: string } = {}) {
      const input = parseInput(AddToVisitorCartInput, raw);
      const p = await ordersRepo.findProduct(db, input.productId);
      if (!p || p.status !== 'listed') throw new AppError('NOT_FOUND', '商品不存在或已下架');
      const now = clock.now();
      let id = idOf(token);
      let issued = id ? token! : null;
      const live = id ? await visitorCartRepo.findLive(db, id, now) : undefined;
      if (!live) {
        await rateLimiter.consume(NEW_CART_RULE, ctx.ip ?? 'unknown', '操作太频繁，请稍后再试或先登录');
        issued = newToken();
        id = cartIdOf(issued);
      }
      const cartId = id!;
      const expiresAt = visitorCartExpiry(now);
      await db.transaction(async (tx) => {
        if (!(await visitorCartRepo.lockLive(tx, cartId, now))) {
          await visitorCartRepo.insertCart(tx, { id: cartId, createdAt: now, expiresAt });
          await visitorCartRepo.lockLive(tx, cartId, now);
        }
        if (!(await visitorCartRepo.hasLine(tx, cartId, p.id)) && (await visitorCartRepo.countLines(tx, cartId)) >= VISITOR_CART_LIMITS.maxLines) {
          throw new AppError('VISITOR_CART_FULL', `未登录时购物车最多放 ${VISITOR_CART_LIMITS.maxLines} 种商品，登录后可放更多`);
        }
        await visitorCartRepo.addLine(tx, cartId, p.id, input.quantity, now);
        await visitorCartRepo.touch(tx, cartId, expiresAt);
      });
      return { token: issued!, expiresAt, cart: await view(cartId) };
    },

    async updateVisitorCart(token: string | null | undefined, productId: string, raw: unknown) {
      const input = parseInput(UpdateVisitorCartInput, raw);
      if (!isUuid(productId)) throw new AppError('NOT_FOUND', '购物车中没有该商品');
      const changes = {
        ...(input.quantity !== undefined ? { quantity: input.quantity } : {}),
        ...(input.selected !== undefined ? { selected: input.selected } : {}),
      };
      if (Object.keys(changes).length === 0) throw new AppError('VALIDATION', '没有要修改的内容');
      await change(token, async (tx, id) => {
        if (!(await visitorCartRepo.updateLine(tx, id, productId, changes))) throw new AppError('NOT_FOUND', '购物车中没有该商品');
      });
      return view(idOf(token));
    },

    async removeFromVisitorCart(token: string | null | undefined, productId: string) {
      if (isUuid(productId) && idOf(token)) {
        await change(token, (tx, id) => visitorCartRepo.removeLine(tx, id, productId)).catch((e) => {
          if (!(e instanceof AppError && e.code === 'NOT_FOUND')) throw e;
        });
      }
      return view(idOf(token));
    },

    /**
     * Merges the visitor's cart into the signed-in buyer's and deletes it, in one transaction. Each
     * line follows planMerge: the quantities add up to at most the cart line limit and the product's
     * stock (never below what the buyer had); unlisted products (or of a disabled merchant) are
     * skipped. Idempotent: the visitor cart is locked and deleted by the first merge, so a replayed
     * request, a second tab or a concurrent merge finds nothing and changes nothing (null). The
     * buyer's cart is locked as checkout locks it, so a merge and a checkout do not interleave.
     */
    async mergeVisitorCart(actor: Actor | null, token: string | null | undefined): Promise<MergeResult | null> {
      const a = requireActor(actor);
      const id = idOf(token);
      if (!id) return null;
      return db.transaction(async (tx) => {
        const now = clock.now();
        if (!(await visitorCartRepo.lockLive(tx, id, now))) return null;
        const lines = await visitorCartRepo.takeAll(tx, id);
        if (!lines.length) return { added: 0, capped: 0, skipped: 0 };
        await ordersRepo.lockCart(tx, a.userId);
        const ids = lines.map((l) => l.productId);
        const found = new Map((await visitorCartRepo.productsOf(tx, ids)).map((p) => [p.id, p]));
        const merchants = await organisations.summariesOf(
          [...found.values()].map((p) => p.merchantId),
          tx,
        );
        const had = new Map((await visitorCartRepo.buyerLines(tx, a.userId, ids)).map((l) => [l.productId, l.quantity]));
        const plan = planMerge(
          lines.map((l) => {
            const p = found.get(l.productId);
            return {
              productId: l.productId,
              added: l.quantity,
              existing: had.get(l.productId) ?? 0,
              stock: p?.stock ?? 0,
              buyable: Boolean(p && p.status === 'listed' && merchants.get(p.merchantId)?.status === 'active'),
            };
          }),
        );
        const result: MergeResult = { added: 0, capped: 0, skipped: 0 };
        for (const step of plan) {
          result[step.result]++;
          if (step.result === 'skipped') continue;
          const line = lines.find((l) => l.productId === step.productId)!;
          const stock = found.get(step.productId)!.stock;
          // A new line holds what planMerge gives with nothing there before; an existing one (also one
          // a concurrent 加入购物车 just made) the same rule in SQL. No stock: the buyer's line stays.
          const fresh = mergedQuantity(0, line.quantity, mergeLineLimit(0, stock));
          if (fresh > 0) await visitorCartRepo.mergeIntoBuyerLine(tx, a.userId, step.productId, { added: line.quantity, cap: stock, fresh, now });
        }
        return result;
      });
    },

    /** Deletes expired visitor carts (a sweep); returns how many. */
    async sweepVisitorCarts() {
      let total = 0;
      for (let n = await visitorCartRepo.deleteExpired(db, clock.now()); n > 0; n = await visitorCartRepo.deleteExpired(db, clock.now())) total += n;
      return total;
    },
  };
  return service;
}
