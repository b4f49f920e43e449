import { OptionError } from '../../src/errors.js';

/** A CLI message in the library's words: each `--max-size` named as its property, `maxSize`. */
export const inPropertyWords = (cliMessage: string) =>
  cliMessage.replace(/--([a-z][a-z0-9]*(?:-[a-z0-9]+)*)/g, (_, flag: string) => flag.replace(/-([a-z0-9])/g, (__, letter: string) => letter.toUpperCase()));

/** For assert.throws and assert.rejects: the library's refusal of `option`, a TypeError with a code, saying `message`. */
export function isOptionError(option: string | undefined, message: string | RegExp) {
  return (error: unknown) =>
    error instanceof OptionError &&
    error instanceof TypeError &&
    /^ERR_FLAGS_/.test(error.code) &&
    (option === undefined || error.option === option) &&
    (typeof message === 'string' ? error.message === message : message.test(error.message));
}
