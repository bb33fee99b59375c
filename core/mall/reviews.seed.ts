import type { Db } from '../../db/client';
import type { AccountService } from '../accounts/accounts.service';
import type { SeedSteps } from '../platform/seed-steps';
import { ordersRepo } from './orders.repo';
import { seedCompletedOrder, type MallOrderSeedHost } from './orders.seed';
import type { ReviewService } from './reviews.service';
import { unitsRepo } from './units.repo';

/** What the reviews' seed uses of the platform (see SeedFn). */
export interface ReviewSeedHost {
  db: Db;
  services: MallOrderSeedHost['services'] & { accounts: Pick<AccountService, 'actorForUser'>; reviews: ReviewService };
}

interface DemoReviewedOrder {
  orderNo: string;
  buyer: string;
  /** The buyer's unit account buys for its unit. */
  forUnit: boolean;
  productName: string;
  merchant: string;
  quantity: number;
  placedAt: string;
  completedAt: string;
  /** No review: a completed order its buyer can still review. */
  review?: { productStars: number; merchantStars: number; body: string; reply?: string };
}

const ADDRESS = {
  liuyang: { recipient: '刘洋', mobile: '13900000051', regionCode: '500118001', detail: '中山路 1 号 重庆财经职业学院 会计学院办公室' },
  chenjing: { recipient: '陈静', mobile: '13900000052', regionCode: '500118', detail: '中山路 1 号 重庆财经职业学院 工会' },
  cqcfzy: { recipient: '周老师', mobile: '13900000043', regionCode: '500118001', detail: '中山路 1 号 重庆财经职业学院 工会' },
} as const;

/** Completed orders of the demo's buyers and what they said about them (two replied to by the merchant). */
const ORDERS: DemoReviewedOrder[] = [
  {
    orderNo: 'MO202610080000000301',
    buyer: 'liuyang',
    forUnit: false,
    productName: '赣南脐橙 10 斤装',
    merchant: 'fuxi',
    quantity: 2,
    placedAt: '2026-10-08T02:00:00Z',
    completedAt: '2026-10-20T02:00:00Z',
    review: {
      productStars: 5,
      merchantStars: 5,
      body: '果子个头均匀，很甜，汁水足。包装结实，没有一个磕坏的，办公室同事都说好吃。',
      reply: '谢谢您的认可！今年果园雨水足，脐橙糖度高，欢迎再来。',
    },
  },
  {
    orderNo: 'MO202610100000000302',
    buyer: 'cqcfzy',
    forUnit: true,
    productName: '城口老腊肉',
    merchant: 'chengkou',
    quantity: 20,
    placedAt: '2026-10-10T03:00:00Z',
    completedAt: '2026-10-24T03:00:00Z',
    review: { productStars: 4, merchantStars: 5, body: '工会发福利采购的，烟熏味正，肥瘦合适。发货很快，就是有两块偏咸。' },
  },
  {
    orderNo: 'MO202610120000000303',
    buyer: 'chenjing',
    forUnit: false,
    productName: '赣南脐橙 10 斤装',
    merchant: 'fuxi',
    quantity: 1,
    placedAt: '2026-10-12T04:00:00Z',
    completedAt: '2026-10-26T04:00:00Z',
    review: {
      productStars: 4,
      merchantStars: 4,
      body: '味道不错，比超市的新鲜。快递慢了一天。',
      reply: '抱歉让您久等了，我们已经和快递沟通，后续会优先发顺丰。',
    },
  },
  {
    orderNo: 'MO202610140000000304',
    buyer: 'liuyang',
    forUnit: false,
    productName: '红池坝中蜂土蜂蜜 500g',
    merchant: 'wuxi',
    quantity: 3,
    placedAt: '2026-10-14T05:00:00Z',
    completedAt: '2026-10-28T05:00:00Z',
    review: { productStars: 5, merchantStars: 5, body: '蜂蜜很浓稠，有花香，已经回购第二次了。' },
  },
  {
    orderNo: 'MO202610160000000305',
    buyer: 'chenjing',
    forUnit: false,
    productName: '赣南脐橙 10 斤装',
    merchant: 'fuxi',
    quantity: 2,
    placedAt: '2026-10-16T06:00:00Z',
    completedAt: '2026-10-30T06:00:00Z',
    review: { productStars: 3, merchantStars: 4, body: '这次有几个偏酸，整体还可以。' },
  },
  // Not reviewed yet: 重庆财经职业学院 can rate it (评价 on the order page).
  {
    orderNo: 'MO202611020000000306',
    buyer: 'cqcfzy',
    forUnit: true,
    productName: '城口核桃 2 斤装',
    merchant: 'chengkou',
    quantity: 10,
    placedAt: '2026-11-02T02:00:00Z',
    completedAt: '2026-11-16T02:00:00Z',
  },
];

/**
 * Reviews of the mall demo: a few completed orders of the demo's buyers (written as the whole order
 * flow leaves them, by seedCompletedOrder), their reviews through the reviews service, and the
 * merchants' replies to two of them; one completed order is left for its buyer to review. Each order a
 * recorded step; nothing without the mall's demo products.
 */
export async function seedDemoReviews(p: ReviewSeedHost, log: (line: string) => void, steps: SeedSteps): Promise<boolean> {
  const s = p.services;
  const userIdOf = async (username: string) => (await unitsRepo.findUserIdByUsername(p.db, username))?.id;
  if (!(await steps.isDone('mall:reviews'))) log('  seeding mall reviews');
  for (const o of ORDERS) {
    await steps.step(`mall:reviews:${o.orderNo}`, async () => {
      const buyerId = await userIdOf(o.buyer);
      const merchantId = await userIdOf(o.merchant);
      if (!buyerId || !merchantId) return null;
      const buyer = await s.accounts.actorForUser(buyerId);
      const order = await seedCompletedOrder(p, {
        orderNo: o.orderNo,
        buyerUserId: buyerId,
        unitId: o.forUnit ? (buyer.organisation?.organisationId ?? null) : null,
        productName: o.productName,
        quantity: o.quantity,
        address: ADDRESS[o.buyer as keyof typeof ADDRESS],
        placedAt: new Date(o.placedAt),
        completedAt: new Date(o.completedAt),
      });
      if (!order || !o.review) return null;
      const [line] = await ordersRepo.linesOf(p.db, order.id);
      const { reply, ...review } = o.review;
      const done = (await s.reviews.orderReviews(buyer, order.id)).byLine[line!.id];
      const r = done ?? (await s.reviews.submitReview(buyer, order.id, { orderLineId: line!.id, ...review }));
      if (reply && !r.reply) await s.reviews.replyToReview(await s.accounts.actorForUser(merchantId), r.id, { reply });
      return null;
    });
  }
  await steps.markDone('mall:reviews');
  return steps.ran;
}
