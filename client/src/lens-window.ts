/**
 * Which code lenses the client keeps: those on lines near what the editors show. VS Code keeps a
 * view zone per lens and moves every one of them as the document changes, so a file with
 * hundreds of findings made each keystroke pay for hundreds of lenses nobody could see. Pure
 * (lines only, no vscode), so that it is tested apart from the editor.
 */

/** Lines `start` to `end`, both included, 0-based (as in a `vscode.Range`). */
export interface LineSpan {
  readonly start: number;
  readonly end: number;
}

/** How far beyond the visible lines lenses are kept, in screens (an editor's own height). */
export const MARGIN_SCREENS = 1;
/** Scrolling this far (in screens) into the margin loads the lenses further on, before they show. */
export const REFRESH_SCREENS = MARGIN_SCREENS / 2;
/** The margin of a very short editor (a peek, a small split) is still this many lines. */
const MIN_MARGIN_LINES = 10;

/** The lines an editor shows: folded regions split its visible ranges, hiding what lies between. */
export function shownLines(visible: readonly LineSpan[]): number {
  return visible.reduce((sum, span) => sum + span.end - span.start + 1, 0);
}

/**
 * The lines near what the editors show of one document: each editor's visible ranges widened by
 * `screens` of its own height above and below, merged and sorted. `undefined` when no editor
 * shows the document: nothing is drawn for it, and whoever asks (a command, another extension)
 * gets every lens.
 */
export function lensWindow(editors: readonly (readonly LineSpan[])[], screens = MARGIN_SCREENS): LineSpan[] | undefined {
  const shown = editors.filter((visible) => visible.length > 0);
  if (shown.length === 0) return undefined;
  const widened = shown.flatMap((visible) => {
    const margin = Math.ceil(Math.max(shownLines(visible), MIN_MARGIN_LINES) * screens);
    return visible.map((span) => ({ start: Math.max(0, span.start - margin), end: span.end + margin }));
  });
  widened.sort((a, b) => a.start - b.start);
  const merged: LineSpan[] = [];
  for (const span of widened) {
    const last = merged[merged.length - 1];
    if (last && span.start <= last.end + 1) merged[merged.length - 1] = { start: last.start, end: Math.max(last.end, span.end) };
    else merged.push(span);
  }
  return merged;
}

/** The lenses whose line lies in `window`, in their order; all of them when there is no window. */
export function keepLensesIn<T extends { readonly range: { readonly start: { readonly line: number } } }>(
  lenses: readonly T[],
  window: readonly LineSpan[] | undefined,
): T[] {
  if (!window) return [...lenses];
  return lenses.filter((lens) => window.some((span) => span.start <= lens.range.start.line && lens.range.start.line <= span.end));
}

/**
 * Whether lenses kept for `loaded` still serve what the editors show now: each visible range,
 * widened by `screens` of its editor's height, lies within it. When not, the user has scrolled
 * (or jumped) far enough that lenses must be asked for again. Lenses kept for every line
 * (`loaded` undefined) are too many once an editor shows the document.
 */
export function windowCovers(loaded: readonly LineSpan[] | undefined, editors: readonly (readonly LineSpan[])[], screens = REFRESH_SCREENS): boolean {
  const needed = lensWindow(editors, screens);
  if (!needed) return true;
  if (!loaded) return false;
  return needed.every((span) => loaded.some((have) => have.start <= span.start && span.end <= have.end));
}
