/** A coupon category as the form edits it (the code is kept for existing ones, made up for new ones). */
export interface CategoryDraft {
  code: string;
  name: string;
  merchantCategories: string[];
}

/** The categories the editor starts from: what was typed (after a refusal), else the campaign's. */
export function draftCategories(typed: string | undefined, saved: readonly CategoryDraft[]): CategoryDraft[] {
  if (typed) {
    try {
      const v = JSON.parse(typed) as CategoryDraft[];
      if (Array.isArray(v))
        return v.map((c) => ({ code: String(c.code ?? ''), name: String(c.name ?? ''), merchantCategories: [...(c.merchantCategories ?? [])] }));
    } catch {
      // fall through to the saved list
    }
  }
  return saved.map((c) => ({ code: c.code, name: c.name, merchantCategories: [...c.merchantCategories] }));
}
