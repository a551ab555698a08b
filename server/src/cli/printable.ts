/**
 * File names as text output shows them. A name may hold a newline (which would forge a finding
 * line for a CI problem matcher), terminal escape sequences, bidirectional overrides, or bytes
 * that are not UTF-8: these are written as escapes (`\n`, `\x1b`, `\u202e`, `\xff`), everything
 * else as it is. JSON and SARIF output write names exactly (JSON escapes what it must), except
 * bytes that are not UTF-8, which have no exact form there either and appear as `\xNN`.
 */
import { firstInvalidUtf8 } from './source-text';

/** C0 and C1 controls, DEL, line and paragraph separators, bidirectional marks and overrides. */
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

export function printable(name: string): string {
  return name.replace(UNPRINTABLE, (c) => NAMED[c] ?? (c.charCodeAt(0) <= 0xff ? `\\x${hex(c.charCodeAt(0), 2)}` : `\\u${hex(c.charCodeAt(0), 4)}`));
}

/** A path's bytes as text: UTF-8 where they are, `\xNN` for each byte that is not. */
export function decodePathBytes(bytes: Buffer): string {
  let text = '';
  for (let at = 0; at < bytes.length; ) {
    const bad = firstInvalidUtf8(bytes, at);
    const end = bad < 0 ? bytes.length : bad;
    text += bytes.subarray(at, end).toString('utf8');
    if (bad < 0) break;
    text += `\\x${hex(bytes[bad], 2)}`;
    at = bad + 1;
  }
  return text;
}

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}
