/**
 * The VHD checksum: one's complement of the byte sum, with the 4-byte checksum field itself
 * counted as zero. Used for both the footer (field at 64) and the dynamic header (field at 36).
 */
export function vhdChecksum(bytes: Uint8Array, checksumOffset: number): number {
  let sum = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (i >= checksumOffset && i < checksumOffset + 4) continue;
    sum += bytes[i]!;
  }
  return ~sum >>> 0;
}
