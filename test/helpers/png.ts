const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export interface PngSize {
  width: number;
  height: number;
}

/**
 * Width and height from a PNG's header: the 8-byte signature, then the IHDR chunk that the format
 * requires first (4-byte length 13, type, width, height, big-endian). Throws on anything else.
 */
export function pngSize(data: Uint8Array): PngSize {
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (bytes.length < 8 || !bytes.subarray(0, 8).equals(SIGNATURE)) throw new Error('not a PNG: bad signature');
  if (bytes.length < 8 + 8 + 13 + 4) throw new Error(`not a PNG: ${bytes.length} bytes, too short for a header`);
  if (bytes.toString('latin1', 12, 16) !== 'IHDR' || bytes.readUInt32BE(8) !== 13) {
    throw new Error('not a PNG: the first chunk is not a 13-byte IHDR');
  }
  const size = { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
  if (size.width === 0 || size.height === 0) throw new Error(`not a PNG: size ${size.width}×${size.height}`);
  return size;
}
