// zlib.crc32 only exists from Node 20.15 and package.json allows 20.12, so keep a table version.
const TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/**
 * CRC-32 (IEEE 802.3, the zlib/PNG polynomial) of a string's UTF-8 bytes, as an unsigned integer.
 *
 * @example
 *   crc32('123456789') === 0xcbf43926
 */
export function crc32(text: string): number {
  let crc = 0xffffffff;
  for (const byte of Buffer.from(text, 'utf8')) crc = (TABLE[(crc ^ byte) & 0xff] ?? 0) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
