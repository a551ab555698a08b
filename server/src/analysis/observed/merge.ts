/**
 * Merging recordings: the per-process files of one run with each other, and the run with what
 * `.einsight/observed.json` already held. Every recording is first found again in the current
 * text of its file (an older one may describe a file edited since): found, it takes the call's
 * current position; not found, it is dropped. Recordings of the same call then add up: calls,
 * time, and the distinct shapes with their counts (at most MAX_SHAPES_PER_SITE, the rest counted
 * together).
 */
import { MAX_SHAPES_PER_SITE, readSite, type ObservedShape, type ObservedSite } from './format';
import { SourceLines, assignPlacements, occurrences } from './locate';

/** One process's file, as the recorder writes it: sites with absolute file paths. */
export interface ProcessRecording {
  pid: number;
  python: string;
  sites: { file: string; site: ObservedSite }[];
}

export function parseProcessRecording(text: string): ProcessRecording | string {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return `not JSON: ${(error as Error).message}`;
  }
  if (typeof raw !== 'object' || raw === null || !Array.isArray((raw as { sites?: unknown }).sites)) return 'expected an object with sites';
  const { pid, python, sites } = raw as { pid?: unknown; python?: unknown; sites: unknown[] };
  const recording: ProcessRecording = { pid: typeof pid === 'number' ? pid : 0, python: typeof python === 'string' ? python : '?', sites: [] };
  for (const entry of sites) {
    const file = (entry as { file?: unknown } | null)?.file;
    const site = readSite(entry);
    if (typeof file === 'string' && typeof site !== 'string') recording.sites.push({ file, site });
  }
  return recording;
}

/**
 * The recordings of one file that still fit its current text, moved to where each call is now.
 * `text` null (the file is gone or unreadable) keeps nothing.
 */
export function relocate(sites: readonly ObservedSite[], text: string | null): ObservedSite[] {
  if (text === null) return [];
  const lines = new SourceLines(text);
  const byText = new Map<string, ReturnType<typeof occurrences>>();
  const candidatesOf = (site: ObservedSite) => {
    if (site.text === undefined) return [];
    let found = byText.get(site.text);
    if (!found) byText.set(site.text, (found = occurrences(text, site.text)));
    return found;
  };
  const placed = assignPlacements(lines, sites.filter((s) => s.text !== undefined), candidatesOf);
  const kept: ObservedSite[] = [];
  for (const site of sites) {
    if (site.text === undefined) {
      // Recorded without columns (Python before 3.11): kept while its line still reads the same.
      if (site.near && lineStillMatches(lines, site)) kept.push(site);
      continue;
    }
    const place = placed.get(site);
    if (!place) continue;
    const start = lines.positionOf(place.start);
    const end = lines.positionOf(place.end);
    kept.push({ ...site, line: start.line, column: start.column, endLine: end.line, endColumn: end.column });
  }
  return kept;
}

function lineStillMatches(lines: SourceLines, site: ObservedSite): boolean {
  const near = site.near ?? [];
  const half = near.length >> 1;
  let same = 0;
  near.forEach((fingerprint, i) => {
    const line = i < half ? site.line - half + i : site.line + 1 + (i - half);
    if (lines.fingerprint(line) === fingerprint) same++;
  });
  return near.length > 0 && same === near.length;
}

/** The same call recorded more than once (by several processes or runs): one site, counts added. */
export function mergeSites(sites: readonly ObservedSite[]): ObservedSite[] {
  const byCall = new Map<string, ObservedSite>();
  for (const site of sites) {
    const key = JSON.stringify([site.callee, site.line, site.column ?? null, site.endLine ?? null, site.endColumn ?? null, site.text ?? null]);
    const known = byCall.get(key);
    byCall.set(key, known ? addSites(known, site) : copySite(site));
  }
  return [...byCall.values()];
}

function copySite(site: ObservedSite): ObservedSite {
  return { ...site, shapes: site.shapes.map((s) => ({ ...s })), ...(site.otherShapes ? { otherShapes: { ...site.otherShapes } } : {}) };
}

function addSites(into: ObservedSite, add: ObservedSite): ObservedSite {
  const shapes = new Map<string, ObservedShape>();
  for (const shape of [...into.shapes, ...add.shapes]) {
    const key = JSON.stringify([shape.equation, shape.operands]);
    const known = shapes.get(key);
    if (known) {
      known.calls += shape.calls;
      known.timeNs += shape.timeNs;
    } else shapes.set(key, { ...shape });
  }
  const ordered = [...shapes.values()].sort((a, b) => b.calls - a.calls || b.timeNs - a.timeNs);
  const other = { calls: (into.otherShapes?.calls ?? 0) + (add.otherShapes?.calls ?? 0), timeNs: (into.otherShapes?.timeNs ?? 0) + (add.otherShapes?.timeNs ?? 0) };
  for (const dropped of ordered.splice(MAX_SHAPES_PER_SITE)) {
    other.calls += dropped.calls;
    other.timeNs += dropped.timeNs;
  }
  const merged: ObservedSite = {
    ...into,
    // The newest recording's view of the surroundings.
    ...(add.near ? { near: add.near } : {}),
    calls: into.calls + add.calls,
    timeNs: into.timeNs + add.timeNs,
    shapes: ordered,
  };
  if (other.calls > 0) merged.otherShapes = other;
  else delete merged.otherShapes;
  if (into.nested || add.nested) merged.nested = true;
  return merged;
}
