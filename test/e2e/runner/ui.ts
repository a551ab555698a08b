/**
 * The UI test: what a user sees in the workbench, driven with the keyboard as a user would.
 * It opens demo.py, sees the squiggles and the Problems panel, the hover, applies the quick fix
 * from the lightbulb menu and measures the second call, whose results open in a webview. Each
 * step saves a screenshot into `screenshots` (.e2e/screenshots/ when testing; the README's
 * media/screenshots/ only with `npm run screenshots`).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, FrameLocator, Locator, Page } from 'playwright-core';
import type { CodeServer } from './code-server';

const STEP_TIMEOUT_MS = 30_000;
/** The window, and so each screenshot. */
const SCREEN = { width: 1600, height: 1000 };
/** Measuring loads onnxruntime and times three models. */
const MEASURE_TIMEOUT_MS = 60_000;
/** Line 6 after the quick fix, up to where the inner call's inlay hint (→ (64, 4)) is drawn. */
const FIXED_LINE = "d = np.einsum('ij,jl->il', a, np.einsum('jk,kl->jl', b, c)";

/** The editor's visible text; Monaco renders spaces as no-break spaces. */
async function editorText(page: Page): Promise<string> {
  return (await page.locator('.editor-instance .monaco-editor .view-lines').first().innerText()).replace(/\u00a0/g, ' ');
}

export async function quickInput(page: Page, keys: string, text: string): Promise<void> {
  await page.keyboard.press(keys);
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(text);
}

export async function goToPosition(page: Page, line: number, column: number): Promise<void> {
  // The go-to-line box opens with its ':' prefix, which fill() replaces.
  await quickInput(page, 'Control+G', `:${line}:${column}`);
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
}

export async function expectText(locator: Locator, text: string, timeout = STEP_TIMEOUT_MS): Promise<void> {
  await locator.filter({ hasText: text }).first().waitFor({ state: 'visible', timeout });
}

async function shoot(page: Page, folder: string, name: string, clip?: { width: number; height: number }): Promise<void> {
  const file = path.join(folder, `${name}.png`);
  await page.screenshot({ path: file, clip: clip && { x: 0, y: 0, ...clip } });
  console.log(`e2e: screenshot ${path.relative(process.cwd(), file)}`);
}

export async function openFile(page: Page, name: string): Promise<void> {
  await quickInput(page, 'Control+P', name);
  await expectText(page.locator('.quick-input-list .monaco-list-row'), name);
  await page.keyboard.press('Enter');
  await expectText(page.locator('.tabs-container .tab'), name);
  await page.locator('.editor-instance .monaco-editor .view-lines').first().waitFor({ state: 'visible' });
}

function measureWebview(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview').frameLocator('iframe#active-frame');
}

export async function runUiTest(browser: Browser, server: CodeServer, workspace: string, screenshots: string, failureScreenshot: string): Promise<void> {
  mkdirSync(screenshots, { recursive: true });
  const page = await browser.newPage({ viewport: SCREEN });
  page.setDefaultTimeout(STEP_TIMEOUT_MS);
  try {
    await page.goto(server.url(workspace));
    await page.locator('.monaco-workbench').waitFor({ state: 'visible' });
    await expectText(page.locator('.explorer-folders-view .monaco-list-row'), 'demo.py');

    // The two wasted-work findings: squiggles in the editor, rows in the Problems panel.
    await openFile(page, 'demo.py');
    await page.locator('.monaco-editor .squiggly-warning').nth(1).waitFor({ state: 'attached' });
    await page.keyboard.press('Control+Shift+M');
    await expectText(page.locator('.markers-panel .monaco-list-row'), '256× fewer');
    await expectText(page.locator('.markers-panel .monaco-list-row'), '11.3× fewer');
    await shoot(page, screenshots, 'diagnostics');

    // Hover on the first call (Ctrl+K Ctrl+I: moving the mouse does not show hovers reliably headless).
    // A hover is at most a quarter of the editor's height (or 250 px): in a tall window the whole
    // plan fits, and the screenshot keeps the top of it.
    await page.setViewportSize({ width: SCREEN.width, height: 2400 });
    await page.locator('.editor-instance .monaco-editor textarea').first().focus();
    await goToPosition(page, 6, 8);
    await page.keyboard.press('Control+K');
    await page.keyboard.press('Control+I');
    await expectText(page.locator('.monaco-hover'), 'best order (optimal)');
    await shoot(page, screenshots, 'hover', SCREEN);
    await page.setViewportSize(SCREEN);
    await page.keyboard.press('Escape');

    // The quick fix, from the code action menu (Ctrl+.).
    await page.keyboard.press('Control+.');
    // The preferred fix comes first, focused: Enter applies it (a click is caught by the menu's pointer block).
    const fix = page.locator('.action-widget .monaco-list-row.focused').filter({ hasText: 'Contract pairwise in the best order' });
    await fix.waitFor({ state: 'visible' });
    await shoot(page, screenshots, 'quick-fix');
    await page.keyboard.press('Enter');
    for (let waited = 0; !(await editorText(page)).includes(FIXED_LINE); waited += 100) {
      if (waited > STEP_TIMEOUT_MS) throw new Error(`the quick fix did not change line 6 to ${FIXED_LINE}…:\n${await editorText(page)}`);
      await page.waitForTimeout(100);
    }

    // Measure the second call from the command palette; the results open in a webview, and the
    // panel area (hidden first) stays hidden: measuring does not pop the Output panel open.
    await page.keyboard.press('Control+J');
    await page.locator('.part.panel').waitFor({ state: 'hidden' });
    await goToPosition(page, 11, 8);
    await quickInput(page, 'F1', '>einsight: Measure Contraction Speedup');
    await expectText(page.locator('.quick-input-list .monaco-list-row'), 'Measure Contraction Speedup');
    await page.keyboard.press('Enter');
    const webview = measureWebview(page);
    await webview.locator('.headline').waitFor({ state: 'visible', timeout: MEASURE_TIMEOUT_MS });
    await expectText(webview.locator('h1'), 'ij,jk,kl->il');
    await webview.locator('svg.chart').first().waitFor({ state: 'visible' });
    if (await page.locator('.part.panel').isVisible()) throw new Error('measuring opened the panel area (the Output channel)');
    // The tables wrap rather than scroll sideways, even in a narrow editor group.
    const overflow = await webview.locator('body').evaluate((body) => body.scrollWidth - body.clientWidth);
    if (overflow > 0) throw new Error(`the measure panel scrolls sideways by ${overflow} px`);
    await shoot(page, screenshots, 'measure');
  } catch (error) {
    await page.screenshot({ path: failureScreenshot }).catch(() => undefined);
    throw error;
  } finally {
    await page.close();
  }
}
