/**
 * The VHD checksum, written independently of @cloud-images/vhd: the one's complement of the sum of every
 * byte, with the 4-byte checksum field itself skipped (footer: offset 64, dynamic header: offset 36).
 */
export function vhdChecksum(bytes: Uint8Array, checksumOffset: number): number {
  let sum = 0;
  bytes.forEach((byte, i) => {
    if (i < checksumOffset || i >= checksumOffset + 4) sum += byte;
  });
  return ~sum >>> 0;
}
