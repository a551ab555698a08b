/**
 * Labels numpy and torch refuse. Their einsum takes ASCII letters only: any other character
 * (`η`, `ĵ`, a full-width `Ｊ`) makes numpy raise `UnicodeEncodeError`/`ValueError` and torch
 * `RuntimeError`, though opt_einsum and einops accept them. Python's `\N{...}` escapes that name
 * no ASCII character stand for themselves here by private-use code points, one per name, so
 * that labels they spell stay distinct and messages can show them as written.
 */
import type { ParsedEquation } from '../core/equation';
import type { TextRange } from '../core/contraction';
import type { Library } from './model';

const PRIVATE_USE_START = 0xe000;
const PRIVATE_USE_END = 0xf8ff;
const standIns = new Map<string, string>();
const namesOfStandIns = new Map<string, string>();

/** The stand-in for the character named `name` (upper case); null once they run out. */
export function standInFor(name: string): string | null {
  let standIn = standIns.get(name);
  if (standIn === undefined) {
    if (PRIVATE_USE_START + standIns.size > PRIVATE_USE_END) return null;
    standIn = String.fromCharCode(PRIVATE_USE_START + standIns.size);
    standIns.set(name, standIn);
    namesOfStandIns.set(standIn, `\\N{${name}}`);
  }
  return standIn;
}

/** Whether text holds a stand-in (it must never be written into code). */
export function hasStandIn(text: string): boolean {
  for (const ch of text) if (namesOfStandIns.has(ch)) return true;
  return false;
}

/** How a label is written in the source: `\N{...}` for a stand-in, else the label itself. */
export function sourceSpelling(label: string): string {
  return namesOfStandIns.get(label) ?? label;
}

const ASCII_ONLY: ReadonlyMap<Library, string> = new Map<Library, string>([
  ['numpy', 'numpy.einsum'],
  ['torch', 'torch.einsum'],
]);

/** The first label the library refuses, with why; null when it takes them all. */
export function refusedLabel(parsed: ParsedEquation, library: Library): { message: string; range: TextRange } | null {
  const call = ASCII_ONLY.get(library);
  if (!call || parsed.style !== 'letters') return null;
  const terms = parsed.inputs.length + (parsed.explicitOutput ? 1 : 0);
  for (let t = 0; t < terms; t++) {
    const term = t < parsed.inputs.length ? parsed.inputs[t] : parsed.output;
    for (let k = 0; k < term.labels.length; k++) {
      const label = term.labels[k];
      if (isAsciiLetter(label)) continue;
      return { message: `${call} takes only ASCII letters as labels: '${sourceSpelling(label)}' makes it raise`, range: term.labelRanges[k] };
    }
  }
  return null;
}

/** `/^[A-Za-z]$/`, without a regular expression: asked for every label of every site. */
function isAsciiLetter(label: string): boolean {
  if (label.length !== 1) return false;
  const code = label.charCodeAt(0) | 0x20;
  return code >= 0x61 && code <= 0x7a;
}
