/**
 * Each analysis's rendering as it crosses from the analysis thread to the connection's: only
 * what changed since the rendering the thread sent before for the same session. In a big file
 * an edit changes a handful of its hundreds of diagnostics, lenses and hints; copying all of
 * them between threads after every key (the structured clone of a 5,000-line file's rendering
 * is ~700 KB) cost more than reading the edited function again. The connection's side keeps
 * the lists it was sent and rebuilds each rendering from them; a list an analysis left as it
 * was keeps its identity there, so publishing can tell it is unchanged without comparing it.
 */
import type { RenderedAnalysis } from '../workspace/session';

type ListName = 'diagnostics' | 'codeLenses' | 'inlayHints';
const LIST_NAMES: readonly ListName[] = ['diagnostics', 'codeLenses', 'inlayHints'];

/** A list's change: `items` replace the `deleteCount` items at `start`; null: the list is as it was. */
export type ListSplice = { start: number; deleteCount: number; items: unknown[] } | null;

export type RenderedDelta = Omit<RenderedAnalysis, ListName> & {
  /** The splices apply to empty lists: the thread sent nothing before for this session (it is new, or restarted). */
  complete: boolean;
  /** Per list, per document of the unit (every one, in order): its change. */
  changes: Record<ListName, [uri: string, splice: ListSplice][]>;
};

type SentLists = Record<ListName, Map<string, unknown[]>>;

function emptyLists(): SentLists {
  return { diagnostics: new Map(), codeLenses: new Map(), inlayHints: new Map() };
}

/** The analysis thread's side, one per session: what it sent last. */
export class RenderingSender {
  private sent: SentLists | null = null;

  delta(rendered: RenderedAnalysis): RenderedDelta {
    const complete = this.sent === null;
    const before = this.sent ?? emptyLists();
    const after = emptyLists();
    const changes = {} as RenderedDelta['changes'];
    for (const name of LIST_NAMES) {
      changes[name] = rendered[name].map(([uri, items]): [string, ListSplice] => {
        after[name].set(uri, items);
        const earlier = before[name].get(uri);
        return [uri, earlier === undefined ? { start: 0, deleteCount: 0, items } : spliceBetween(earlier, items)];
      });
    }
    this.sent = after;
    return { ...withoutLists(rendered), complete, changes };
  }
}

/** The connection's side, one per session: the lists as the thread last sent them. */
export class RenderingReceiver {
  private shown: SentLists = emptyLists();

  apply(delta: RenderedDelta): RenderedAnalysis {
    const before = delta.complete ? emptyLists() : this.shown;
    const after = emptyLists();
    const lists = {} as Pick<RenderedAnalysis, ListName>;
    for (const name of LIST_NAMES) {
      lists[name] = delta.changes[name].map(([uri, splice]) => {
        const earlier = before[name].get(uri) ?? [];
        const items = splice ? earlier.slice(0, splice.start).concat(splice.items, earlier.slice(splice.start + splice.deleteCount)) : earlier;
        after[name].set(uri, items);
        return [uri, items] as [string, never[]];
      });
    }
    this.shown = after;
    return { ...withoutLists(delta), ...lists };
  }
}

/** What a rendering says besides its lists. */
function withoutLists(from: RenderedAnalysis | RenderedDelta): Omit<RenderedAnalysis, ListName> {
  const { version, state, error, durationMs, sites, observed, notice } = from;
  return { version, state, error, durationMs, sites, observed, notice };
}

/** The change from `before` to `after`: the span between their common head and common tail. */
export function spliceBetween(before: readonly unknown[], after: readonly unknown[]): ListSplice {
  const shorter = Math.min(before.length, after.length);
  let head = 0;
  while (head < shorter && sameData(before[head], after[head])) head++;
  if (head === before.length && head === after.length) return null;
  let tail = 0;
  while (tail < shorter - head && sameData(before[before.length - 1 - tail], after[after.length - 1 - tail])) tail++;
  return { start: head, deleteCount: before.length - head - tail, items: after.slice(head, after.length - tail) };
}

/**
 * Whether two values made of JSON data (objects, arrays, strings, numbers, booleans, null) are
 * equal. Written out: `util.isDeepStrictEqual` checks prototypes and property descriptors, and
 * took longer on a big file's rendering than copying it between threads.
 */
export function sameData(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameData(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const key of keys) {
    if (!Object.prototype.hasOwnProperty.call(b, key) || !sameData((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key])) return false;
  }
  return true;
}
