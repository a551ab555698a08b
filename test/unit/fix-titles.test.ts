/**
 * Every quick-fix title the fixtures and examples produce fits one line of a menu (under 80
 * characters), says what it does in plain words (no raw path literal), and writes its numbers in
 * einsight's one format.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { before, test } from 'node:test';
import { analyzePython } from 'einsight-server/analysis/python/analyze';
import { analyzeTypeScript } from 'einsight-server/analysis/typescript/analyze';
import { fixAll, fixesForSite, prepareRewrites } from 'einsight-server/rewrite/index';
import { TITLE_LIMIT, fixTitle } from 'einsight-server/rewrite/titles';
import { REPO_ROOT } from '../support/oracle';

/** Marker comments of the fixture format, removed as the fixture loader does. */
const MARKERS = /\/\*\w*\*\/|\[\||\|\]/g;

function sources(): { file: string; text: string }[] {
  const folders = ['test/fixtures/python', 'test/fixtures/rewrite', 'test/fixtures/typescript/exec', 'examples'];
  return folders.flatMap((folder) =>
    readdirSync(path.join(REPO_ROOT, folder), { recursive: true, withFileTypes: false })
      .map(String)
      .filter((name) => /\.(py|[cm]?[jt]s)$/.test(name))
      .map((name) => ({ file: `${folder}/${name}`, text: readFileSync(path.join(REPO_ROOT, folder, name), 'utf8').replace(MARKERS, '') })),
  );
}

before(() => prepareRewrites());

test('every fix title is under 80 characters, in plain words and formatted numbers', async () => {
  const titles = new Set<string>();
  for (const { file, text } of sources()) {
    const analysis = file.endsWith('.py') ? await analyzePython(text) : analyzeTypeScript(text, {}, file.endsWith('.js') || file.endsWith('.mjs') ? 'js' : 'ts');
    for (const site of analysis.sites) for (const fix of fixesForSite(analysis, site.id, text)) titles.add(`${file}: ${fix.title}`);
    const all = fixAll(analysis, text);
    if (all) titles.add(`${file}: ${all.title}`);
  }
  if (process.env.EINSIGHT_PRINT_TITLES) console.log([...titles].join("\n"));
  assert.ok(titles.size > 50, `only ${titles.size} titles`);
  for (const entry of titles) {
    const title = entry.slice(entry.indexOf(': ') + 2);
    assert.ok(title.length < TITLE_LIMIT, `${entry} (${title.length} characters)`);
    assert.doesNotMatch(title, /einsum_path|\[\(|\(\d+, \d+\)/, `${entry}: a raw path in a title`);
    assert.doesNotMatch(title, /\d{7,}|\d+x\b|e\+\d/, `${entry}: a number not in einsight's format`);
  }
});

test('a title drops its detail, then takes a shorter action, before it would be cut', () => {
  const long = 'x'.repeat(70);
  assert.equal(fixTitle('Do it', '2.00× fewer FLOPs'), 'Do it (2.00× fewer FLOPs)');
  assert.equal(fixTitle([`Do ${long}`, 'Do it'], '2.00× fewer FLOPs'), 'Do it (2.00× fewer FLOPs)');
  assert.equal(fixTitle([`Do ${long}`], '2.00× fewer FLOPs'), `Do ${long}`);
  assert.equal(fixTitle([`Do ${long}${long}`]).length, TITLE_LIMIT - 1);
});
