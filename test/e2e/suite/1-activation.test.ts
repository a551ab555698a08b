/** The extension under test is the packaged one, and it activates when a Python file opens. */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { einsight, openFixture } from './helpers';

const ACTIVATION_TIMEOUT_MS = 20_000;

suite('the installed .vsix', () => {
  test('is the bundle, not the source tree', () => {
    const extension = einsight();
    // Installed extensions live in `publisher.name-version[-target]` folders of the extensions dir.
    assert.match(path.basename(extension.extensionPath), /^einsight\.einsight-\d+\.\d+\.\d+(-[a-z0-9]+-[a-z0-9]+)?$/);
    assert.equal(extension.packageJSON.main, './dist/extension.js');
    for (const file of ['dist/extension.js', 'dist/server.js', 'dist/cli.js', 'dist/runner.js', 'dist/tree-sitter.wasm']) {
      assert.ok(existsSync(path.join(extension.extensionPath, file)), `${file} is packaged`);
    }
    for (const folder of ['client', 'server', 'test', 'node_modules']) {
      assert.ok(!existsSync(path.join(extension.extensionPath, folder)), `${folder}/ is not packaged`);
    }
  });

  test('activates on opening a Python file (onLanguage:python)', async () => {
    const extension = einsight();
    assert.equal(extension.isActive, false, 'nothing that activates einsight has opened yet');
    await openFixture('contractions.py');
    const deadline = Date.now() + ACTIVATION_TIMEOUT_MS;
    while (!extension.isActive) {
      assert.ok(Date.now() < deadline, `not active ${ACTIVATION_TIMEOUT_MS} ms after opening a Python file`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });
});
