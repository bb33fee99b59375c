import { yuanToFen } from '$core/shared/money';
import { fieldErrors } from '$core/shared/validate';
import { CampaignInput } from '$core/vouchers/campaigns.schema';

/**
 * The campaign form's values as the service's input, or field messages the page shows before asking it.
 * `categories` is the JSON the category editor writes into its hidden input.
 */
export function campaignBody(values: Record<string, string>): { ok: true; body: Record<string, unknown> } | { ok: false; fields: Record<string, string> } {
  const budgetFen = yuanToFen(values.budget ?? '');
  let categories: unknown;
  try {
    categories = values.categories ? JSON.parse(values.categories) : undefined;
  } catch {
    return { ok: false, fields: { categories: '券类别格式不正确，请刷新页面后重试' } };
  }
  const regionCodes = (values.regionCodes ?? '')
    .split(/[\s,，、]+/)
    .map((s) => s.trim())
    .filter(Boolean);
  const cap = values.perIssuanceCap?.trim();
  const body = {
    name: values.name ?? '',
    documentNo: values.documentNo ?? '',
    budgetFen,
    validUntil: values.validUntil ?? '',
    regionCodes,
    perIssuanceCap: cap ? Number(cap) : null,
    ...(categories === undefined ? {} : { categories }),
  };
  if (budgetFen === undefined) {
    // Every other field's message at once, as the service would give them.
    const r = CampaignInput.safeParse({ ...body, budgetFen: 1 });
    const others = r.success ? {} : fieldErrors(r.error);
    return { ok: false, fields: { ...others, budget: '资金总额格式不正确，请填写数字，最多两位小数' } };
  }
  return { ok: true, body: { ...body, budgetFen } };
}

/** Service field keys → the form's input names. */
export const CAMPAIGN_RENAME = { budgetFen: 'budget', 'regionCodes.0': 'regionCodes' };
