import type { Actor } from '../shared/actor';
import { AppError } from '../shared/app-error';
import { xlsxFile, type ExportFile } from '../shared/export';
import { fenToYuan } from '../shared/money';
import { regionName } from '../shared/regions';
import { formatDateTimeSeconds } from '../shared/time';
import { parseInput } from '../shared/validate';
import { actingMonitor } from './monitoring.acting';
import type { MonitoringDeps } from './monitoring.deps';
import { UNIT_KIND_LABELS, type MonitoringUnitKind } from './monitoring.schema';
import { rollupRepo as repo, type GroupedRow, type RollupScope } from './rollup.repo';
import {
  DrillQuery,
  GROUP_BY_LABELS,
  NO_CITY,
  RollupQuery,
  type DrillView,
  type RollupFilters,
  type RollupGroupBy,
  type RollupRowView,
  type RollupView,
} from './rollup.schema';

const collator = new Intl.Collator('zh-CN');
const NO_CITY_LABEL = '省直属（单列）';

/** 广州市 for 440100 (a Guangdong prefecture), 贵州省 遵义市 elsewhere; the code itself when unknown. */
export function cityLabel(code: string): string {
  if (code === NO_CITY) return NO_CITY_LABEL;
  const name = regionName(code.slice(0, 4));
  if (!name) return code;
  return code.startsWith('44') ? name.replace(/^广东省 /, '') : name;
}
const provinceLabel = (code: string) => regionName(code.slice(0, 2)) || code;
const monthLabel = (ym: string) => (ym ? `${ym.slice(0, 4)}年${Number(ym.slice(5, 7))}月` : '未记录');

/** Adds two non-negative decimal strings with at most 3 decimals exactly (quantities are numeric(16,3)). */
function addQty(a: string, b: string): string {
  const milli = (s: string) => {
    const [i = '0', d = ''] = s.split('.');
    return BigInt(i) * 1000n + BigInt((d + '000').slice(0, 3));
  };
  const t = milli(a) + milli(b);
  const frac = String(t % 1000n)
    .padStart(3, '0')
    .replace(/0+$/, '');
  return `${t / 1000n}${frac ? `.${frac}` : ''}`;
}
const tidyQty = (s: string) => addQty(s, '0');

type Quantity = { unit: string; quantity: string; records: number };
/** Units of measure, the most used (by records) first. */
const byUse = (a: Quantity, b: Quantity) => b.records - a.records || collator.compare(a.unit, b.unit);

/**
 * The roll-up (汇总): approved amounts and quantities by city, category, origin, period, month, reporter kind
 * or reporter, for each viewer's scope:
 * - the province's administrators and auditors: every approved record;
 * - a city department's administrators and auditors: approved records it reviewed (department_id);
 * - a market's or chain's account: approved records of itself and its wholesalers or stores;
 * - anyone else in monitoring: MONITORING_ROLE_REQUIRED. Not a monitoring member: MONITORING_NOT_A_MEMBER.
 * Read-only, no transaction.
 */
export function createMonitoringRollupService(deps: Pick<MonitoringDeps, 'db' | 'clock'>) {
  const { db, clock } = deps;

  async function scopeOf(actor: Actor | null): Promise<{ scope: RollupScope; name: string; kind: RollupView['scope']['kind'] }> {
    const m = await actingMonitor(db, actor);
    const k = m.unit.kind;
    if ((k === 'province' || k === 'city') && (m.role === 'admin' || m.role === 'auditor'))
      return k === 'province'
        ? { scope: { kind: 'province' }, name: m.unit.fullName, kind: 'province' }
        : { scope: { kind: 'city', departmentId: m.unit.organisationId }, name: m.unit.fullName, kind: 'city' };
    if ((k === 'market' || k === 'chain') && m.role === 'reporter')
      return { scope: { kind: 'channel', organisationId: m.unit.organisationId }, name: m.unit.fullName, kind: 'channel' };
    throw new AppError('MONITORING_ROLE_REQUIRED', '只有扶贫部门的管理员、审核员和批发市场、连锁商超账号可以查看汇总');
  }

  async function labelsFor(groupBy: RollupGroupBy, keys: string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    if (groupBy === 'originCounty') {
      const names = await repo.countyNames(db, keys);
      for (const k of keys) {
        const c = names.get(k);
        out.set(k, c ? `${c.provinceName} ${c.cityName} ${c.name}` : regionName(k) || k);
      }
    } else if (groupBy === 'period') {
      const names = await repo.periodNames(db, keys);
      for (const k of keys) out.set(k, names.get(k)?.name ?? k);
    } else if (groupBy === 'reporter') {
      const names = await repo.organisationNames(db, keys);
      for (const k of keys) out.set(k, names.get(k) ?? k);
    } else
      for (const k of keys)
        out.set(
          k,
          groupBy === 'city'
            ? cityLabel(k)
            : groupBy === 'originProvince'
              ? provinceLabel(k)
              : groupBy === 'month'
                ? monthLabel(k)
                : groupBy === 'reporterKind'
                  ? (UNIT_KIND_LABELS[k as MonitoringUnitKind] ?? k)
                  : k,
        );
    return out;
  }

  /** The grouped rows of the one query as the view: rows by key (units of measure kept apart) and the totals. */
  async function shape(groupBy: RollupGroupBy, grouped: GroupedRow[]) {
    const rows = new Map<string, { amountFen: number; records: number; quantities: Quantity[] }>();
    const totals = { amountFen: 0, records: 0, quantityByUnit: [] as Quantity[] };
    const totalByUnit = new Map<string, Quantity>();
    for (const g of grouped) {
      const q = { unit: g.unit, quantity: tidyQty(g.quantity), records: g.records };
      totals.amountFen += g.amountFen;
      totals.records += g.records;
      const t = totalByUnit.get(g.unit);
      totalByUnit.set(g.unit, t ? { unit: g.unit, quantity: addQty(t.quantity, q.quantity), records: t.records + q.records } : { ...q });
      const row = rows.get(g.key) ?? { amountFen: 0, records: 0, quantities: [] };
      row.amountFen += g.amountFen;
      row.records += g.records;
      row.quantities.push(q);
      rows.set(g.key, row);
    }
    totals.quantityByUnit = [...totalByUnit.values()];
    totals.quantityByUnit.sort(byUse);
    const labels = await labelsFor(groupBy, [...rows.keys()]);
    const periodStart = groupBy === 'period' ? await repo.periodNames(db, [...rows.keys()]) : undefined;
    const out: RollupRowView[] = [...rows].map(([key, r]) => {
      const quantities = r.quantities.sort(byUse);
      return {
        key,
        label: labels.get(key) ?? key,
        amountFen: r.amountFen,
        records: r.records,
        quantity: quantities[0] ?? null,
        mixedUnits: quantities.length > 1,
        quantities,
      };
    });
    if (groupBy === 'month') out.sort((a, b) => a.key.localeCompare(b.key));
    else if (groupBy === 'period') out.sort((a, b) => (periodStart!.get(a.key)?.startsOn ?? '').localeCompare(periodStart!.get(b.key)?.startsOn ?? ''));
    else out.sort((a, b) => b.amountFen - a.amountFen || collator.compare(a.label, b.label));
    return { totals, rows: out };
  }

  const filtersOf = (q: RollupFilters): Record<string, string> =>
    Object.fromEntries(Object.entries(q).filter(([k, v]) => k !== 'groupBy' && typeof v === 'string' && v !== '')) as Record<string, string>;

  async function rollup(actor: Actor | null, raw: unknown): Promise<RollupView> {
    const s = await scopeOf(actor);
    const q = parseInput(RollupQuery, raw ?? {});
    const grouped = await repo.grouped(db, s.scope, q.groupBy, q);
    const { totals, rows } = await shape(q.groupBy, grouped);
    return { scope: { kind: s.kind, name: s.name }, groupBy: q.groupBy, filters: filtersOf(q), totals, rows };
  }

  /** What a filter's value reads as, for the export's first sheet. */
  async function filterLabels(f: Record<string, string>): Promise<[string, string][]> {
    const out: [string, string][] = [];
    if (f.periodId) out.push(['填报期间', (await repo.periodNames(db, [f.periodId])).get(f.periodId)?.name ?? f.periodId]);
    if (f.category) out.push(['产品类别', f.category]);
    if (f.originProvinceCode) out.push(['原产地省份', provinceLabel(f.originProvinceCode)]);
    if (f.originCountyCode) out.push(['原产地县', (await labelsFor('originCounty', [f.originCountyCode])).get(f.originCountyCode)!]);
    if (f.cityCode) out.push(['地级市', cityLabel(f.cityCode)]);
    if (f.reporterKind) out.push(['采购单位类型', UNIT_KIND_LABELS[f.reporterKind as MonitoringUnitKind] ?? f.reporterKind]);
    if (f.from) out.push(['审核通过日期自', f.from]);
    if (f.to) out.push(['审核通过日期至', f.to]);
    return out;
  }

  const qtyText = (q: Quantity[]) => q.map((x) => `${x.quantity} ${x.unit}`).join('；');

  return {
    /**
     * 汇总 of approved records for the caller's scope, grouped by `groupBy` (default city), with optional
     * filters: totals (amount, records, quantity per unit of measure) and one row per group, biggest amount
     * first (months and periods in time order). Errors: UNAUTHENTICATED, MONITORING_NOT_A_MEMBER,
     * MONITORING_ROLE_REQUIRED, VALIDATION.
     */
    rollup,

    /**
     * 下钻: a page of the approved records behind one row of the roll-up (its filters plus the row's key:
     * cityCode, category, originProvinceCode, originCountyCode, periodId, month, reporterKind or reporterId),
     * newest change first, `hasMore` when there is a next page (the row's `records` is the total). Errors as `rollup`.
     */
    async drill(actor: Actor | null, raw: unknown): Promise<DrillView> {
      const s = await scopeOf(actor);
      const q = parseInput(DrillQuery, raw ?? {});
      const page = await repo.drill(db, s.scope, q, q);
      return {
        items: page.items.slice(0, q.pageSize).map((r) => ({
          id: r.id,
          reporterName: r.reporter_name,
          reporterKind: r.reporter_kind,
          cityCode: r.city_code,
          cityName: cityLabel(r.city_code ?? NO_CITY),
          periodName: r.period_name,
          category: r.category,
          productName: r.product_name,
          originProvinceCode: r.origin_province_code,
          originCountyCode: r.origin_county_code,
          originName: r.county_name ? `${r.province_name} ${r.city_name} ${r.county_name}` : regionName(r.origin_county_code) || r.origin_county_code,
          unit: r.unit,
          quantity: tidyQty(r.quantity),
          amountFen: Number(r.amount_fen),
          approvedAt: r.approved_at === null ? null : new Date(r.approved_at).toISOString(),
        })),
        page: q.page,
        pageSize: q.pageSize,
        hasMore: page.items.length > q.pageSize,
      };
    },

    /** The roll-up as XLSX: a first sheet with the scope, filters and totals, then every row. Errors as `rollup`. */
    async exportXlsx(actor: Actor | null, raw: unknown): Promise<ExportFile> {
      const view = await rollup(actor, raw);
      const yuan = (fen: number) => Number(fenToYuan(fen));
      const by = GROUP_BY_LABELS[view.groupBy];
      const summary = {
        name: '汇总',
        columns: ['项目', '内容'],
        rows: [
          ['汇总单位', view.scope.name],
          ['统计口径', '审核通过的购销记录'],
          ['汇总方式', by],
          ...(await filterLabels(view.filters)),
          ['记录数', view.totals.records],
          ['采购金额（元）', yuan(view.totals.amountFen)],
          ['采购数量', qtyText(view.totals.quantityByUnit)],
          ['导出时间', formatDateTimeSeconds(clock.now())],
        ],
        widths: [18, 50],
      };
      const first = by.replace(/^按/, '');
      const columns = [first, '记录数', '采购金额（元）', '主要计量单位', '数量（主要计量单位）', '全部数量（按计量单位）'];
      const rows = view.rows.map((r) => [
        r.label,
        r.records,
        yuan(r.amountFen),
        r.quantity?.unit ?? '',
        r.quantity ? Number(r.quantity.quantity) : null,
        qtyText(r.quantities),
      ]);
      rows.push(['合计', view.totals.records, yuan(view.totals.amountFen), '', null, qtyText(view.totals.quantityByUnit)]);
      return xlsxFile(`${view.scope.name}-消费扶贫监测汇总-${first}.xlsx`.replace(/[\\/:*?"<>|%]/g, ''), [
        summary,
        { name: by, columns, rows, widths: [30, 10, 16, 14, 20, 40] },
      ]);
    },
  };
}
export type MonitoringRollupService = ReturnType<typeof createMonitoringRollupService>;
