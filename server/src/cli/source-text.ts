/**
 * Reading a source file for `einsight check` and `fix`: regular files only (a FIFO or a device
 * would block or never end), decoded strictly so that no byte is silently replaced. Every
 * problem comes back as a short message for the user, never as an exception.
 */
import { TextDecoder } from 'node:util';
import { readRegularFile, type Read } from '../analysis/regular-file';

export type { Read } from '../analysis/regular-file';

/** This bounds memory; the analysis itself refuses far smaller files. */
const SOURCE_READ_LIMIT_BYTES = 256 * 1024 * 1024;

/** The file's bytes. Opened without blocking: a FIFO that appeared after the walk is refused, not waited on. */
export function readBytes(path: string | Buffer): Read<Buffer> {
  return readRegularFile(path, SOURCE_READ_LIMIT_BYTES);
}

/** UTF-8 text, a byte-order mark kept as U+FEFF; an invalid byte is reported with its line. */
export function decodeUtf8(bytes: Uint8Array): Read<string> {
  try {
    return { ok: new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes) };
  } catch {
    return { error: `not valid UTF-8${lineOfInvalidUtf8(bytes)}` };
  }
}

/** PEP 263: `# -*- coding: latin-1 -*-` on the first or second line. */
const CODING_DECLARATION = /^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)/;

/** The encoding a Python file declares, lower-cased; null when it declares none. */
export function declaredPythonEncoding(bytes: Uint8Array): string | null {
  const head = Buffer.from(bytes.subarray(0, 1024)).toString('latin1').split(/\r\n|\r|\n/, 2);
  for (const line of head) {
    const match = CODING_DECLARATION.exec(line);
    if (match) return match[1].toLowerCase();
    // The declaration may only follow a comment or blank first line.
    if (!/^[ \t\f]*(#.*)?$/.test(line)) break;
  }
  return null;
}

/** A Python file's text in the encoding it declares (UTF-8 when it declares none), as Python reads it. */
export function decodePython(bytes: Uint8Array): Read<string> {
  const declared = declaredPythonEncoding(bytes);
  if (declared === null || /^utf[-_]?8(-sig)?$/.test(declared)) return decodeUtf8(bytes);
  let decoder: TextDecoder;
  try {
    // Python spells it latin-1 or latin_1; the WHATWG encodings TextDecoder knows spell it latin1.
    decoder = new TextDecoder(declared.replace(/_/g, '-').replace(/^latin-1$/, 'latin1'), { fatal: true });
  } catch {
    return { error: `declares the unknown encoding '${declared}'` };
  }
  try {
    return { ok: decoder.decode(bytes) };
  } catch {
    return { error: `not valid ${declared}, the encoding it declares` };
  }
}

/** ` at line N` for the first byte sequence that is not UTF-8; empty when none is found. */
function lineOfInvalidUtf8(bytes: Uint8Array): string {
  const at = firstInvalidUtf8(bytes);
  if (at < 0) return '';
  let line = 1;
  for (let i = 0; i < at; i++) if (bytes[i] === 0x0a) line++;
  return ` at line ${line}`;
}

/** Offset of the first byte from `from` that does not start a well-formed UTF-8 sequence (RFC 3629), or -1. */
export function firstInvalidUtf8(bytes: Uint8Array, from = 0): number {
  for (let i = from; i < bytes.length; ) {
    const lead = bytes[i];
    if (lead < 0x80) {
      i++;
      continue;
    }
    const length = lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
    if (length === 0 || i + length > bytes.length) return i;
    // The second byte's range excludes overlong forms, surrogates and code points past U+10FFFF.
    const second = bytes[i + 1];
    const low = lead === 0xe0 ? 0xa0 : lead === 0xf0 ? 0x90 : 0x80;
    const high = lead === 0xed ? 0x9f : lead === 0xf4 ? 0x8f : 0xbf;
    if (second < low || second > high) return i;
    for (let k = 2; k < length; k++) if ((bytes[i + k] & 0xc0) !== 0x80) return i;
    i += length;
  }
  return -1;
}
