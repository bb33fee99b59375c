import { z } from 'zod';
import { PageNumber, PageSize } from '../shared/paging';
import { SearchKeyword } from '../shared/validate';
import { Mobile } from '../shared/validators';
import { VOUCHER_MERCHANT_CATEGORY_CODES } from './vouchers.constants';

/** zod contracts of merchant enrolment, review and the public merchant list (pages, API, tests). */

/**
 * The 21 街镇 of 綦江区 (the manual's campaign area; GB/T 2260 township codes). The region data lists
 * 31 under 500110 because it also holds the 10 of the 万盛 economic zone, which are not part of the
 * campaign.
 */
export const QIJIANG_TOWNSHIPS = [
  { code: '500110001', name: '古南街道' },
  { code: '500110002', name: '文龙街道' },
  { code: '500110003', name: '三江街道' },
  { code: '500110006', name: '新盛街道' },
  { code: '500110007', name: '通惠街道' },
  { code: '500110108', name: '石角镇' },
  { code: '500110109', name: '东溪镇' },
  { code: '500110110', name: '赶水镇' },
  { code: '500110111', name: '打通镇' },
  { code: '500110112', name: '石壕镇' },
  { code: '500110113', name: '永新镇' },
  { code: '500110114', name: '三角镇' },
  { code: '500110115', name: '隆盛镇' },
  { code: '500110116', name: '郭扶镇' },
  { code: '500110117', name: '篆塘镇' },
  { code: '500110118', name: '丁山镇' },
  { code: '500110119', name: '安稳镇' },
  { code: '500110120', name: '扶欢镇' },
  { code: '500110121', name: '永城镇' },
  { code: '500110123', name: '中峰镇' },
  { code: '500110124', name: '横山镇' },
] as const;
export const townshipName = (code: string) => QIJIANG_TOWNSHIPS.find((t) => t.code === code)?.name ?? code;
const TOWNSHIP_CODES = QIJIANG_TOWNSHIPS.map((t) => t.code) as [string, ...string[]];

const Name = z.string({ message: '请填写商户名称' }).trim().min(2, '商户名称至少 2 个字').max(60, '商户名称不超过 60 字');
const Address = z.string({ message: '请填写经营地址' }).trim().min(5, '经营地址至少 5 个字').max(120, '经营地址不超过 120 字');
const Township = z.enum(TOWNSHIP_CODES, { message: '请选择所在街镇' });
const Category = z.enum(VOUCHER_MERCHANT_CATEGORY_CODES, { message: '请选择经营类别' });
const MerchantNo = z
  .string({ message: '请填写商户编号' })
  .trim()
  .regex(/^\d{15}$/, '商户编号为 15 位数字');
const ContactName = z.string({ message: '请填写联系人' }).trim().min(2, '联系人至少 2 个字').max(20, '联系人不超过 20 字');

/** 商户报名: a merchant organisation enrols in a campaign. */
export const EnrolInput = z.object({
  name: Name,
  address: Address,
  regionCode: Township,
  category: Category,
  merchantNo: MerchantNo,
  photoFileId: z.uuid('请上传门头照片'),
  contactName: ContactName,
  contactMobile: Mobile,
  bankCardId: z.uuid('请选择已认证的结算银行卡'),
});
export type EnrolInput = z.input<typeof EnrolInput>;

/** 更换门头照片: a merchant's own upload (bulk-enrolled merchants have none until they add one). */
export const PhotoInput = z.object({ photoFileId: z.uuid('请上传门头照片') });

/** One row of the bureau's bulk enrolment sheet (existing merchants; no photo or card yet). */
export const BulkRowInput = z.object({
  name: Name,
  address: Address,
  regionCode: Township,
  category: Category,
  merchantNo: MerchantNo,
  contactName: ContactName,
  contactMobile: Mobile,
  /** The merchant's account on the platform: its organisation's unified social credit code. */
  uscc: z
    .string({ message: '请填写统一社会信用代码' })
    .trim()
    .regex(/^[0-9A-HJ-NPQRTUWXY]{18}$/, '统一社会信用代码为 18 位'),
});

export const RejectInput = z.object({
  reason: z.string({ message: '请填写驳回理由' }).trim().min(2, '请填写驳回理由').max(200, '驳回理由不超过 200 字'),
});

const Status = z.enum(['pending', 'approved', 'rejected'], { message: '状态无效' });

/** The public list: approved merchants, searched by name, township and category. */
export const MerchantListQuery = z.object({
  keyword: SearchKeyword(40),
  regionCode: z.preprocess((v) => (v === '' ? undefined : v), Township.optional()),
  category: z.preprocess((v) => (v === '' ? undefined : v), Category.optional()),
  page: PageNumber,
  pageSize: PageSize(50, 20),
});

/** The bureau's review list: every status. */
export const ReviewListQuery = MerchantListQuery.extend({ status: z.preprocess((v) => (v === '' ? undefined : v), Status.optional()) });

/** What everyone sees of an approved merchant. */
export const PublicMerchantView = z.object({
  id: z.string(),
  campaignId: z.string(),
  name: z.string(),
  address: z.string(),
  regionCode: z.string(),
  regionName: z.string(),
  category: z.string(),
  categoryName: z.string(),
  photoUrl: z.string().nullable(),
});

/** What the merchant itself and the bureau see. */
export const MerchantView = PublicMerchantView.extend({
  organisationId: z.string(),
  merchantNo: z.string(),
  contactName: z.string(),
  contactMobile: z.string(),
  bankCardId: z.string().nullable(),
  status: Status,
  statusLabel: z.string(),
  rejectReason: z.string().nullable(),
  reviewedAt: z.iso.datetime().nullable(),
  createdAt: z.iso.datetime(),
});

export const MERCHANT_STATUS_LABELS = { pending: '待审核', approved: '已通过', rejected: '已驳回' } as const;
