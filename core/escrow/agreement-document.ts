import { createHash } from 'node:crypto';
import nzh from 'nzh';
import PDFDocument from 'pdfkit';
import { AppError } from '../shared/app-error';
import { findCjkFont, FONT_MISSING_MESSAGE, type FontFile } from '../shared/cjk-font';
import { formatFen } from '../shared/money';
import { startOfShanghaiDay } from '../shared/time';
import { PAYMENT_MODE_TERM, PAYMENT_MODE_TERM_HINT, paymentModeText, RELEASE_MODE_TERM, RELEASE_MODE_TERM_HINT, releaseModeText } from './escrow.labels';

/**
 * The formal agreement (正式协议书): its canonical content, the SHA-256 of that content, and the PDF
 * made from it. The content is fixed when the enterprise confirms; the hash printed in the document
 * lets either party check a copy against the platform's record.
 */
export interface AgreementContent {
  agreementNo: string;
  requirement: { requirementNo: string; title: string };
  enterprise: { fullName: string; uscc: string | null };
  provider: { fullName: string; uscc: string | null };
  scope: string;
  totalFen: number;
  startDate: string;
  endDate: string;
  paymentMode: 'full_escrow' | 'instalments';
  releaseMode: 'per_milestone' | 'at_completion';
  feeBp: number;
  milestones: { seq: number; title: string; deliverables: string; amountFen: number; dueDate: string }[];
  /** Shanghai date of confirmation. */
  confirmedOn: string;
  termsVersion: string;
}

/**
 * 帮扶平台 standard terms printed in every agreement, by version. An agreement records the version it
 * was confirmed under and always prints that version's text; a change of wording is a new version.
 * 2026-12: clause 三 and 四 say 放款 for paying the provider (付款方式 is how the enterprise pays in; see
 * docs/words.md).
 */
const TERMS_BY_VERSION: Record<string, readonly string[]> = {
  '2026-11': [
    '一、合同款托管：甲方按本协议约定将合同款托管至帮扶平台（全额托管或按里程碑分期托管）；托管期间资金由平台代管，任何一方不得单方挪用。',
    '二、里程碑验收：乙方完成里程碑后在平台提交交付成果；甲方应在 5 个工作日内验收或说明理由退回。逾期未处理的，经平台客服提醒后 2 个工作日内仍未处理的，视为验收通过。',
    '三、付款：合同款按本协议约定的付款方式由平台支付至乙方钱包；平台服务费按协议约定比例从支付款中扣除。',
    '四、售后：项目实施期间或完成后 30 日内，甲方可在平台申请售后；售后处理期间未支付的托管款暂停支付，双方协商不成的，由平台依据双方提交的材料作出处理决定。',
    '五、协议终止：经双方协商一致或平台依售后处理决定，协议可提前终止，托管款按双方确认或平台决定的比例结算。',
    '六、本协议经甲方在帮扶平台确认后生效，协议内容以平台存档为准，文末摘要值可用于核对。',
  ],
  '2026-12': [
    '一、合同款托管：甲方按本协议约定将合同款托管至帮扶平台（全额托管或按里程碑分期托管）；托管期间资金由平台代管，任何一方不得单方挪用。',
    '二、里程碑验收：乙方完成里程碑后在平台提交交付成果；甲方应在 5 个工作日内验收或说明理由退回。逾期未处理的，经平台客服提醒后 2 个工作日内仍未处理的，视为验收通过。',
    '三、放款：平台按本协议约定的放款方式，把托管的合同款付至乙方钱包；平台服务费按协议约定比例从付给乙方的款项中扣除。',
    '四、售后：项目实施期间或完成后 30 日内，甲方可在平台申请售后；售后处理期间，尚未付给乙方的托管款暂停放款；双方协商不成的，由平台依据双方提交的材料作出处理决定。',
    '五、协议终止：经双方协商一致或平台依售后处理决定，协议可提前终止，托管款按双方确认或平台决定的比例结算。',
    '六、本协议经甲方在帮扶平台确认后生效，协议内容以平台存档为准，文末摘要值可用于核对。',
  ],
};

export const TERMS_VERSION = '2026-12';

/** The current version's terms. */
export const PLATFORM_TERMS = TERMS_BY_VERSION[TERMS_VERSION]!;

/** The terms an agreement was confirmed under (the current ones for a version this build does not know). */
export const termsOf = (version: string) => TERMS_BY_VERSION[version] ?? PLATFORM_TERMS;

/** 人民币贰万元整: amounts in Chinese capitals, from integer fen (never a float). */
export function fenToChineseCapitals(fen: number): string {
  const yuan = `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
  const words = nzh.cn.toMoney(yuan) as string;
  // Whole amounts end in 整 (人民币壹亿元整), as bank and contract practice requires.
  return words.endsWith('元') ? `${words}整` : words;
}

/** The canonical JSON of the content: fixed key order, so the same agreement always hashes the same. */
export function canonicalContent(c: AgreementContent): string {
  return JSON.stringify({
    agreementNo: c.agreementNo,
    requirement: { requirementNo: c.requirement.requirementNo, title: c.requirement.title },
    enterprise: { fullName: c.enterprise.fullName, uscc: c.enterprise.uscc },
    provider: { fullName: c.provider.fullName, uscc: c.provider.uscc },
    scope: c.scope,
    totalFen: c.totalFen,
    startDate: c.startDate,
    endDate: c.endDate,
    paymentMode: c.paymentMode,
    releaseMode: c.releaseMode,
    feeBp: c.feeBp,
    milestones: c.milestones.map((m) => ({ seq: m.seq, title: m.title, deliverables: m.deliverables, amountFen: m.amountFen, dueDate: m.dueDate })),
    confirmedOn: c.confirmedOn,
    termsVersion: c.termsVersion,
  });
}

export const contentSha256 = (c: AgreementContent) => createHash('sha256').update(canonicalContent(c)).digest('hex');

/**
 * Renders the agreement as an A4 PDF with an embedded subset of a CJK font. Errors: INTERNAL with a
 * clear message when this machine has no Chinese font (see core/shared/cjk-font.ts).
 */
export async function renderAgreementPdf(c: AgreementContent, font: FontFile | null | undefined = findCjkFont()): Promise<Uint8Array> {
  if (!font) throw new AppError('INTERNAL', FONT_MISSING_MESSAGE);
  const sha = contentSha256(c);
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: 56, bottom: 56, left: 60, right: 60 },
    // The creation date is the confirmation date, not the clock: the same content renders the same document.
    info: {
      Title: `服务协议 ${c.agreementNo}`,
      Author: '帮扶平台',
      Subject: c.requirement.title,
      Keywords: sha,
      CreationDate: startOfShanghaiDay(c.confirmedOn),
    },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (b: Buffer) => chunks.push(b));
  const done = new Promise<void>((resolve) => doc.on('end', () => resolve()));
  doc.registerFont('cjk', font.path, font.family);
  doc.font('cjk');
  const width = doc.page.width - 120;
  const gray = '#555555';

  doc.fontSize(20).text('技术服务协议', { align: 'center' });
  doc
    .moveDown(0.3)
    .fontSize(10)
    .fillColor(gray)
    .text(`协议编号：${c.agreementNo}    项目编号：${c.requirement.requirementNo}    签订日期：${c.confirmedOn}`, { align: 'center' });
  doc.moveDown(1).fillColor('black').fontSize(11);
  doc.text(`甲方（委托方）：${c.enterprise.fullName}`);
  doc.text(`统一社会信用代码：${c.enterprise.uscc ?? '—'}`);
  doc.moveDown(0.4);
  doc.text(`乙方（服务方）：${c.provider.fullName}`);
  doc.text(`统一社会信用代码：${c.provider.uscc ?? '—'}`);
  doc.moveDown(0.8);
  doc.text(`甲乙双方通过帮扶平台就「${c.requirement.title}」项目达成如下协议：`);

  const heading = (t: string) => doc.moveDown(0.8).fontSize(13).text(t).moveDown(0.3).fontSize(11);
  heading('第一条  服务内容');
  doc.text(c.scope, { width });
  heading('第二条  合同金额与期限');
  doc.text(`合同总价：${formatFen(c.totalFen)}（大写：${fenToChineseCapitals(c.totalFen)}）`);
  doc.text(`服务期限：${c.startDate} 至 ${c.endDate}`);
  doc.text(`${PAYMENT_MODE_TERM}（${PAYMENT_MODE_TERM_HINT}）：${paymentModeText(c.paymentMode)}`, { width });
  doc.text(`${RELEASE_MODE_TERM}（${RELEASE_MODE_TERM_HINT}）：${releaseModeText(c.releaseMode)}`, { width });
  doc.text(`平台服务费：${(c.feeBp / 100).toFixed(2)}%（从付给乙方的款项中扣除）`);

  heading('第三条  里程碑');
  for (const m of c.milestones) {
    doc
      .fontSize(11)
      .text(`${m.seq}. ${m.title}    金额：${formatFen(m.amountFen)}（${fenToChineseCapitals(m.amountFen)}）    完成日期：${m.dueDate}`, { width });
    doc.fontSize(10).fillColor(gray).text(`交付成果：${m.deliverables}`, { width, indent: 14 }).fillColor('black');
    doc.moveDown(0.3);
  }
  heading('第四条  平台条款');
  doc.fontSize(10);
  for (const t of termsOf(c.termsVersion)) doc.text(t, { width }).moveDown(0.2);

  doc.moveDown(1.2).fontSize(11);
  doc.text(`甲方：${c.enterprise.fullName}（已于 ${c.confirmedOn} 在帮扶平台确认）`);
  doc.text(`乙方：${c.provider.fullName}（已于帮扶平台发送协议）`);
  doc.moveDown(1).fontSize(9).fillColor(gray);
  doc.text(`协议内容摘要（SHA-256）：${sha}`, { width });
  doc.text(`条款版本：${c.termsVersion}。本文件由帮扶平台根据双方确认的协议内容生成，可在平台用户中心“我的协议”中下载并核对摘要值。`, { width });
  doc.end();
  await done;
  return new Uint8Array(Buffer.concat(chunks));
}
