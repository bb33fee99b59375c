import type { Db } from '../../db/client';
import type { StatisticsService as MallStatisticsService } from '../mall/statistics.service';
import { can } from '../shared/access';
import { requireActor, requireOrganisation, type Actor } from '../shared/actor';
import { AppError } from '../shared/app-error';
import type { Clock } from '../shared/clock';
import { xlsxFile, type ExportFile } from '../shared/export';
import { fenToYuan } from '../shared/money';
import { shanghaiDate } from '../shared/time';
import { parseInput } from '../shared/validate';
import { COMPLETION_BANDS, completionBand, completionBp, reservedFen, rollUp, type CompletionBand, type RolledUp } from './statistics.machine';
import { statisticsRepo as repo } from './statistics.repo';
import {
  SubtreeStatisticsQuery,
  UnitOrdersQuery,
  UnitStatisticsQuery,
  type StatisticsRowView,
  type SubtreeStatisticsView,
  type UnitOrdersView,
  type UnitStatisticsView,
} from './statistics.schema';

interface QuotaStatisticsDeps {
  db: Db;
  clock: Clock;
  /** The mall's purchases of units (the quotas context reads the mall through its service). */
  purchases: Pick<MallStatisticsService, 'purchasesByUnit' | 'unitOrders'>;
  /** Above this many units a subtree's purchases are read for all units and filtered here (tests lower it). */
  largeSubtree?: number;
}

interface Sums {
  reservedFen: number;
  actualFen: number;
  pendingFen: number;
  units: number;
  bands: Record<CompletionBand, number>;
}

const emptyBands = (): Record<CompletionBand, number> => ({ none: 0, low: 0, mid: 0, done: 0, unset: 0 });
const emptySums = (): Sums => ({ reservedFen: 0, actualFen: 0, pendingFen: 0, units: 0, bands: emptyBands() });
const BAND_ORDER = Object.fromEntries(COMPLETION_BANDS.map((b, i) => [b.key, i])) as Record<CompletionBand, number>;
const LEVEL_ORDER = ['中央', '省', '市', '县', '乡'];
const ROLE_LABEL = { central_dept: '主管部门', finance_dept: '财政部门', unit: '预算单位' } as const;
const collator = new Intl.Collator('zh-CN');
/** Naming more ids than this costs more than one grouped scan of every unit (bench:quotas). */
const LARGE_SUBTREE = 2_000;
const pct = (bp: number | null) => (bp === null ? '未设预留' : `${(bp / 100).toFixed(2)}%`);

/**
 * 统计报表 of budget-unit quotas: reserved (annual × ratio) against what a unit actually bought in the
 * mall in the year (completed orders, by completion time; paid-not-completed beside it), for one unit,
 * rolled up over a subtree by unit, by budget level or by region, with the distribution of units by
 * completion band. Read-only: no transaction, nothing published.
 *
 * Access: the caller acts for a budget unit or department (its active organisation has a budget-unit
 * row) and may view its statistics (`statistics.view`: its owner/admin, or an owner/admin of an
 * ancestor); it sees that organisation's subtree and nothing else (another unit answers NOT_FOUND).
 */
export function createQuotaStatisticsService({ db, clock, purchases, largeSubtree = LARGE_SUBTREE }: QuotaStatisticsDeps) {
  const thisYear = () => Number(shanghaiDate(clock.now()).slice(0, 4));

  /** The caller's own unit (the root of what it sees), checked. Errors: UNAUTHENTICATED, FORBIDDEN. */
  async function rootOf(actor: Actor | null) {
    const a = requireActor(actor);
    const org = requireOrganisation(a);
    const own = await repo.unit(db, org.organisationId);
    if (!own) throw new AppError('FORBIDDEN', '只有预算单位和财政部门可以查看统计报表');
    const ancestorIds = await repo.ancestorIds(db, own.id);
    if (!can(a, 'statistics.view', { organisationId: own.id, ancestorIds })) throw new AppError('FORBIDDEN', '只有单位负责人或管理员可以查看统计报表');
    return own;
  }

  /** The unit asked for, within the caller's subtree. Errors: NOT_FOUND (unknown or outside it). */
  async function targetOf(root: Awaited<ReturnType<typeof rootOf>>, unitId: string | undefined) {
    if (!unitId || unitId === root.id) return root;
    const depth = await repo.depthBelow(db, root.id, unitId);
    const unit = depth === undefined ? undefined : await repo.unit(db, unitId);
    if (!unit) throw new AppError('NOT_FOUND', '没有找到该预算单位（只能查看本单位及下级单位）');
    return unit;
  }

  const ref = (u: { id: string; name: string; budgetLevel: string; role: 'central_dept' | 'finance_dept' | 'unit' }) => ({
    id: u.id,
    name: u.name,
    budgetLevel: u.budgetLevel,
    role: u.role,
  });
  const figures = (s: { reservedFen: number; actualFen: number; pendingFen: number }) => ({
    reservedFen: s.reservedFen,
    actualFen: s.actualFen,
    pendingFen: s.pendingFen,
    completionBp: completionBp(s.actualFen, s.reservedFen),
  });

  /** The subtree's units with their own year figures and their subtree roll-up. */
  async function subtreeFigures(rootId: string, year: number) {
    const units = await repo.subtree(db, rootId);
    // A large subtree reads every unit's sums (one plain grouped scan) and keeps its own; naming thousands
    // of ids makes the database test each order against the list (measured: bench:quotas).
    const large = units.length > largeSubtree;
    const bought = await purchases.purchasesByUnit({ year, unitIds: large ? undefined : units.map((u) => u.id), byMonth: false });
    const inTree = large ? new Set(units.map((u) => u.id)) : undefined;
    const own = new Map(bought.filter((b) => !inTree || inTree.has(b.unitId)).map((b) => [b.unitId, b]));
    const rows = units.map((u) => {
      const p = own.get(u.id);
      const reserved = reservedFen(u.annualFen, u.ratioBp);
      const actualFen = p?.completedFen ?? 0;
      return { ...u, reservedFen: reserved, actualFen, pendingFen: p?.pendingFen ?? 0, band: completionBand(actualFen, reserved) };
    });
    const rolled = rollUp(
      rows.map((r) => ({
        id: r.id,
        parentId: r.id === rootId ? null : r.superiorId,
        annualFen: r.annualFen,
        ratioBp: r.ratioBp,
        actualFen: r.actualFen,
        pendingFen: r.pendingFen,
      })),
    );
    return { rows, rolled };
  }

  type Row = Awaited<ReturnType<typeof subtreeFigures>>['rows'][number];

  /** Sums over a group of units, each counted with its own figures. */
  const sumOf = (units: readonly Row[]): Sums =>
    units.reduce((s, u) => {
      s.reservedFen += u.reservedFen;
      s.actualFen += u.actualFen;
      s.pendingFen += u.pendingFen;
      s.units += 1;
      s.bands[u.band]++;
      return s;
    }, emptySums());

  /**
   * Regions are the finance departments: a unit belongs to the nearest department at or above it within
   * the subtree (the bureau it reports to), or to the root when there is none. Region codes of
   * organisations are optional and not kept for budget units; the reporting line always exists.
   */
  function regionOf(rows: readonly Row[], rootId: string) {
    const byId = new Map(rows.map((r) => [r.id, r]));
    const memo = new Map<string, Row>();
    const find = (r: Row): Row => {
      const known = memo.get(r.id);
      if (known) return known;
      const up = r.superiorId ? byId.get(r.superiorId) : undefined;
      const region = r.role !== 'unit' || r.id === rootId || !up ? r : find(up);
      memo.set(r.id, region);
      return region;
    };
    return find;
  }

  function groupRows(rows: Row[], rolled: Map<string, RolledUp>, rootId: string, groupBy: 'unit' | 'level' | 'region'): StatisticsRowView[] {
    const nameOf = new Map(rows.map((r) => [r.id, r.name]));
    if (groupBy === 'unit') {
      return rows
        .map((r) => {
          const sub = rolled.get(r.id)!;
          const own = sumOf([r]);
          return {
            key: r.id,
            name: r.name,
            budgetLevel: r.budgetLevel,
            depth: r.depth,
            superiorName: r.id === rootId || !r.superiorId ? null : (nameOf.get(r.superiorId) ?? null),
            ...figures(r),
            band: r.band,
            units: 1,
            bands: own.bands,
            subtree: sub.units > 1 ? { ...figures(sub), units: sub.units } : null,
          };
        })
        .sort(
          (x, y) =>
            BAND_ORDER[x.band] - BAND_ORDER[y.band] || (x.completionBp ?? 0) - (y.completionBp ?? 0) || x.depth - y.depth || collator.compare(x.name, y.name),
        );
    }
    const groups = new Map<string, { name: string; units: Row[] }>();
    const region = regionOf(rows, rootId);
    for (const r of rows) {
      const g = groupBy === 'level' ? { key: r.budgetLevel, name: r.budgetLevel } : { key: region(r).id, name: region(r).name };
      const entry = groups.get(g.key) ?? { name: g.name, units: [] };
      entry.units.push(r);
      groups.set(g.key, entry);
    }
    const out = [...groups].map(([key, g]) => {
      const s = sumOf(g.units);
      return {
        key,
        name: g.name,
        budgetLevel: null,
        depth: null,
        superiorName: null,
        ...figures(s),
        band: null,
        units: s.units,
        bands: s.bands,
        subtree: null,
      };
    });
    return groupBy === 'level'
      ? out.sort((x, y) => LEVEL_ORDER.indexOf(x.key) - LEVEL_ORDER.indexOf(y.key))
      : out.sort((x, y) => (x.key === rootId ? -1 : y.key === rootId ? 1 : collator.compare(x.name, y.name)));
  }

  async function subtreeAll(actor: Actor | null, raw: unknown) {
    const own = await rootOf(actor);
    const q = parseInput(SubtreeStatisticsQuery, raw ?? {});
    const root = await targetOf(own, q.unitId);
    const year = q.year ?? thisYear();
    const { rows, rolled } = await subtreeFigures(root.id, year);
    const kept = q.band ? rows.filter((r) => r.band === q.band) : rows;
    const total = rolled.get(root.id)!;
    const distribution = sumOf(rows).bands;
    return {
      q,
      view: {
        year,
        root: ref(root),
        groupBy: q.groupBy,
        band: q.band ?? null,
        totals: { ...figures(total), units: total.units },
        bands: COMPLETION_BANDS.map((b) => ({ key: b.key, label: b.label, units: distribution[b.key] })),
        all: groupRows(kept, rolled, root.id, q.groupBy),
      },
    };
  }

  return {
    /**
     * One unit's year: reserved, actual, pending, completion, band, the twelve months, and its subtree's
     * totals when it has units below it. Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, VALIDATION.
     */
    async unit(actor: Actor | null, raw: unknown): Promise<UnitStatisticsView> {
      const own = await rootOf(actor);
      const q = parseInput(UnitStatisticsQuery, raw ?? {});
      const unit = await targetOf(own, q.unitId);
      const year = q.year ?? thisYear();
      const byMonth = await purchases.purchasesByUnit({ year, unitIds: [unit.id], byMonth: true });
      const months = Array.from({ length: 12 }, (_, i) => {
        const m = byMonth.find((b) => b.month === i + 1);
        return { month: i + 1, actualFen: m?.completedFen ?? 0, pendingFen: m?.pendingFen ?? 0 };
      });
      const actualFen = months.reduce((s, m) => s + m.actualFen, 0);
      const pendingFen = months.reduce((s, m) => s + m.pendingFen, 0);
      const reserved = reservedFen(unit.annualFen, unit.ratioBp);
      const { rows, rolled } = await subtreeFigures(unit.id, year);
      const sub = rolled.get(unit.id)!;
      return {
        year,
        unit: { ...ref(unit), annualFen: unit.annualFen, ratioBp: unit.ratioBp, superiorName: unit.superiorName },
        ...figures({ reservedFen: reserved, actualFen, pendingFen }),
        band: completionBand(actualFen, reserved),
        months,
        subtree: rows.length > 1 ? { ...figures(sub), units: sub.units, bands: sumOf(rows).bands } : null,
      };
    },

    /**
     * A unit's or department's subtree rolled up: totals, the distribution of units by band (laggards
     * first), and a page of rows by unit (own and subtree figures, laggards first), by budget level or by
     * region (finance department), optionally only units of one band. Errors as `unit`.
     */
    async subtree(actor: Actor | null, raw: unknown): Promise<SubtreeStatisticsView> {
      const { q, view } = await subtreeAll(actor, raw);
      const { all, ...rest } = view;
      const start = (q.page - 1) * q.pageSize;
      return { ...rest, rows: { items: all.slice(start, start + q.pageSize), total: all.length, page: q.page, pageSize: q.pageSize } };
    },

    /** 订单明细: a unit's orders counted in the year (completed and paid-not-completed), newest first. Errors as `unit`. */
    async orders(actor: Actor | null, raw: unknown): Promise<UnitOrdersView> {
      const own = await rootOf(actor);
      const q = parseInput(UnitOrdersQuery, raw ?? {});
      const unit = await targetOf(own, q.unitId);
      const year = q.year ?? thisYear();
      const orders = await purchases.unitOrders({ unitId: unit.id, year, page: q.page, pageSize: q.pageSize });
      return { year, unit: ref(unit), orders };
    },

    /** The subtree table (every row, not a page) as XLSX, with the totals and band distribution on a first sheet. */
    async exportSubtree(actor: Actor | null, raw: unknown): Promise<ExportFile> {
      const { view } = await subtreeAll(actor, raw);
      const yuan = (fen: number) => Number(fenToYuan(fen));
      const isUnit = view.groupBy === 'unit';
      const first = { unit: '预算单位', level: '预算级次', region: '地区（财政部门）' }[view.groupBy];
      const columns = isUnit
        ? [
            first,
            '预算级次',
            '上级单位',
            '预留金额（元）',
            '实际采购（元）',
            '已付款未完成（元）',
            '完成率',
            '完成情况',
            '含下级预留（元）',
            '含下级实际（元）',
            '含下级完成率',
          ]
        : [first, '单位数', '预留金额（元）', '实际采购（元）', '已付款未完成（元）', '完成率', ...COMPLETION_BANDS.map((b) => b.label)];
      const label = Object.fromEntries(COMPLETION_BANDS.map((b) => [b.key, b.label])) as Record<CompletionBand, string>;
      const rows = view.all.map((r) =>
        isUnit
          ? [
              r.name,
              r.budgetLevel,
              r.superiorName,
              yuan(r.reservedFen),
              yuan(r.actualFen),
              yuan(r.pendingFen),
              pct(r.completionBp),
              r.band ? label[r.band] : '',
              r.subtree ? yuan(r.subtree.reservedFen) : null,
              r.subtree ? yuan(r.subtree.actualFen) : null,
              r.subtree ? pct(r.subtree.completionBp) : null,
            ]
          : [r.name, r.units, yuan(r.reservedFen), yuan(r.actualFen), yuan(r.pendingFen), pct(r.completionBp), ...COMPLETION_BANDS.map((b) => r.bands[b.key])],
      );
      const summary = {
        name: '汇总',
        columns: ['项目', '数值'],
        rows: [
          ['单位', `${view.root.name}（${ROLE_LABEL[view.root.role]}）`],
          ['年度', String(view.year)],
          ['单位数', view.totals.units],
          ['预留金额（元）', yuan(view.totals.reservedFen)],
          ['实际采购（元）', yuan(view.totals.actualFen)],
          ['已付款未完成（元）', yuan(view.totals.pendingFen)],
          ['完成率', pct(view.totals.completionBp)],
          ...view.bands.map((b) => [b.label, b.units]),
        ],
        widths: [22, 40],
      };
      const byName = { unit: '按单位', level: '按预算级次', region: '按地区' }[view.groupBy];
      const suffix = view.band ? `-${label[view.band]}` : '';
      return xlsxFile(`${view.root.name}-统计报表-${view.year}-${byName}${suffix}.xlsx`.replace(/[\\/:*?"<>|%]/g, ''), [
        summary,
        { name: byName, columns, rows, widths: columns.map((c, i) => (i === 0 ? 36 : Math.max(12, c.length * 2 + 2))) },
      ]);
    },
  };
}

export type QuotaStatisticsService = ReturnType<typeof createQuotaStatisticsService>;
