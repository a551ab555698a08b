/**
 * The lens test: in a file with hundreds of Measure lenses, the workbench draws only those near
 * the visible lines (client/src/visible-lenses.ts), and every lens line in view has its lens:
 * when the file opens, after a "go to line" far down, after page jumps, a scroll of the mouse
 * wheel and at the end of the file, and while typing (no lens in view is taken away and drawn
 * again at each key).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { CodeServer } from './code-server';
import { expectText, goToPosition, openFile } from './ui';

const FILE = 'many_lenses.py';
const FUNCTIONS = 300;
const STEP_TIMEOUT_MS = 30_000;
/** Lines from the top of the file to the first function. */
const HEADER = ['import numpy as np', '', 'weights = np.random.rand(256, 256)', 'head = np.random.rand(256, 8)', ''];
/** Each function is ten lines, its second a naive three-operand einsum (EIN001): one lens. */
const FUNCTION_LINES = 10;
/** The most lenses the workbench may hold: about three screens' worth, of the file's 300. */
const MAX_LENSES_HELD = 40;

/** The file's last line, empty (1-based, as the editor numbers them). */
const LAST_LINE = HEADER.length + FUNCTIONS * FUNCTION_LINES + 1;

/** 1-based numbers of the lines that carry a lens. */
function hasLens(line: number): boolean {
  return line > HEADER.length && (line - HEADER.length) % FUNCTION_LINES === 2;
}

function generateFile(): string {
  const lines = [...HEADER];
  for (let k = 0; k < FUNCTIONS; k++) {
    lines.push(`def layer_${k}():`, "    z = np.einsum('ij,jk,kl->il', weights, weights, head)", '    return z', ...Array<string>(FUNCTION_LINES - 3).fill(''));
  }
  return `${lines.join('\n')}\n`;
}

interface LensView {
  /** Line numbers fully in view. */
  lines: number[];
  /** The line each lens fully in view stands above. */
  lensLines: number[];
  /** The widget id of each lens fully in view, by its line: a lens drawn again gets a new one. */
  lensIds: Record<number, string>;
  /** Lens widgets in the page, drawn or not. */
  held: number;
}

/**
 * What the editor shows: its line numbers fully in view, and for each lens widget fully in view
 * the line just below it (a lens is a view zone right above its line).
 */
function lensView(page: Page): Promise<LensView> {
  return page.evaluate(() => {
    const editor = document.querySelector('.editor-instance .monaco-editor .monaco-scrollable-element.editor-scrollable');
    if (!editor) return { lines: [], lensLines: [], lensIds: {}, held: 0 };
    const view = editor.getBoundingClientRect();
    const inView = (rect: DOMRect) => rect.height > 0 && rect.top >= view.top && rect.bottom <= view.bottom;
    const numbers = Array.from(document.querySelectorAll('.editor-instance .monaco-editor .margin-view-overlays .line-numbers'))
      .map((element) => ({ line: Number(element.textContent), rect: element.getBoundingClientRect() }))
      .filter(({ line, rect }) => line > 0 && inView(rect))
      .sort((a, b) => a.rect.top - b.rect.top);
    const lenses = Array.from(document.querySelectorAll<HTMLElement>('.editor-instance .monaco-editor .codelens-decoration'));
    const shown = lenses
      .filter((lens) => getComputedStyle(lens).visibility !== 'hidden' && inView(lens.getBoundingClientRect()))
      .map((lens) => ({ id: lens.getAttribute('widgetid') ?? '', line: numbers.find(({ rect }) => rect.top >= lens.getBoundingClientRect().bottom - 1)?.line ?? 0 }))
      .filter(({ line }) => line > 0);
    return {
      lines: numbers.map(({ line }) => line),
      lensLines: [...new Set(shown.map(({ line }) => line))].sort((a, b) => a - b),
      lensIds: Object.fromEntries(shown.map(({ line, id }) => [line, id])),
      held: lenses.length,
    };
  });
}

/**
 * Waits until the view is `where` it should be (`there`), every lens line in view has its lens
 * and no more than a few screens of lenses are held.
 */
async function expectLensesInView(page: Page, where: string, there: (view: LensView) => boolean = () => true): Promise<LensView> {
  const deadline = Date.now() + STEP_TIMEOUT_MS;
  for (;;) {
    const seen = await lensView(page);
    // A lens stands between its line and the one before: both in view, it is in view.
    const expected = seen.lines.filter((line) => hasLens(line) && seen.lines.includes(line - 1));
    const complete = expected.length > 0 && expected.every((line) => seen.lensLines.includes(line));
    if (there(seen) && complete && seen.held <= MAX_LENSES_HELD) return seen;
    if (Date.now() > deadline) {
      if (!there(seen)) throw new Error(`${where}: the view shows lines ${seen.lines[0]}–${seen.lines.at(-1)}`);
      throw new Error(`${where}: lines ${seen.lines[0]}–${seen.lines.at(-1)} in view should have lenses on ${expected.join(', ')}; they are on ${seen.lensLines.join(', ')}, ${seen.held} lenses held (at most ${MAX_LENSES_HELD})`);
    }
    await page.waitForTimeout(100);
  }
}

export async function runLensTest(browser: Browser, server: CodeServer, workspace: string, failureScreenshot: string): Promise<void> {
  writeFileSync(path.join(workspace, FILE), generateFile());
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  page.setDefaultTimeout(STEP_TIMEOUT_MS);
  try {
    await page.goto(server.url(workspace));
    await page.locator('.monaco-workbench').waitFor({ state: 'visible' });
    await expectText(page.locator('.explorer-folders-view .monaco-list-row'), FILE);
    // The most lens widgets the page ever holds, from before the file opens to the end.
    await page.evaluate(() => {
      const most = { held: 0 };
      (window as unknown as { __lensesHeld: typeof most }).__lensesHeld = most;
      new MutationObserver(() => {
        most.held = Math.max(most.held, document.querySelectorAll('.codelens-decoration').length);
      }).observe(document.body, { subtree: true, childList: true });
    });
    await openFile(page, FILE);
    await expectLensesInView(page, 'the file opened');

    await page.locator('.editor-instance .monaco-editor textarea').first().focus();
    await goToPosition(page, 2500, 1);
    const far = await expectLensesInView(page, 'after going to line 2500', (view) => view.lines.includes(2500));

    for (let i = 0; i < 3; i++) await page.keyboard.press('PageDown');
    await expectLensesInView(page, 'after three pages down', (view) => view.lines[0] > far.lines[0] + 2 * far.lines.length);

    // Scrolling with the mouse wheel, about a hundred lines (a little at a time, as a wheel does).
    const paged = await lensView(page);
    const box = await page.locator('.editor-instance .monaco-editor .monaco-scrollable-element.editor-scrollable').first().boundingBox();
    if (box) await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    for (let i = 0; i < 20; i++) await page.mouse.wheel(0, 100);
    await expectLensesInView(page, 'after scrolling with the wheel', (view) => view.lines[0] > paged.lines[0] + paged.lines.length);

    await page.keyboard.press('Control+End');
    const end = await expectLensesInView(page, 'at the end of the file', (view) => view.lines.includes(LAST_LINE));

    // Typing at the end of the file: the lenses in view stay, never taken away and drawn again.
    await page.keyboard.type('x = np.einsum("ij->ji", weights)', { delay: 50 });
    await page.waitForTimeout(2000);
    const typed = await expectLensesInView(page, 'after typing');
    // (The view may scroll a little to show the whole line typed: lenses in both views are compared.)
    const inBoth = typed.lensLines.filter((line) => end.lensLines.includes(line));
    const redrawn = inBoth.filter((line) => typed.lensIds[line] !== end.lensIds[line]);
    if (inBoth.length < 2 || redrawn.length > 0) {
      throw new Error(`typing redrew the lenses in view: ${JSON.stringify(end.lensIds)} before, ${JSON.stringify(typed.lensIds)} after (line: widget id)`);
    }

    await page.keyboard.press('Control+Home');
    await expectLensesInView(page, 'back at the top', (view) => view.lines[0] === 1);
    // Not even for a moment (the file opening before the extension host knows its editor) all of them.
    const most = await page.evaluate(() => (window as unknown as { __lensesHeld: { held: number } }).__lensesHeld.held);
    if (most > MAX_LENSES_HELD) throw new Error(`the page held ${most} lens widgets at one time (at most ${MAX_LENSES_HELD})`);
  } catch (error) {
    await page.screenshot({ path: failureScreenshot }).catch(() => undefined);
    throw error;
  } finally {
    await page.close();
  }
}
