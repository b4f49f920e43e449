/** A WebAssembly page: the unit in which a module's memory grows. */
export const WASM_PAGE_BYTES = 65_536;

const MEMORY_SECTION = 5;

/**
 * A copy of a WebAssembly binary whose memory may grow to at most `maxBytes`. A module that
 * defines its own memory with no maximum may grow it to 4 GiB, and nothing outside can set a
 * limit on it (the memory is not imported): so the limit is written into the binary's memory
 * section before it is compiled. Growing past it then fails inside the module, whose allocator
 * aborts with a trap: an error in the caller, where it would otherwise have taken the machine.
 * Throws when the binary holds no memory section of one memory.
 */
export function withMemoryCap(wasm: Uint8Array, maxBytes: number): Uint8Array {
  const maxPages = Math.max(1, Math.floor(maxBytes / WASM_PAGE_BYTES));
  let offset = 8; // the magic number and the version
  while (offset < wasm.length) {
    const id = wasm[offset]!;
    const size = readLeb(wasm, offset + 1);
    const contentStart = size.end;
    const contentEnd = contentStart + size.value;
    if (id === MEMORY_SECTION) {
      const count = readLeb(wasm, contentStart);
      if (count.value !== 1) throw new Error(`wasm: expected one memory, found ${count.value}`);
      const flags = wasm[count.end]!;
      // Bit 0: a maximum follows; bit 1: shared (which requires a maximum); anything else is
      // a 64-bit memory or an unknown form that this rewrite cannot express.
      if (flags > 3) throw new Error(`wasm: unsupported memory limits (flags ${flags})`);
      const min = readLeb(wasm, count.end + 1);
      const max = flags & 1 ? readLeb(wasm, min.end).value : Number.POSITIVE_INFINITY;
      const limitsEnd = flags & 1 ? readLeb(wasm, min.end).end : min.end;
      const content = [...writeLeb(1), flags | 1, ...writeLeb(min.value), ...writeLeb(Math.max(min.value, Math.min(max, maxPages)))];
      const section = [MEMORY_SECTION, ...writeLeb(content.length), ...content, ...wasm.subarray(limitsEnd, contentEnd)];
      if (limitsEnd !== contentEnd) throw new Error('wasm: unexpected bytes after the memory limits');
      const capped = new Uint8Array(wasm.length - (contentEnd - offset) + section.length);
      capped.set(wasm.subarray(0, offset));
      capped.set(section, offset);
      capped.set(wasm.subarray(contentEnd), offset + section.length);
      return capped;
    }
    offset = contentEnd;
  }
  throw new Error('wasm: no memory section');
}

function readLeb(bytes: Uint8Array, start: number): { value: number; end: number } {
  let value = 0;
  let shift = 0;
  let offset = start;
  for (;;) {
    const byte = bytes[offset++];
    if (byte === undefined || shift > 28) throw new Error('wasm: malformed LEB128 number');
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if ((byte & 0x80) === 0) return { value, end: offset };
  }
}

function writeLeb(value: number): number[] {
  const bytes: number[] = [];
  let rest = value;
  do {
    const low = rest % 128;
    rest = Math.floor(rest / 128);
    bytes.push(rest > 0 ? low | 0x80 : low);
  } while (rest > 0);
  return bytes;
}
