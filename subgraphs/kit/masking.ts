/** Masking of personal data (1798 (11), 893 §4: 技术处理 before anything personal leaves the hub). */

/** Masks an identity-like number, keeping the first 4 and last 4 characters: `1101**********1234`. */
export function maskIdentityNumber(value: string): string {
  if (value.length <= 8) return '*'.repeat(value.length);
  return value.slice(0, 4) + '*'.repeat(value.length - 8) + value.slice(-4);
}

/** Masks a person's name, keeping the family name (first character): `张**`. */
export function maskPersonName(value: string): string {
  const chars = Array.from(value);
  if (chars.length <= 1) return '*';
  return chars[0] + '*'.repeat(chars.length - 1);
}
