import { UsageError } from '../errors.js';
import { parseThreadList } from './stats.js';

/** `--threads 1,2,4`: a bad item is a usage error that names it. */
export function threadListOption(text: string): number[] {
  try {
    return parseThreadList(text);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** A comma list of names from `choices`, repeats dropped, order kept; anything else is a usage error. */
export function choiceListOption<T extends string>(option: string, choices: readonly T[], text: string): T[] {
  const picked: T[] = [];
  for (const item of text.split(',').map((part) => part.trim())) {
    if (!choices.includes(item as T)) {
      throw new UsageError(`--${option}: ${JSON.stringify(item)} is not one of ${choices.join(', ')}`);
    }
    if (!picked.includes(item as T)) picked.push(item as T);
  }
  return picked;
}
