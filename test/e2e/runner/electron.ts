/**
 * The same suites under @vscode/test-electron, where VS Code can be downloaded (not on this
 * project's machines: its update server is out of reach, see the README's Testing section):
 *
 *   npm run test:e2e:electron [-- --vscode-version 1.100.3] [-- --skip-package]
 *
 * Builds the .vsix for this machine, installs it with VS Code's CLI (--install-extension) into a
 * fresh extensions folder, and runs the suites with the empty host extension as the development
 * extension, so that einsight is the packaged one — as in the code-server run.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { downloadAndUnzipVSCode, resolveCliPathFromVSCodeExecutablePath, runTests } from '@vscode/test-electron';
import { packageVsix } from './package-vsix';
import { FIXTURE_WORKSPACE, HOST_EXTENSION, hostTarget, SUITE_INDEX, vsixPath } from './paths';

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const versionAt = argv.indexOf('--vscode-version');
  const version = versionAt >= 0 ? argv[versionAt + 1] : 'stable';
  const vsix = argv.includes('--skip-package') ? vsixPath() : packageVsix(hostTarget());
  if (!existsSync(vsix)) throw new Error(`${vsix} does not exist: run 'npm run package' (or drop --skip-package)`);

  const scratch = mkdtempSync(path.join(os.tmpdir(), 'einsight-e2e-electron-'));
  const profile = [`--extensions-dir=${path.join(scratch, 'extensions')}`, `--user-data-dir=${path.join(scratch, 'user-data')}`];
  const workspace = path.join(scratch, 'workspace');
  cpSync(FIXTURE_WORKSPACE, workspace, { recursive: true });

  const executable = await downloadAndUnzipVSCode(version);
  const cli = resolveCliPathFromVSCodeExecutablePath(executable);
  const install = spawnSync(cli, [...profile, '--install-extension', vsix], { encoding: 'utf8', stdio: 'inherit', shell: process.platform === 'win32' });
  if (install.status !== 0) throw new Error(`installing ${vsix} failed (exit ${install.status})`);

  try {
    await runTests({
      vscodeExecutablePath: executable,
      extensionDevelopmentPath: HOST_EXTENSION,
      extensionTestsPath: SUITE_INDEX,
      launchArgs: [workspace, ...profile],
    });
  } catch (error) {
    console.error(`e2e: kept ${scratch}`);
    throw error;
  }
  rmSync(scratch, { recursive: true, force: true });
  return 0;
}

main().then(
  (code) => (process.exitCode = code),
  (error) => {
    console.error(`e2e: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
