import { z } from 'zod';
import { CONTROL_CHARACTER_MESSAGE, isCleanText } from '../shared/validate';
import { Email } from '../shared/validators';

export const LegalKind = z.enum(['terms', 'privacy'], { message: '请选择协议类型' });
export type LegalKind = z.infer<typeof LegalKind>;

/** Publishing a new version: the whole text (plain text; blank lines separate paragraphs). */
export const PublishLegalInput = z.object({
  kind: LegalKind,
  title: z
    .string({ message: '请填写标题' })
    .trim()
    .min(2, '请填写标题')
    .max(50, '标题不超过 50 个字')
    .refine((s) => isCleanText(s), CONTROL_CHARACTER_MESSAGE),
  body: z
    .string({ message: '请填写正文' })
    .trim()
    .min(20, '正文至少 20 个字')
    .max(50_000, '正文不超过 50000 个字')
    .refine((s) => isCleanText(s, { multiline: true }), CONTROL_CHARACTER_MESSAGE),
});
export type PublishLegalInput = z.infer<typeof PublishLegalInput>;

/** `?version=N`: a positive whole number; absent means the latest. */
export const LegalVersionQuery = z.object({
  version: z.preprocess(
    (v) => (v === '' || v === null ? undefined : v),
    z.coerce.number({ message: '版本号应为正整数' }).int('版本号应为正整数').min(1, '版本号应为正整数').max(1_000_000, '版本号应为正整数').optional(),
  ),
});

export interface LegalDocumentView {
  kind: LegalKind;
  version: number;
  title: string;
  body: string;
  /** ISO time; the built-in template (never published by an operator) carries the platform's launch date. */
  publishedAt: string;
  /** True while no operator has published a version: the text is the platform's template. */
  template: boolean;
}

export interface LegalVersionsView {
  terms: number;
  privacy: number;
}

const short = (max: number, label: string) =>
  z
    .string()
    .trim()
    .max(max, `${label}不超过 ${max} 个字`)
    .refine((s) => isCleanText(s), CONTROL_CHARACTER_MESSAGE)
    .default('');

/** 客服 and 备案 shown in every page's footer (operator setting `site.footer`); empty fields are not shown. */
export const SiteFooterInput = z.object({
  servicePhone: short(30, '客服电话').refine((s) => s === '' || /^[\d\-+() ]{5,30}$/.test(s), '客服电话只能包含数字、空格和 - + ( )'),
  serviceEmail: short(100, '客服邮箱').refine((s) => s === '' || Email.safeParse(s).success, '客服邮箱格式不正确'),
  serviceHours: short(40, '服务时间'),
  icp: short(50, 'ICP 备案号'),
});
export type SiteFooter = z.infer<typeof SiteFooterInput>;

export const DEFAULT_SITE_FOOTER: SiteFooter = { servicePhone: '', serviceEmail: '', serviceHours: '工作日 9:00–18:00', icp: '' };

/**
 * The consent box of every registration form: a checkbox ('on'), `true` or 'true' agree; anything else,
 * or nothing, is refused with the field message.
 */
const AGREE_TERMS_MESSAGE = '请阅读并同意用户协议和隐私政策';
export const AgreeTerms = z.preprocess((v) => v === true || v === 'on' || v === 'true' || v === '1', z.literal(true, { message: AGREE_TERMS_MESSAGE }));
