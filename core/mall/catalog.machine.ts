import { AppError } from '../shared/app-error';

/**
 * A product's life, with no I/O: the merchant lists (上架) and unlists (下架) it; an operator takes
 * it down (平台下架) with a reason, after which only an operator's restore brings it back (unlisted).
 */
export const PRODUCT_STATUSES = ['draft', 'listed', 'unlisted', 'taken_down'] as const;
export type ProductStatus = (typeof PRODUCT_STATUSES)[number];
export type ProductAction = 'publish' | 'unpublish' | 'take_down' | 'restore';

export const PRODUCT_TRANSITIONS = {
  draft: { publish: 'listed', take_down: 'taken_down' },
  listed: { unpublish: 'unlisted', take_down: 'taken_down' },
  unlisted: { publish: 'listed', take_down: 'taken_down' },
  taken_down: { restore: 'unlisted' },
} as const satisfies Record<ProductStatus, Partial<Record<ProductAction, ProductStatus>>>;

export const PRODUCT_STATUS_LABELS: Record<ProductStatus, string> = { draft: '草稿', listed: '在售', unlisted: '已下架', taken_down: '平台下架' };

/** Who may do what: merchants list and unlist their own; operators take down and restore. */
export const ACTION_BY: Record<ProductAction, 'merchant' | 'operator'> = {
  publish: 'merchant',
  unpublish: 'merchant',
  take_down: 'operator',
  restore: 'operator',
};

/**
 * The status after `action`, or the same status when it is already there (publishing a listed product
 * does nothing). Errors: PRODUCT_TAKEN_DOWN (a merchant publishing a taken-down product), PRODUCT_STATUS_FORBIDS,
 * VALIDATION (publishing without an image).
 */
export function decideProductAction(p: { status: ProductStatus; imageCount: number; takedownReason?: string | null }, action: ProductAction): ProductStatus {
  const already: Partial<Record<ProductAction, ProductStatus>> = { publish: 'listed', unpublish: 'unlisted', take_down: 'taken_down' };
  if (already[action] === p.status) return p.status;
  if (p.status === 'taken_down' && action === 'publish') {
    throw new AppError(
      'PRODUCT_TAKEN_DOWN',
      `该商品已被平台下架${p.takedownReason ? `（原因：${p.takedownReason}）` : ''}，不能重新上架；修改后请联系平台运营恢复`,
    );
  }
  const next = (PRODUCT_TRANSITIONS[p.status] as Partial<Record<ProductAction, ProductStatus>>)[action];
  if (!next) throw new AppError('PRODUCT_STATUS_FORBIDS', `商品当前状态为「${PRODUCT_STATUS_LABELS[p.status]}」，不能进行此操作`);
  if (next === 'listed' && p.imageCount < 1) throw new AppError('VALIDATION', '上架前请至少上传一张商品图片', { imageIds: '上架前请至少上传一张商品图片' });
  return next;
}

/** Anyone sees a listed product of an active merchant; otherwise only the merchant itself and operators. */
export function canSeeProduct(
  p: { status: ProductStatus; merchantId: string; merchantActive: boolean },
  viewer: { organisationId?: string; isOperator: boolean } | null,
): boolean {
  if (p.status === 'listed' && p.merchantActive) return true;
  if (!viewer) return false;
  return viewer.isOperator || viewer.organisationId === p.merchantId;
}
