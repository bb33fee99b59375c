import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import type { Db, DbOrTx } from '../../db/client';
import { recordAudit } from '../audit/audit';
import type { FileService } from '../files/files.service';
import type { MessageService } from '../notifications/messages.service';
import type { OrganisationService } from '../organisations/organisations.service';
import { authorize, authorizeActing, can } from '../shared/access';
import { requireActor, type Actor } from '../shared/actor';
import { AppError } from '../shared/app-error';
import { logger } from '../shared/logger';
import type { Clock } from '../shared/clock';
import { cellText, streamableWorkbook, unzippedBytes } from '../imports/sheet';
import { toXlsx, XLSX_TYPE } from '../shared/export';
import { pageOffset } from '../shared/paging';
import { fieldErrors, parseInput } from '../shared/validate';
import type { WithdrawalService } from '../wallet/withdrawal.service';
import {
  BulkRowInput,
  EnrolInput,
  MERCHANT_STATUS_LABELS,
  MerchantListQuery,
  PhotoInput,
  QIJIANG_TOWNSHIPS,
  RejectInput,
  ReviewListQuery,
  townshipName,
} from './merchants.schema';
import { merchantsRepo, type CampaignRow, type VoucherMerchantRow } from './merchants.repo';
import { merchantCategoryName, VOUCHER_MERCHANT_CATEGORIES } from './vouchers.constants';

export interface MerchantDeps {
  db: Db;
  clock: Clock;
  messages: Pick<MessageService, 'sendToOrganisation'>;
  files: Pick<FileService, 'attach' | 'detachExcept'>;
  organisations: Pick<OrganisationService, 'findByUscc'>;
  withdrawals: Pick<WithdrawalService, 'listCards'>;
}

type Push = () => Promise<void>;

const photoUrl = (m: VoucherMerchantRow) => (m.photoFileId ? `/api/v1/files/${m.photoFileId}` : null);

export const publicMerchantView = (m: VoucherMerchantRow) => ({
  id: m.id,
  campaignId: m.campaignId,
  name: m.name,
  address: m.address,
  regionCode: m.regionCode,
  regionName: townshipName(m.regionCode),
  category: m.category,
  categoryName: merchantCategoryName(m.category),
  photoUrl: photoUrl(m),
});

export const merchantView = (m: VoucherMerchantRow) => ({
  ...publicMerchantView(m),
  organisationId: m.organisationId,
  merchantNo: m.merchantNo,
  contactName: m.contactName,
  contactMobile: m.contactMobile,
  bankCardId: m.bankCardId,
  status: m.status,
  statusLabel: MERCHANT_STATUS_LABELS[m.status],
  rejectReason: m.rejectReason,
  reviewedAt: m.reviewedAt?.toISOString() ?? null,
  createdAt: m.createdAt.toISOString(),
});

/** The bulk sheet's columns (template and upload), in order. */
const BULK_COLUMNS = ['商户名称', '经营地址', '所在街镇', '经营类别', '商户编号', '联系人', '联系电话', '统一社会信用代码'] as const;
const BULK_FIELDS = ['name', 'address', 'regionCode', 'category', 'merchantNo', 'contactName', 'contactMobile', 'uscc'] as const;
const BULK_MAX_ROWS = 2_000;

/** 参与商户: enrolment by a merchant organisation, the bureau's review, the public list, bulk enrolment. */
export function createMerchantService(deps: MerchantDeps) {
  const { db, clock, messages, files, withdrawals } = deps;

  const campaignOr404 = async (q: DbOrTx, id: string) => {
    const c = /^[0-9a-f-]{36}$/i.test(id) ? await merchantsRepo.findCampaign(q, id) : undefined;
    if (!c) throw new AppError('NOT_FOUND', '活动不存在');
    return c;
  };
  const open = (c: CampaignRow) => {
    if (c.status === 'settled' || c.status === 'cancelled' || c.validUntil.getTime() <= clock.now().getTime())
      throw new AppError('VOUCHER_CAMPAIGN_CLOSED', '活动已结束，不能再报名');
  };
  /** A member of the campaign's bureau (view) or its owner/admin (decide). */
  const bureau = (actor: Actor | null, c: CampaignRow, decide: boolean) => {
    const a = requireActor(actor);
    authorize(a, decide ? 'organisation.manage' : 'organisation.view', { organisationId: c.bureauId });
    return a;
  };
  const merchantOr404 = async (q: DbOrTx, id: string, lock = false) => {
    const m = /^[0-9a-f-]{36}$/i.test(id) ? await (lock ? merchantsRepo.lock(q, id) : merchantsRepo.find(q, id)) : undefined;
    if (!m) throw new AppError('NOT_FOUND', '商户不存在');
    return m;
  };

  async function review(actor: Actor | null, id: string, decision: 'approve' | 'reject', raw: unknown) {
    const reason = decision === 'reject' ? parseInput(RejectInput, raw).reason : null;
    let push: Push = async () => undefined;
    const row = await db.transaction(async (tx) => {
      const m = await merchantOr404(tx, id, true);
      const c = await campaignOr404(tx, m.campaignId);
      if (!can(actor, 'organisation.view', { organisationId: c.bureauId })) throw new AppError('NOT_FOUND', '商户不存在');
      const a = bureau(actor, c, true);
      if (m.status !== 'pending') throw new AppError('VOUCHER_MERCHANT_ALREADY_ENROLLED', `该商户${MERCHANT_STATUS_LABELS[m.status]}，不能重复审核`);
      const next = await merchantsRepo.update(tx, m.id, {
        status: decision === 'approve' ? 'approved' : 'rejected',
        rejectReason: reason,
        reviewedBy: a.userId,
        reviewedAt: clock.now(),
      });
      await recordAudit(tx, {
        actorUserId: a.userId,
        action: decision === 'approve' ? 'vouchers.merchant_approved' : 'vouchers.merchant_rejected',
        targetType: 'voucher_merchant',
        targetId: m.id,
        organisationId: c.bureauId,
        before: { status: m.status },
        after: { status: next.status, name: m.name, merchantNo: m.merchantNo },
        reason,
      });
      const msg =
        decision === 'approve'
          ? { title: '消费券商户报名已通过', body: `${m.name} 已通过「${c.name}」商户审核，可以在商户收银台核销消费券。` }
          : { title: '消费券商户报名未通过', body: `${m.name} 报名「${c.name}」未通过审核：${reason}。修改后可重新提交。` };
      push = (await messages.sendToOrganisation(m.organisationId, { ...msg, link: '/vouchers/merchant', category: 'vouchers' }, tx)).push;
      return next;
    });
    await push().catch(() => undefined);
    return merchantView(row);
  }

  return {
    /** The townships and categories the forms offer. */
    options: () => ({ townships: QIJIANG_TOWNSHIPS, categories: VOUCHER_MERCHANT_CATEGORIES }),

    /**
     * 商户报名: the acting merchant organisation enrols in a campaign (or resubmits after a rejection).
     * The settlement card must be one of its verified bank cards; the storefront photo its own upload.
     */
    async enrol(actor: Actor | null, campaignId: string, raw: unknown) {
      const org = authorizeActing(actor, 'organisation.manage', ['merchant']);
      const input = parseInput(EnrolInput, raw);
      const cards = await withdrawals.listCards(actor);
      if (!cards.some((c) => c.id === input.bankCardId && c.status === 'verified'))
        throw new AppError('VALIDATION', '请选择已认证的结算银行卡', { bankCardId: '请选择已认证的结算银行卡（钱包 → 银行认证）' });
      const row = await db.transaction(async (tx) => {
        const c = await campaignOr404(tx, campaignId);
        open(c);
        const existing = await merchantsRepo.findOfOrganisation(tx, c.id, org.organisationId);
        if (existing && existing.status !== 'rejected')
          throw new AppError('VOUCHER_MERCHANT_ALREADY_ENROLLED', existing.status === 'approved' ? '您已是本活动的参与商户' : '报名已提交，请等待审核');
        const sameNo = await merchantsRepo.findByMerchantNo(tx, c.id, input.merchantNo);
        if (sameNo && sameNo.organisationId !== org.organisationId)
          throw new AppError('VOUCHER_MERCHANT_ALREADY_ENROLLED', '该商户编号已报名', { merchantNo: '该商户编号已被其他商户报名' });
        const id = existing?.id ?? randomUUID();
        await files.attach(tx, {
          fileIds: [input.photoFileId],
          organisationId: org.organisationId,
          purpose: 'voucher_merchant',
          subjectId: id,
          field: 'photoFileId',
          imagesOnly: true,
        });
        const values = {
          name: input.name,
          address: input.address,
          regionCode: input.regionCode,
          category: input.category,
          merchantNo: input.merchantNo,
          photoFileId: input.photoFileId,
          contactName: input.contactName,
          contactMobile: input.contactMobile,
          bankCardId: input.bankCardId,
          status: 'pending' as const,
          rejectReason: null,
          reviewedBy: null,
          reviewedAt: null,
        };
        if (existing) return merchantsRepo.update(tx, id, values);
        const inserted = await merchantsRepo.insertIfAbsent(tx, { id, campaignId: c.id, organisationId: org.organisationId, ...values });
        // A concurrent submission of the same organisation or number won the unique index.
        if (!inserted) throw new AppError('VOUCHER_MERCHANT_ALREADY_ENROLLED', '报名已提交，请等待审核');
        return inserted;
      });
      return merchantView(row);
    },

    /**
     * 更换门头照片: the merchant organisation replaces its storefront photo (its own image upload); the
     * bulk enrolment brings merchants in without one. Status and review are unchanged.
     */
    async setPhoto(actor: Actor | null, id: string, raw: unknown) {
      const { photoFileId } = parseInput(PhotoInput, raw);
      const row = await db.transaction(async (tx) => {
        const m = await merchantOr404(tx, id, true);
        if (!can(actor, 'organisation.manage', { organisationId: m.organisationId })) throw new AppError('NOT_FOUND', '商户不存在');
        await files.attach(tx, {
          fileIds: [photoFileId],
          organisationId: m.organisationId,
          purpose: 'voucher_merchant',
          subjectId: m.id,
          field: 'photoFileId',
          imagesOnly: true,
        });
        await files.detachExcept(tx, 'voucher_merchant', m.id, [photoFileId]);
        return merchantsRepo.update(tx, m.id, { photoFileId });
      });
      return merchantView(row);
    },

    approve: (actor: Actor | null, id: string) => review(actor, id, 'approve', {}),
    reject: (actor: Actor | null, id: string, raw: unknown) => review(actor, id, 'reject', raw),

    /** A merchant as its own organisation or the campaign's bureau sees it; others get the public view of approved ones. */
    async get(actor: Actor | null, id: string) {
      const m = await merchantOr404(db, id);
      const c = await campaignOr404(db, m.campaignId);
      const inside = can(actor, 'organisation.view', { organisationId: m.organisationId }) || can(actor, 'organisation.view', { organisationId: c.bureauId });
      if (inside) return merchantView(m);
      if (m.status !== 'approved') throw new AppError('NOT_FOUND', '商户不存在');
      return { ...publicMerchantView(m) };
    },

    /** The acting merchant organisation's enrolments (every campaign), newest first. */
    async mine(actor: Actor | null) {
      const org = authorizeActing(actor, 'organisation.view', ['merchant']);
      const rows = await merchantsRepo.listOfOrganisation(db, org.organisationId);
      const out = [];
      for (const m of rows) {
        const c = await merchantsRepo.findCampaign(db, m.campaignId);
        out.push({ ...merchantView(m), campaignName: c?.name ?? '', campaignValidUntil: c?.validUntil.toISOString() ?? null });
      }
      return out;
    },

    /** 参与商户 (public): approved merchants of a campaign, by name, township and category, paged. */
    async listPublic(campaignId: string, raw: unknown) {
      const q = parseInput(MerchantListQuery, raw);
      const c = await campaignOr404(db, campaignId);
      const { rows, total } = await merchantsRepo.page(db, c.id, { ...q, status: 'approved' }, { limit: q.pageSize, offset: pageOffset(q) });
      return { items: rows.map(publicMerchantView), total, page: q.page, pageSize: q.pageSize };
    },

    /** The bureau's review list: every status (pending first when filtered), paged. */
    async listForReview(actor: Actor | null, campaignId: string, raw: unknown) {
      const q = parseInput(ReviewListQuery, raw);
      const c = await campaignOr404(db, campaignId);
      if (!can(actor, 'organisation.view', { organisationId: c.bureauId })) throw new AppError('NOT_FOUND', '活动不存在');
      const { rows, total } = await merchantsRepo.page(db, c.id, q, { limit: q.pageSize, offset: pageOffset(q) });
      return { items: rows.map(merchantView), total, page: q.page, pageSize: q.pageSize };
    },

    /** Whether the actor may see a storefront photo: anyone once approved; the merchant itself and the bureau before. */
    async canReadPhoto(actor: Actor | null, merchantId: string) {
      const m = await merchantsRepo.find(db, merchantId).catch(() => undefined);
      if (!m) return false;
      if (m.status === 'approved') return true;
      const c = await merchantsRepo.findCampaign(db, m.campaignId);
      return can(actor, 'organisation.view', { organisationId: m.organisationId }) || (!!c && can(actor, 'organisation.view', { organisationId: c.bureauId }));
    },

    /** The bulk enrolment template (XLSX): the header row and one example. */
    async bulkTemplate() {
      const bytes = await toXlsx([
        {
          name: '商户名单',
          columns: [...BULK_COLUMNS],
          rows: [
            ['綦江区古南街道示例火锅店', '重庆市綦江区古南街道沱湾路 1 号', '古南街道', '餐饮', '102500110000001', '张三', '13800138000', '91500110MA5U000000'],
          ],
          textColumns: 'all',
        },
      ]);
      return { filename: '消费券商户批量报名模板.xlsx', contentType: XLSX_TYPE, bytes };
    },

    /**
     * 批量报名 by the bureau: existing merchant organisations (by USCC) from an XLSX sheet, read with
     * ExcelJS's streaming reader; each row is enrolled approved, or reported with its error.
     */
    async bulkEnrol(actor: Actor | null, campaignId: string, bytes: Uint8Array) {
      const c = await campaignOr404(db, campaignId);
      if (!can(actor, 'organisation.view', { organisationId: c.bureauId })) throw new AppError('NOT_FOUND', '活动不存在');
      const a = bureau(actor, c, true);
      open(c);
      // A crafted workbook can unzip to gigabytes that the reader would hold: refused by what its zip declares.
      if ((await unzippedBytes(bytes)) > 50 * 1024 * 1024) {
        throw new AppError('PAYLOAD_TOO_LARGE', '文件解压后过大，不是正常的商户名单，请使用下载的模板', { file: '文件解压后过大，请使用下载的模板' });
      }
      const unreadable = () => new AppError('VALIDATION', '无法读取文件，请使用模板填写后上传 .xlsx 文件', { file: '无法读取文件' });
      let workbook: Buffer;
      try {
        workbook = streamableWorkbook(bytes);
      } catch {
        throw unreadable();
      }
      const rows: { row: number; values: string[] }[] = [];
      try {
        const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from([workbook]) as never, {
          worksheets: 'emit',
          sharedStrings: 'cache',
          styles: 'ignore',
          hyperlinks: 'ignore',
        });
        for await (const ws of reader) {
          for await (const r of ws as AsyncIterable<ExcelJS.Row>) {
            if (r.number === 1) continue;
            const values = BULK_COLUMNS.map((_, i) => cellText(r.getCell(i + 1).value));
            if (values.every((v) => v.trim() === '')) continue;
            if (rows.length >= BULK_MAX_ROWS) throw new AppError('VALIDATION', `一次最多导入 ${BULK_MAX_ROWS} 行`);
            rows.push({ row: r.number, values });
          }
          break; // the first worksheet only
        }
      } catch (e) {
        if (e instanceof AppError) throw e;
        logger.warn({ err: e }, 'an uploaded merchant list could not be read');
        throw unreadable();
      }
      const errors: { row: number; message: string }[] = [];
      let enrolled = 0;
      for (const { row, values } of rows) {
        const raw = Object.fromEntries(BULK_FIELDS.map((f, i) => [f, values[i]!.trim()]));
        raw.regionCode = QIJIANG_TOWNSHIPS.find((t) => t.name === raw.regionCode || t.code === raw.regionCode)?.code ?? raw.regionCode!;
        raw.category = VOUCHER_MERCHANT_CATEGORIES.find((x) => x.name === raw.category || x.code === raw.category)?.code ?? raw.category!;
        const parsed = BulkRowInput.safeParse(raw);
        if (!parsed.success) {
          errors.push({ row, message: Object.values(fieldErrors(parsed.error)).join('；') });
          continue;
        }
        const input = parsed.data;
        const org = await deps.organisations.findByUscc('merchant', input.uscc);
        if (!org) {
          errors.push({ row, message: '平台上没有该统一社会信用代码的商户，请商户先注册' });
          continue;
        }
        const { uscc: _uscc, ...fields } = input;
        void _uscc;
        const inserted = await db.transaction(async (tx) => {
          const m = await merchantsRepo.insertIfAbsent(tx, {
            campaignId: c.id,
            organisationId: org.id,
            ...fields,
            status: 'approved',
            reviewedBy: a.userId,
            reviewedAt: clock.now(),
          });
          if (m)
            await recordAudit(tx, {
              actorUserId: a.userId,
              action: 'vouchers.merchant_imported',
              targetType: 'voucher_merchant',
              targetId: m.id,
              organisationId: c.bureauId,
              after: { status: 'approved', name: m.name, merchantNo: m.merchantNo },
            });
          return m;
        });
        if (!inserted) errors.push({ row, message: '该商户或商户编号已报名本活动' });
        else enrolled++;
      }
      return { rows: rows.length, enrolled, errors };
    },
  };
}

export type MerchantService = ReturnType<typeof createMerchantService>;
