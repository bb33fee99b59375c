/**
 * Text typed by people goes into LIKE / ILIKE patterns only through here, so `%`, `_` and `\` match
 * themselves (PostgreSQL's default escape character is the backslash) instead of acting as wildcards.
 */
export const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** `%text%`: rows whose column contains the text as typed. */
export const containsPattern = (s: string) => `%${escapeLike(s)}%`;

/** `text%`: rows whose column starts with the text as typed. */
export const prefixPattern = (s: string) => `${escapeLike(s)}%`;
