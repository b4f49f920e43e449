import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** A country as the flag-icons package describes it. */
export interface Country {
  code: string;
  name: string;
  capital: string;
  continent: string;
}

const require = createRequire(import.meta.url);

/** Folder of the flag-icons package, the flag data of the embedded server. */
const flagIconsDir = dirname(require.resolve('flag-icons/package.json'));

/** The 4:3 SVG flags, one `{cc}.svg` per code. */
export const flagIconsSvgDir = join(flagIconsDir, 'flags', '4x3');

let countries: Country[] | undefined;

/** Every two-letter code of flag-icons with its metadata (subdivisions such as gb-sct are left out). */
export function catalogue(): Country[] {
  countries ??= (JSON.parse(readFileSync(join(flagIconsDir, 'country.json'), 'utf8')) as Country[])
    .filter((country) => /^[a-z]{2}$/.test(country.code))
    .map(({ code, name, capital, continent }) => ({ code, name, capital, continent }))
    .sort((a, b) => a.code.localeCompare(b.code));
  return countries;
}
