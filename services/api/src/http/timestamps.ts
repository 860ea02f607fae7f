/** The contract's timestamp format: `YYYY-MM-DDTHH:MM:SSZ`, UTC, no fractions. */
export function formatTimestamp(date: Date): string {
  return date.toISOString().replace(/\.\d+Z$/, 'Z');
}
