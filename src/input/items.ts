import type { Item } from '../types.js';

/** What a run's reports call one of its items: a flag of the catalogue, or a file of a list. */
export type ItemNoun = 'flag' | 'file';

/** The items of a flags run: `{baseUrl}/{cc}/{cc}.{ext}` saved as `{cc}.{ext}`, in the order of `codes`. */
export function flagItems(codes: readonly string[], baseUrl: string, ext: string): Item[] {
  return codes.map((cc) => ({ url: `${baseUrl}/${cc}/${cc}.${ext}`, file: `${cc}.${ext}`, cc }));
}

/** How reports name an item: a flag by its code in capitals, as it always was; a file of a list by its name. */
export function itemLabel(item: Pick<Item, 'cc' | 'file'>): string {
  return item.cc === undefined ? item.file : item.cc.toUpperCase();
}
