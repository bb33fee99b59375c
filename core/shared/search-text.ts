import { sql, type SQL } from 'drizzle-orm';

/**
 * Chinese-friendly full-text search without a segmenter extension (neither PGlite nor a stock
 * PostgreSQL ship one): Han text is indexed as overlapping character bigrams (财税服务 → 财税 税服 服务)
 * and every other word as itself, lower-cased, in a `simple` tsvector. A query is tokenised the same
 * way and all its tokens must match, so "代理记账" finds "提供代理记账服务" but not "代理" alone.
 * A one-character Han query has no bigram; it becomes a prefix match on the single character token.
 */
const HAN = /\p{Script=Han}/u;
const TOKEN = /\p{Script=Han}+|(?:(?!\p{Script=Han})[\p{L}\p{N}])+/gu;

export function searchTokens(text: string): string[] {
  const out: string[] = [];
  for (const m of text.toLowerCase().matchAll(TOKEN)) {
    const run = m[0];
    if (HAN.test(run[0]!)) {
      const chars = [...run];
      if (chars.length === 1) out.push(chars[0]!);
      for (let i = 0; i + 1 < chars.length; i++) out.push(chars[i]! + chars[i + 1]!);
    } else if (run.length <= 64) {
      out.push(run);
    }
  }
  return out;
}

/** The document text to store in a `search_vector` column (weights: A for titles, B for the rest). */
export function searchVector(parts: { a?: string; b?: string }): SQL {
  const a = [...new Set(searchTokens(parts.a ?? ''))].join(' ');
  const b = [...new Set(searchTokens(parts.b ?? ''))].join(' ');
  return sql`setweight(to_tsvector('simple', ${a}), 'A') || setweight(to_tsvector('simple', ${b}), 'B')`;
}

/** A tsquery string for the user's words, or undefined when nothing searchable was typed. */
export function searchQuery(q: string): string | undefined {
  const tokens = [...new Set(searchTokens(q))].slice(0, 32);
  if (!tokens.length) return undefined;
  // Single Han characters and short latin words match as prefixes (行 → 行业, 银行).
  return tokens.map((t) => `'${t.replace(/'/g, "''")}'${[...t].length === 1 || !HAN.test(t) ? ':*' : ''}`).join(' & ');
}
