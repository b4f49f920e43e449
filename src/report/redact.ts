/**
 * What never leaves the program as typed: the user info of any URL (`http://user:secret@host/` is
 * shown as `http://***@host/`) and the value of a header that carries a credential. Everything
 * the program prints or returns about a run (the report, its results and their errors, retry
 * notices, the server's label, usage errors) passes through here on its way out.
 */

/** Headers whose value is a credential. */
export const SECRET_HEADERS: readonly string[] = ['authorization', 'proxy-authorization', 'cookie'];

// A scheme, `//`, then user info up to the last `@` before the host ends.
const USER_INFO = /\b([a-z][a-z\d+.-]*:\/\/)[^\s/?#@"']*(?:@[^\s/?#@"']*)*@/gi;
// `Authorization: Bearer x`, as a header is written in an option or a message: the rest of the line or quote.
const SECRET_HEADER = new RegExp(`\\b(${SECRET_HEADERS.join('|')})(\\s*:\\s*)[^\\n"']*`, 'gi');

// What either needs somewhere in the text: most text, a URL without credentials, has neither.
const SECRET_HEADER_NAME = new RegExp(SECRET_HEADERS.join('|'), 'i');

/** `text` with every URL's user info and every credential header's value replaced by `***`. */
export function redact(text: string): string {
  // Every result and notice of a run passes here: text with nothing to redact is given back as it is, unscanned by the replacements.
  if (!text.includes('@') && !SECRET_HEADER_NAME.test(text)) return text;
  return text.replace(USER_INFO, '$1***@').replace(SECRET_HEADER, '$1$2***');
}

/** Every string in a JSON-like value redacted: a result, a notice, a whole report. */
export function redactAll<T>(value: T): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map(redactAll) as T;
  if (value !== null && typeof value === 'object') {
    // A loop rather than Object.entries and fromEntries: every result of a run comes through here, twice.
    const copy: Record<string, unknown> = {};
    for (const key of Object.keys(value)) copy[key] = redactAll((value as Record<string, unknown>)[key]);
    return copy as T;
  }
  return value;
}
