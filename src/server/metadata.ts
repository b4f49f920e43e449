import type { Country } from '../input/catalogue.js';

/**
 * A flag's metadata.json: flag-icons' fields, then those of the metadata files that came with
 * Fluent Python's flags (fluentpython/example-code, 17-futures/countries/flags.zip), in their
 * form: {"country": "Brazil", "iso_cc": "BR", "tld_cc": ".br"}; the flags3 examples read
 * `country`. The book's files also had `gec_cc`, a CIA World Factbook code nothing here knows.
 */
export interface FlagMetadata extends Country {
  country: string;
  iso_cc: string;
  tld_cc: string;
}

export function flagMetadata(country: Country): FlagMetadata {
  const { code, name } = country;
  return { ...country, country: name, iso_cc: code.toUpperCase(), tld_cc: topLevelDomain(code) };
}

/**
 * The country-code top-level domain: the ISO code, except the United Kingdom's .uk (the book's
 * files have the same one exception). A few codes have no domain in use (bq, xk); they get the rule's.
 */
function topLevelDomain(code: string): string {
  return code === 'gb' ? '.uk' : `.${code}`;
}
