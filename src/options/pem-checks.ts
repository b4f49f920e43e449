import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { OptionError } from '../errors.js';
import type { Check } from './schema.js';

/** A PEM file holds a key or a few certificates: far less than this. */
const MAX_PEM_BYTES = 1024 * 1024;

export type PemKind = 'certificate' | 'private key';

/** Loaded by the first PEM checked: every command loads these checks, and node:crypto costs some 7 ms of its start. */
const crypto = () => process.getBuiltinModule('node:crypto');

/** PEM text that must hold a `kind`; `from` names where it came from in the message (the file, for the CLI). */
export function pemText(kind: PemKind, from?: string): Check<string> {
  return (pem, option) => {
    try {
      if (typeof pem !== 'string') throw new TypeError('not text');
      if (kind === 'certificate') new (crypto().X509Certificate)(pem);
      else crypto().createPrivateKey(pem);
    } catch {
      const where = from === undefined ? '' : ` ${from}`;
      throw new OptionError(option, (name) => `${name(option)}${where}: not a PEM ${kind} (expected -----BEGIN ${kind === 'certificate' ? 'CERTIFICATE' : 'PRIVATE KEY'}-----)`);
    }
    return pem;
  };
}

/**
 * The text of the PEM file the CLI names, read and parsed now, so that a bad file is a usage error
 * before anything starts; the library takes the text itself.
 */
export function pemFile(kind: PemKind) {
  return (path: string, option: string): string => {
    let pem: string;
    try {
      pem = readSmallFile(path, MAX_PEM_BYTES);
    } catch (error) {
      throw new OptionError(option, `${path}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
    return pemText(kind, path)(pem, option);
  };
}

/**
 * A regular file's text, refused past `maxBytes`. Opened without blocking and checked before any
 * read: a FIFO would hang the open or the read, and a device such as /dev/zero never ends.
 */
function readSmallFile(path: string, maxBytes: number): string {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    if (!fstatSync(fd).isFile()) throw new Error('not a regular file');
    const buffer = Buffer.alloc(maxBytes + 1);
    let length = 0;
    while (length <= maxBytes) {
      const read = readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
    }
    if (length > maxBytes) throw new Error(`larger than ${maxBytes} bytes`);
    return buffer.toString('utf8', 0, length);
  } finally {
    closeSync(fd);
  }
}

/** `serve`'s cert and key: a key that is not the certificate's fails every handshake, so it is refused up front. */
export function checkKeyPair(cert: string, key: string): void {
  let matches = false;
  try {
    matches = new (crypto().X509Certificate)(cert).checkPrivateKey(crypto().createPrivateKey(key));
  } catch {
    // A key of another type than the certificate's cannot match it either.
  }
  if (!matches) throw new OptionError('key', (name) => `${name('key')} does not match ${name('cert')}: it is not the private key of that certificate`);
}
