import { catalogue } from './catalogue.js';
import { OptionError } from '../errors.js';

/** The 20 most populous countries, the book's default list. */
export const POPULOUS_20 = 'CN IN US ID BR PK NG BD RU JP MX PH VN ET EG DE IR TR CD FR'.split(' ');

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

export interface CodeSelection {
  /** Positional arguments: two-letter codes, or single letters that stand for 26 codes each. */
  args: string[];
  /** Every code of the catalogue. */
  all?: boolean;
  /** All 676 codes from AA to ZZ. */
  every?: boolean;
  limit?: number;
}

/** Turns what the user asked for into lower-case codes, each once, in a stable order. */
export function expandCodes({ args, all = false, every = false, limit }: CodeSelection): string[] {
  if (all && every) throw new OptionError('all', (name) => `${name('all')} and ${name('every')} exclude each other: choose one`, 'ERR_FLAGS_OPTION_CONFLICT');
  if ((all || every) && args.length > 0) {
    throw new OptionError('codes', (name) => `codes (${args.join(' ')}) cannot be combined with ${name(all ? 'all' : 'every')}`, 'ERR_FLAGS_OPTION_CONFLICT');
  }
  let codes: string[];
  if (every) codes = [...LETTERS].flatMap((first) => [...LETTERS].map((second) => first + second));
  else if (all) codes = catalogue().map((country) => country.code);
  else if (args.length === 0) codes = POPULOUS_20.map((code) => code.toLowerCase());
  else codes = [...new Set(args.flatMap(expandArg))].sort();
  return limit === undefined ? codes : codes.slice(0, limit);
}

function expandArg(arg: string): string[] {
  const text = String(arg);
  if (/^[a-z]{2}$/i.test(text)) return [text.toLowerCase()];
  if (/^[a-z]$/i.test(text)) return [...LETTERS].map((second) => text.toLowerCase() + second);
  throw new OptionError('codes', () => `invalid country code ${JSON.stringify(text)}: expected two letters (e.g. BR) or one letter (e.g. B for BA..BZ)`);
}
