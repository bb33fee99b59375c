import { z } from 'zod';
import type { DbOrTx } from '../../db/client';
import { recordAudit } from '../audit/audit';
import type { Actor } from '../shared/actor';
import { AppError } from '../shared/app-error';
import { Paging } from '../shared/paging';
import { parseInput } from '../shared/validate';
import { actingMonitor, type ActingMonitor } from './monitoring.acting';
import type { MonitoringDeps } from './monitoring.deps';
import { UNITS, type Category } from './monitoring.schema';
import { createMonitoringRecordService } from './records.service';
import { referenceRepo } from './reference.repo';

/**
 * Completed mall orders → purchase records in one step, the order as evidence (manual 002: 商城订单一键生成
 * 购销记录). The acting reporter's organisation must be the order's buyer unit; the order completed; its main
 * product's origin (6–12 digits, the first 6 the county) an active assisted county. Each order becomes one
 * draft (monitoring_records.mall_order_id is unique: two calls at once make one record, the other hears
 * 已生成购销记录).
 */

/** Mall category (its first segment) → the monitoring category; anything else is 其他. */
const CATEGORY_BY_MALL: Record<string, Category> = {
  'grain.rice': '粮食',
  'grain.flour': '粮食',
  'grain.noodle': '加工食品',
  'grain.oil': '食用油',
  'meat.pork': '畜禽肉蛋',
  'meat.poultry': '畜禽肉蛋',
  'meat.egg': '畜禽肉蛋',
  'meat.beef': '畜禽肉蛋',
  'fresh.fruit': '水果',
  'fresh.citrus': '水果',
  'fresh.vegetable': '蔬菜',
  'tea.green': '茶叶',
  'tea.black': '茶叶',
  'tea.drink': '饮品酒水',
  'mountain.mushroom': '食用菌',
  'mountain.herb': '中药材',
  'mountain.nut': '加工食品',
  'mountain.honey': '加工食品',
  seasoning: '加工食品',
  liquor: '饮品酒水',
  aquatic: '水产品',
};
export const categoryOfMall = (code: string): Category => CATEGORY_BY_MALL[code] ?? CATEGORY_BY_MALL[code.split('.')[0]!] ?? '其他';

export const FromMallInput = z.object({
  orderIds: z
    .array(z.uuid('订单编号无效'), { error: '请选择订单' })
    .min(1, '请至少选择一个订单')
    .max(100, '一次最多 100 个订单')
    .transform((ids) => [...new Set(ids)]),
});
export type FromMallInput = z.input<typeof FromMallInput>;
export const MallOrdersQuery = Paging(50, 20);
export type MallOrdersQuery = z.input<typeof MallOrdersQuery>;

export const FromMallResult = z.object({
  items: z.array(
    z.object({
      orderId: z.string(),
      orderNo: z.string().nullable(),
      ok: z.boolean(),
      recordId: z.string().nullable(),
      reason: z.string().nullable(),
    }),
  ),
  created: z.number().int(),
});
export type FromMallResult = z.output<typeof FromMallResult>;

export const EligibleOrderView = z.object({
  id: z.string(),
  orderNo: z.string(),
  completedAt: z.string().nullable(),
  productName: z.string(),
  quantity: z.string(),
  unit: z.string(),
  amountFen: z.number().int(),
  category: z.string(),
  originCountyCode: z.string(),
  originName: z.string(),
});
export type EligibleOrderView = z.output<typeof EligibleOrderView>;
export const EligibleOrderPage = z.object({ items: z.array(EligibleOrderView), total: z.number().int(), page: z.number().int(), pageSize: z.number().int() });
export type EligibleOrderPage = z.output<typeof EligibleOrderPage>;

type MallOrder = Awaited<ReturnType<MonitoringDeps['orders']['completedOrdersOfOrganisation']>>[number];

/** Shanghai calendar day of an instant (periods are calendar days). */
const shanghaiDay = (d: Date) => new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 10);

export function createMonitoringMallOrderService(deps: MonitoringDeps) {
  const { db, clock, orders } = deps;
  const records = createMonitoringRecordService(deps);

  async function reporter(actor: Actor | null): Promise<ActingMonitor> {
    const m = await actingMonitor(db, actor, ['reporter']);
    if (!m.unit.departmentId) throw new AppError('MONITORING_ROLE_REQUIRED', '扶贫部门账号不能填报购销记录');
    return m;
  }

  /** What an order would become, or why it cannot (the county check reads the list as it is now). */
  async function draftOf(q: DbOrTx, o: MallOrder) {
    const main = [...o.lines].sort((a, b) => b.priceFen * b.quantity - a.priceFen * a.quantity)[0];
    if (!main) return { ok: false as const, reason: '订单没有商品' };
    const countyCode = main.originCode.slice(0, 6);
    const county = /^\d{6,12}$/.test(main.originCode) ? await referenceRepo.findCounty(q, countyCode) : undefined;
    if (!county?.active) return { ok: false as const, reason: '商品产地不在帮扶县名单中' };
    const units = new Set(o.lines.map((l) => l.unit));
    const unit = units.size === 1 && (UNITS as readonly string[]).includes(main.unit) ? main.unit : '件';
    const amountFen = o.lines.reduce((s, l) => s + l.priceFen * l.quantity, 0);
    return {
      ok: true as const,
      county,
      content: {
        directFromOrigin: true,
        originProvinceCode: county.provinceCode,
        originCityCode: county.cityCode,
        originCountyCode: county.code,
        category: categoryOfMall(main.categoryCode),
        productName: (o.lines.length > 1 ? `${main.name} 等 ${o.lines.length} 种` : main.name).slice(0, 60),
        unit,
        quantity: String(o.lines.reduce((s, l) => s + l.quantity, 0)),
        amountFen,
      },
    };
  }

  return {
    /** Completed orders of the reporter's organisation from assisted counties that are not records yet (newest first). */
    async eligibleMallOrders(actor: Actor | null, query: MallOrdersQuery = {}): Promise<EligibleOrderPage> {
      const m = await reporter(actor);
      const f = parseInput(MallOrdersQuery, query);
      const all = await orders.completedOrdersOfOrganisation(db, m.unit.organisationId);
      const recorded = await referenceRepo.recordedOrderIds(
        db,
        all.map((o) => o.id),
      );
      const items: EligibleOrderView[] = [];
      for (const o of all) {
        if (recorded.has(o.id)) continue;
        const d = await draftOf(db, o);
        if (!d.ok) continue;
        items.push({
          id: o.id,
          orderNo: o.orderNo,
          completedAt: o.completedAt?.toISOString() ?? null,
          productName: d.content.productName,
          quantity: d.content.quantity,
          unit: d.content.unit,
          amountFen: d.content.amountFen,
          category: d.content.category,
          originCountyCode: d.county.code,
          originName: `${d.county.provinceName} ${d.county.cityName} ${d.county.name}`,
        });
      }
      const start = (f.page - 1) * f.pageSize;
      return { items: items.slice(start, start + f.pageSize), total: items.length, page: f.page, pageSize: f.pageSize };
    },

    /**
     * One draft record per order (per-order answers: created, or why not). Each order in its own transaction;
     * an order another call turned into a record first answers 已生成购销记录 (the unique mall_order_id).
     */
    async fromMallOrders(actor: Actor | null, input: FromMallInput): Promise<FromMallResult> {
      const v = parseInput(FromMallInput, input);
      const m = await reporter(actor);
      const found = new Map((await orders.completedOrdersOfOrganisation(db, m.unit.organisationId, v.orderIds)).map((o) => [o.id, o]));
      const items: FromMallResult['items'] = [];
      for (const id of v.orderIds) {
        const o = found.get(id);
        // Not the organisation's, not completed, or unknown: one answer (never tell apart).
        if (!o) {
          items.push({ orderId: id, orderNo: null, ok: false, recordId: null, reason: '不是本单位已完成的商城订单' });
          continue;
        }
        try {
          const recordId = await db.transaction(async (tx) => {
            if ((await referenceRepo.recordedOrderIds(tx, [id])).size) throw new AppError('MONITORING_ORDER_NOT_ELIGIBLE', '该订单已生成购销记录');
            const d = await draftOf(tx, o);
            if (!d.ok) throw new AppError('MONITORING_ORDER_NOT_ELIGIBLE', d.reason);
            const period = await referenceRepo.openPeriodFor(tx, 'regular', shanghaiDay(o.completedAt ?? clock.now()));
            if (!period) throw new AppError('MONITORING_PERIOD_CLOSED', '没有开放的购销信息登记期间，请联系省级扶贫部门');
            const [rid] = await records.insertDrafts(tx, m, [{ filingType: 'regular', periodId: period.id, ...d.content, mallOrderId: id }]);
            await recordAudit(tx, {
              actorUserId: m.actor.userId,
              action: 'monitoring.record_from_mall',
              targetType: 'monitoring_record',
              targetId: rid!,
              organisationId: m.unit.organisationId,
              data: { orderId: id, orderNo: o.orderNo },
            });
            return rid!;
          });
          items.push({ orderId: id, orderNo: o.orderNo, ok: true, recordId, reason: null });
        } catch (e) {
          const err = e as { code?: string; cause?: { code?: string }; message?: string };
          if (e instanceof AppError) items.push({ orderId: id, orderNo: o.orderNo, ok: false, recordId: null, reason: e.message });
          else if (err?.code === '23505' || err?.cause?.code === '23505')
            items.push({ orderId: id, orderNo: o.orderNo, ok: false, recordId: null, reason: '该订单已生成购销记录' });
          else throw e;
        }
      }
      return { items, created: items.filter((i) => i.ok).length };
    },
  };
}
