import { catalogue } from '../src/input/catalogue.js';
import { type CodeSelection, expandCodes } from '../src/input/codes.js';
import type { Work } from './clients.js';

/** The codes a selection stands for, the same selection as CLI options, and which codes the server has. */
export function workFor(baseUrl: string, selection: CodeSelection): Work {
  const { args, all, every, limit } = selection;
  const codes = expandCodes(selection);
  const known = new Set(catalogue().map((country) => country.code));
  return {
    baseUrl,
    codes,
    selection: [...args, ...(all ? ['--all'] : []), ...(every ? ['--every'] : []), ...(limit === undefined ? [] : ['--limit', String(limit)])],
    expected: new Set(codes.filter((cc) => known.has(cc))),
  };
}
