/**
 * `npm run test:e2e`: builds the .vsix for this machine (scripts/package.mjs), installs that
 * package into code-server with --install-extension, runs the mocha suites in code-server's
 * extension host, then the UI test in the workbench (screenshots into the ignored .e2e/screenshots/;
 * with --readme-screenshots, `npm run screenshots`, into the README's media/screenshots/) and the
 * lens test (runner/lenses.ts).
 *
 *   node test/e2e/out/runner/main.js [--skip-package] [--only suite|ui] [--readme-screenshots]
 *
 * Needs code-server and chromium from test/e2e/setup.sh. Everything runs in a scratch folder
 * under the system temp dir — outside the repository, so that the installed extension cannot
 * resolve anything from the workspace's node_modules — removed after a passing run and kept
 * (with the workbench's logs) after a failing one.
 */
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launchBrowser } from './browser';
import { assertInstalled, installExtension, startCodeServer } from './code-server';
import { packageVsix } from './package-vsix';
import { FIXTURE_WORKSPACE, README_SCREENSHOTS_DIR, SCREENSHOTS_DIR, hostTarget, vsixPath } from './paths';
import { runTestsInWorkbench } from './workbench-tests';
import { runLensTest } from './lenses';
import { runUiTest } from './ui';

interface Options {
  skipPackage: boolean;
  only: 'suite' | 'ui' | null;
  readmeScreenshots: boolean;
}

function parseOptions(argv: string[]): Options {
  const options: Options = { skipPackage: false, only: null, readmeScreenshots: false };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--skip-package') options.skipPackage = true;
    else if (argv[i] === '--readme-screenshots') options.readmeScreenshots = true;
    else if (argv[i] === '--only' && (argv[i + 1] === 'suite' || argv[i + 1] === 'ui')) options.only = argv[++i] as 'suite' | 'ui';
    else throw new Error(`unknown argument '${argv[i]}'; usage: main.js [--skip-package] [--only suite|ui] [--readme-screenshots]`);
  }
  return options;
}

function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  assertInstalled();
  const started = Date.now();
  const target = hostTarget();
  const vsix = options.skipPackage ? vsixPath(target) : packageVsix(target);
  if (!existsSync(vsix)) throw new Error(`${vsix} does not exist: run 'npm run package' (or drop --skip-package)`);

  const scratch = mkdtempSync(path.join(os.tmpdir(), 'einsight-e2e-'));
  const workspace = (name: string) => {
    const folder = path.join(scratch, name);
    cpSync(FIXTURE_WORKSPACE, folder, { recursive: true });
    return folder;
  };
  installExtension(scratch, vsix);
  const server = await startCodeServer(scratch);
  const browser = await launchBrowser();
  let code = 0;
  try {
    if (options.only !== 'ui') {
      const suiteStarted = Date.now();
      code = await runTestsInWorkbench(browser, server, workspace('suite-workspace'), { logDir: path.join(scratch, 'logs') });
      console.log(`e2e: suites ${code === 0 ? 'passed' : `failed (exit ${code})`} in ${seconds(suiteStarted)}`);
    }
    if (code === 0 && options.only !== 'suite') {
      const uiStarted = Date.now();
      const screenshots = options.readmeScreenshots ? README_SCREENSHOTS_DIR : SCREENSHOTS_DIR;
      await runUiTest(browser, server, workspace('ui-workspace'), screenshots, path.join(scratch, 'ui-failure.png'));
      console.log(`e2e: UI test passed in ${seconds(uiStarted)}`);
      const lensStarted = Date.now();
      await runLensTest(browser, server, workspace('lens-workspace'), path.join(scratch, 'lens-failure.png'));
      console.log(`e2e: lens test passed in ${seconds(lensStarted)}`);
    }
  } catch (error) {
    code = 1;
    console.error(`e2e: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  } finally {
    await browser.close();
    await server.stop();
  }
  if (code === 0) rmSync(scratch, { recursive: true, force: true });
  else console.error(`e2e: kept ${scratch} (workbench logs in logs/, screenshots of a failed UI step in ui-failure.png, lens-failure.png)`);
  console.log(`e2e: ${code === 0 ? 'passed' : 'FAILED'} in ${seconds(started)} (${path.basename(vsix)})`);
  return code;
}

main().then(
  (code) => (process.exitCode = code),
  (error) => {
    console.error(`e2e: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
