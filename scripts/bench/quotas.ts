/**
 * npm run bench:quotas — the budget-unit import's sheet side.
 *
 * 1. A 10,000-row 《预算单位情况表》 with 5 % bad rows of 10 error kinds: parse + check + preview (the
 *    engine's streaming read, each row's column checks, the checks across rows) beside a bare ExcelJS
 *    streaming read of the same file, alternated, best of `--rounds`; prints both and the ratio (aim ≤ 2.5×),
 *    and that every bad row was flagged with its row, column and reason, and no good row was.
 * 2. A 100,000-row sheet read and checked the same way in a child process: its peak memory (aim ≤ 400 MB)
 *    and the progress events it gave (at least one a second).
 *
 * 3. The statistics over 50,000 units and 1,000,000 orders (scripts/bench/quotas-statistics.ts).
 * 4. Confirming 10,000 units through the import engine and generating their management accounts
 *    (scripts/bench/quotas-accounts.ts; aim ≤ 10 s), beside what argon2 for as many passwords would take.
 *
 *   npm run bench:quotas [-- --rows 10000 --big 100000 --rounds 3]
 */
import { fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import ExcelJS from 'exceljs';
import { checkRow, readSheet } from '../../core/imports/sheet';
import { checkBudgetUnitFile, type ParsedRow } from '../../core/quotas/budget-units.machine';
import { BUDGET_UNIT_SHEET, type BudgetUnitRow } from '../../core/quotas/budget-units.schema';
import { usccCheckCharacter } from '../../core/shared/validators';
import { benchAccounts } from './quotas-accounts';
import { benchStatistics } from './quotas-statistics';
import { numberOption } from './support';

const ROWS = numberOption('rows', 10_000);
const BIG = numberOption('big', 100_000);
const ROUNDS = numberOption('rounds', 3);

const uscc = (n: number) => {
  const s17 = `11500110MB${String(1_000_000 + n).padStart(7, '0')}`;
  return s17 + usccCheckCharacter(s17);
};
const HEADERS = BUDGET_UNIT_SHEET.columns.map((c) => (c.required ? `${c.header}*` : c.header));

/** The error kinds the bad rows carry, one per bad row in turn; each names the column it must be flagged on. */
const BAD: { column: keyof BudgetUnitRow; spoil: (r: string[], i: number) => void }[] = [
  { column: 'fullName', spoil: (r) => (r[0] = '') },
  { column: 'uscc', spoil: (r) => (r[2] = r[2]!.slice(0, 17)) },
  { column: 'uscc', spoil: (r) => (r[2] = r[2]!.slice(0, 17) + (r[2]!.endsWith('0') ? '1' : '0')) },
  { column: 'mobile', spoil: (r) => (r[4] = '1380013800') },
  { column: 'budgetLevel', spoil: (r) => (r[5] = '区') },
  { column: 'adminLevel', spoil: (r) => (r[6] = '正部级') },
  { column: 'annualFen', spoil: (r) => (r[7] = '-100') },
  { column: 'ratioBp', spoil: (r) => (r[8] = '120') },
  { column: 'superiorName', spoil: (r) => (r[1] = '不存在的上级单位名称') },
  { column: 'contactName', spoil: (r) => (r[3] = '') },
];

/** n rows under a 3-level tree (the uploader → bureaus → units); every 20th row spoiled. */
async function sheet(n: number) {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: false, useSharedStrings: true });
  const ws = wb.addWorksheet(BUDGET_UNIT_SHEET.name);
  ws.addRow(HEADERS).commit();
  const expected = new Map<number, string>();
  for (let i = 0; i < n; i++) {
    const bureau = i < 100;
    const r = [
      bureau ? `重庆市綦江区第${i}委员会` : `綦江区第${i}号预算单位`,
      bureau ? '' : `重庆市綦江区第${i % 100}委员会`,
      uscc(i),
      '张三',
      '13800138000',
      '县',
      '县处级',
      '125000.50',
      '30',
    ];
    if (i >= 100 && i % 20 === 7) {
      const kind = BAD[Math.floor(i / 20) % BAD.length]!;
      kind.spoil(r, i);
      expected.set(i + 2, kind.column);
    }
    ws.addRow(r).commit();
  }
  ws.commit();
  await wb.commit();
  return { bytes: Buffer.concat(chunks), expected };
}

async function bareRead(bytes: Buffer) {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from([bytes]) as never, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    styles: 'ignore',
    hyperlinks: 'ignore',
  });
  let cells = 0;
  for await (const ws of reader) {
    for await (const r of ws as AsyncIterable<ExcelJS.Row>) for (let c = 1; c <= HEADERS.length; c++) if (r.getCell(c).value !== null) cells++;
    break;
  }
  return cells;
}

/** The engine: read, check each row, check across rows; the preview's counts and each bad row's column. */
async function engine(source: Buffer, onProgress?: (n: number) => void) {
  const good: ParsedRow[] = [];
  const flagged = new Map<number, string[]>();
  for await (const r of readSheet(BUDGET_UNIT_SHEET, source, { onProgress, progressEveryMs: 250 })) {
    const c = checkRow(BUDGET_UNIT_SHEET, r);
    if (c.ok) good.push({ row: r.row, value: c.value as unknown as BudgetUnitRow });
    else
      flagged.set(
        r.row,
        c.errors.map((e) => e.column),
      );
  }
  const verdicts = checkBudgetUnitFile(good, { uploader: { id: 'finance', fullName: '重庆市綦江区财政局' }, known: [] });
  let fresh = 0;
  verdicts.forEach((v, i) => {
    if (v.status === 'error')
      flagged.set(
        good[i]!.row,
        v.errors.map((e) => e.column),
      );
    else fresh++;
  });
  return { flagged, fresh };
}

/** The engine over a file on disk, read as a stored upload is (its bytes): its time, peak memory and progress. */
async function child(path: string) {
  let events = 0;
  let peak = 0;
  const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const t0 = performance.now();
  let last = t0;
  let longestGap = 0;
  const out = await engine(readFileSync(path), () => {
    events++;
    const now = performance.now();
    longestGap = Math.max(longestGap, now - last);
    last = now;
  });
  clearInterval(sample);
  peak = Math.max(peak, process.memoryUsage().rss);
  process.send!({
    seconds: (performance.now() - t0) / 1000,
    peakMb: peak / 2 ** 20,
    events,
    longestGapMs: longestGap,
    flagged: out.flagged.size,
    fresh: out.fresh,
  });
}

async function main() {
  console.log(`Budget-unit sheet: ${ROWS.toLocaleString()} rows, every 20th after the first 100 spoiled (${BAD.length} error kinds).`);
  const { bytes, expected } = await sheet(ROWS);
  console.log(`  file ${(bytes.length / 2 ** 20).toFixed(1)} MB`);
  let bare = Infinity;
  let full = Infinity;
  let last: Awaited<ReturnType<typeof engine>> | undefined;
  for (let i = 0; i < ROUNDS; i++) {
    let t = performance.now();
    await bareRead(bytes);
    bare = Math.min(bare, performance.now() - t);
    t = performance.now();
    last = await engine(bytes);
    full = Math.min(full, performance.now() - t);
  }
  console.log(`bare ExcelJS streaming read          ${bare.toFixed(0).padStart(6)} ms`);
  console.log(`parse + check + preview (the engine) ${full.toFixed(0).padStart(6)} ms   ratio ${(full / bare).toFixed(2)}× (aim ≤ 2.5×)`);
  const missed = [...expected].filter(([row, column]) => !last!.flagged.get(row)?.includes(column));
  const extra = [...last!.flagged.keys()].filter((row) => !expected.has(row));
  console.log(
    `  bad rows ${expected.size}: flagged with the right column ${expected.size - missed.length}, missed ${missed.length}; good rows flagged by mistake ${extra.length}; new ${last!.fresh}`,
  );
  if (missed.length || extra.length) {
    console.log('  NOT EXACT', { missed: missed.slice(0, 5), extra: extra.slice(0, 5) });
    process.exitCode = 1;
  }

  console.log(`\n${BIG.toLocaleString()}-row sheet read from disk by the engine in its own process (peak memory, progress):`);
  const dir = mkdtempSync(join(tmpdir(), 'bangfu-bench-quotas-'));
  const path = join(dir, 'big.xlsx');
  writeFileSync(path, (await sheet(BIG)).bytes);
  console.log(`  file ${(statSync(path).size / 2 ** 20).toFixed(1)} MB`);
  const report = await new Promise<Record<string, number>>((resolve, reject) => {
    const p = fork(fileURLToPath(import.meta.url), ['--child', path], { execArgv: process.execArgv });
    p.once('message', (m) => resolve(m as Record<string, number>));
    p.once('error', reject);
    p.once('exit', (code) => code && reject(new Error(`child exited ${code}`)));
  });
  console.log(
    `  ${report.seconds!.toFixed(1)} s, peak RSS ${report.peakMb!.toFixed(0)} MB (aim ≤ 400 MB; it holds the checked rows for the checks across rows), ` +
      `${report.events} progress events, longest gap ${report.longestGapMs!.toFixed(0)} ms; flagged ${report.flagged}, new ${report.fresh}`,
  );
  rmSync(dir, { recursive: true, force: true });
  await benchStatistics();
  await benchAccounts();
}

const childAt = process.argv.indexOf('--child');
if (childAt >= 0) void child(process.argv[childAt + 1]!).then(() => process.exit(0));
else
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
