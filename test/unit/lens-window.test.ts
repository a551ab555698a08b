/** The VS Code client keeps only the lenses near the visible lines (client/src/lens-window.ts). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { keepLensesIn, lensWindow, shownLines, windowCovers, type LineSpan } from 'einsight-client/lens-window';

/** A lens on each of these lines, as the server sends them (in document order). */
function lensesOn(lines: number[]): { range: { start: { line: number } }; title: string }[] {
  return lines.map((line) => ({ range: { start: { line } }, title: `Measure ${line}` }));
}

function keptLines(lines: number[], editors: LineSpan[][], screens?: number): number[] {
  return keepLensesIn(lensesOn(lines), lensWindow(editors, screens)).map((lens) => lens.range.start.line);
}

/** Lenses every 20 lines of a 5,000-line file, as in the typing benchmark's file. */
const EVERY_20 = Array.from({ length: 250 }, (_, k) => 20 * k + 11);

describe('the lenses kept near the visible lines', () => {
  it('one editor: the visible lines and one screen above and below, both ends included', () => {
    // Lines 2,500–2,544 in view (45 lines): kept from 2,455 to 2,589.
    assert.deepEqual(lensWindow([[{ start: 2500, end: 2544 }]]), [{ start: 2455, end: 2589 }]);
    assert.deepEqual(keptLines([2454, 2455, 2500, 2589, 2590], [[{ start: 2500, end: 2544 }]]), [2455, 2500, 2589]);
    assert.deepEqual(keptLines(EVERY_20, [[{ start: 2500, end: 2544 }]]), [2471, 2491, 2511, 2531, 2551, 2571]);
  });

  it('the margin is in screens of the editor', () => {
    assert.deepEqual(lensWindow([[{ start: 100, end: 139 }]], 0.5), [{ start: 80, end: 159 }]);
    assert.deepEqual(lensWindow([[{ start: 100, end: 139 }]], 0), [{ start: 100, end: 139 }]);
  });

  it('at the top of the file the window starts at line 0', () => {
    assert.deepEqual(lensWindow([[{ start: 0, end: 44 }]]), [{ start: 0, end: 89 }]);
    assert.deepEqual(keptLines(EVERY_20, [[{ start: 0, end: 44 }]]), [11, 31, 51, 71]);
  });

  it('a very short editor (a peek) still keeps ten lines either side', () => {
    assert.deepEqual(lensWindow([[{ start: 50, end: 52 }]]), [{ start: 40, end: 62 }]);
  });

  it('folded regions: several visible ranges, each widened by the lines shown in all of them', () => {
    // Lines 0–9 and 1,000–1,019 shown (a fold hides 10–999): 30 lines shown, 30 lines of margin.
    const folded = [[{ start: 0, end: 9 }, { start: 1000, end: 1019 }]];
    assert.equal(shownLines(folded[0]), 30);
    assert.deepEqual(lensWindow(folded), [{ start: 0, end: 39 }, { start: 970, end: 1049 }]);
    assert.deepEqual(keptLines([5, 39, 40, 500, 969, 970, 1049, 1050], folded), [5, 39, 970, 1049]);
  });

  it('ranges whose margins overlap are merged into one', () => {
    assert.deepEqual(lensWindow([[{ start: 0, end: 9 }, { start: 50, end: 59 }]]), [{ start: 0, end: 79 }]);
  });

  it('a document open in two editors: the lines near either', () => {
    const split = [[{ start: 0, end: 44 }], [{ start: 3000, end: 3019 }]];
    assert.deepEqual(lensWindow(split), [{ start: 0, end: 89 }, { start: 2980, end: 3039 }]);
    assert.deepEqual(keptLines(EVERY_20, split), [11, 31, 51, 71, 2991, 3011, 3031]);
    // The same view in both: the same lenses, once each.
    assert.deepEqual(keptLines(EVERY_20, [[{ start: 0, end: 44 }], [{ start: 0, end: 44 }]]), [11, 31, 51, 71]);
  });

  it('no editor shows the document: every lens (nothing is drawn; a command asking gets them all)', () => {
    assert.equal(lensWindow([]), undefined);
    assert.equal(lensWindow([[]]), undefined);
    assert.deepEqual(keptLines(EVERY_20, []), EVERY_20);
  });

  it('no lenses, or none near the view: none kept', () => {
    assert.deepEqual(keptLines([], [[{ start: 0, end: 44 }]]), []);
    assert.deepEqual(keptLines([4000], [[{ start: 0, end: 44 }]]), []);
  });

  it('keeps the lenses themselves, in their order, several on one line included', () => {
    const lenses = [...lensesOn([10, 10, 12]), ...lensesOn([900])];
    const kept = keepLensesIn(lenses, lensWindow([[{ start: 0, end: 44 }]]));
    assert.deepEqual(kept, lenses.slice(0, 3));
    assert.equal(kept[0], lenses[0]);
  });
});

describe('when the lenses are asked for again', () => {
  const loaded = lensWindow([[{ start: 2500, end: 2544 }]]);

  it('not while the view stays within half a screen of where they were kept (typing, small scrolls)', () => {
    assert.equal(windowCovers(loaded, [[{ start: 2500, end: 2544 }]]), true);
    assert.equal(windowCovers(loaded, [[{ start: 2501, end: 2545 }]]), true);
    // Half a screen (23 lines) down: the margin left below is still half a screen.
    assert.equal(windowCovers(loaded, [[{ start: 2522, end: 2566 }]]), true);
  });

  it('when the view gets further into the margin, or jumps', () => {
    assert.equal(windowCovers(loaded, [[{ start: 2523, end: 2567 }]]), false);
    assert.equal(windowCovers(loaded, [[{ start: 2476, end: 2520 }]]), false);
    assert.equal(windowCovers(loaded, [[{ start: 100, end: 144 }]]), false);
  });

  it('when a taller editor shows more lines, or a second editor shows another part', () => {
    assert.equal(windowCovers(loaded, [[{ start: 2500, end: 2600 }]]), false);
    assert.equal(windowCovers(loaded, [[{ start: 2500, end: 2544 }], [{ start: 10, end: 54 }]]), false);
  });

  it('when a fold opens and shows lines that were hidden', () => {
    const folded = lensWindow([[{ start: 0, end: 9 }, { start: 1000, end: 1019 }]]);
    assert.equal(windowCovers(folded, [[{ start: 0, end: 9 }, { start: 1000, end: 1019 }]]), true);
    assert.equal(windowCovers(folded, [[{ start: 0, end: 19 }]]), true);
    assert.equal(windowCovers(folded, [[{ start: 0, end: 44 }]]), false);
  });

  it('lenses kept for every line are asked for again once an editor shows the document', () => {
    assert.equal(windowCovers(undefined, [[{ start: 0, end: 44 }]]), false);
    assert.equal(windowCovers(undefined, []), true);
    assert.equal(windowCovers(loaded, []), true);
  });
});
