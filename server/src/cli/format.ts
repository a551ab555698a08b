/** JSON output of the CLI, with BigInt counts written as exact integers. */

export function toJson(value: unknown, indent?: number): string {
  const marker = '\u0000bigint:';
  const text = JSON.stringify(value, (_key, v) => (typeof v === 'bigint' ? `${marker}${v}` : v), indent);
  return text.replace(/"\\u0000bigint:(-?\d+)"/g, '$1');
}
