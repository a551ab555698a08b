/**
 * Runs tests — the mocha suites (test/e2e/suite), or the activation benchmark's probe — in
 * code-server's extension host: the workbench is
 * opened with `extensionDevelopmentPath` (the empty host extension) and `extensionTestsPath`
 * in its URL payload, and reports the tests' output and exit code through the page functions
 * codeAutomationLog and codeAutomationExit — the web counterpart of @vscode/test-electron.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { format } from 'node:util';
import type { Browser } from 'playwright-core';
import type { CodeServer } from './code-server';
import { HOST_EXTENSION, SUITE_INDEX } from './paths';

const SUITE_TIMEOUT_MS = 10 * 60_000;

function printLog(level: string, text: string): void {
  if (level === 'error') console.error(text);
  else console.log(text);
}

interface AutomationLog {
  relativePath: string;
  contents: string;
}

export interface WorkbenchRun {
  /** The module the extension host loads and awaits run() of; the mocha suites by default. */
  testsIndex?: string;
  /** Where the workbench's own logs go when it exits. */
  logDir: string;
  /** Each line the tests print; printed to this process's console when absent. */
  onLog?: (level: string, text: string) => void;
}

export async function runTestsInWorkbench(browser: Browser, server: CodeServer, workspace: string, run: WorkbenchRun): Promise<number> {
  const { testsIndex = SUITE_INDEX, logDir, onLog = printLog } = run;
  const page = await browser.newPage();
  let settle: (code: number) => void = () => undefined;
  const exited = new Promise<number>((resolve) => (settle = resolve));
  // The extension host forwards console calls as their arguments: format them as console would.
  await page.exposeFunction('codeAutomationLog', (level: string, message: unknown) => {
    onLog(level, (Array.isArray(message) ? format(...(message as unknown[])) : String(message)).replace(/\n$/, ''));
  });
  await page.exposeFunction('codeAutomationExit', (code: number, logs?: AutomationLog[]) => {
    // The workbench's own logs (extension host, renderer, server), kept for a failed run.
    for (const log of logs ?? []) {
      const file = path.join(logDir, log.relativePath);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, log.contents);
    }
    settle(code);
  });
  page.on('pageerror', (error) => console.error(`e2e: page error: ${error.message}`));
  const url = server.url(workspace, [
    ['extensionDevelopmentPath', server.remoteUri(HOST_EXTENSION)],
    ['extensionTestsPath', server.remoteUri(testsIndex)],
  ]);
  await page.goto(url);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<number>((resolve) => {
    timer = setTimeout(() => {
      console.error(`e2e: the suites did not finish within ${SUITE_TIMEOUT_MS / 60_000} minutes`);
      resolve(124);
    }, SUITE_TIMEOUT_MS);
  });
  const code = await Promise.race([exited, timeout]);
  clearTimeout(timer);
  await page.close();
  return code;
}
