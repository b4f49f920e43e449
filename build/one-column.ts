/**
 * Printable ASCII and Latin-1, less the soft hyphen (no width) and © and ® (two columns to
 * string-width 7, which draws them as emoji): one terminal column each, for every version of
 * string-width the CLI's packages bring, when ambiguous characters count as narrow (the default).
 */
const LATIN_ONE_COLUMN = /^[\x20-\x7e\xa0-\xa8\xaa-\xac\xaf-\xff]*$/;

/** Printable ASCII: one column each, however ambiguous characters are counted. */
const ASCII = /^[\x20-\x7e]*$/;

/**
 * The width of text whose every character takes one column: its length. Undefined for anything
 * else (a control or escape code, a combining mark, a wide or ambiguous character), which only
 * string-width itself can measure.
 */
export function oneColumnWidth(text: unknown, options?: { ambiguousIsNarrow?: boolean }): number | undefined {
  if (typeof text !== 'string') return undefined;
  const oneColumn = options?.ambiguousIsNarrow === false ? ASCII : LATIN_ONE_COLUMN;
  return oneColumn.test(text) ? text.length : undefined;
}
