import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it, test } from 'node:test';
import { SettingsSource } from 'einsight-server/service/settings-source';
import { DEFAULT_SETTINGS, parseSettings, severityOverride } from 'einsight-server/workspace/settings';

/** Tables keyed by user names have no prototype (see prototype-names.test.ts). */
const bare = <T>(entries: Record<string, T>): Record<string, T> => Object.assign(Object.create(null), entries);

test('no settings at all gives the defaults and no complaint', () => {
  assert.deepEqual(parseSettings(undefined), { settings: DEFAULT_SETTINGS, problems: [] });
  assert.deepEqual(parseSettings(null), { settings: DEFAULT_SETTINGS, problems: [] });
  assert.deepEqual(parseSettings({}), { settings: DEFAULT_SETTINGS, problems: [] });
});

test('valid settings are read as given', () => {
  const { settings, problems } = parseSettings({
    enable: false,
    dimensions: { batch: 64, N: 1024 },
    minSpeedup: 1.5,
    optimizer: 'greedy',
    memoryLimit: 'max_input',
    severity: { EIN001: 'error', 'fusable-chain': 'off' },
    inlayHints: { enable: false },
    codeLens: 'all',
    measure: { maxMemoryMB: 512, runs: 3, executionProvider: 'cuda' },
    typescript: { einsumModules: ['my-tensors'] },
    python: { interpreter: '/env/bin/python', einsumFunctions: { 'pyscf.lib.einsum': 'numpy.einsum(optimize=True)' } },
    tests: { severity: 'information' },
  });
  assert.deepEqual(problems, []);
  assert.deepEqual(settings, {
    enable: false,
    dimensions: bare({ batch: 64, N: 1024 }),
    minSpeedup: 1.5,
    optimizer: 'greedy',
    memoryLimit: 'max_input',
    severity: bare({ EIN001: 'error', 'fusable-chain': 'off' }),
    inlayHints: { enable: false },
    codeLens: 'all',
    measure: { maxMemoryMB: 512, runs: 3, executionProvider: 'cuda' },
    typescript: { einsumModules: ['my-tensors'] },
    dimensionRanges: {},
    python: { interpreter: '/env/bin/python', einsumFunctions: bare({ 'pyscf.lib.einsum': 'numpy.einsum(optimize=True)' }) },
    tests: { severity: 'information' },
  });
  assert.equal(severityOverride(settings, 'EIN001', 'wasted-flops'), 'error');
  assert.equal(severityOverride(settings, 'EIN003', 'fusable-chain'), 'off');
  assert.equal(severityOverride(settings, 'EIN002', 'shape-mismatch'), undefined);
});

test('each bad value is named, replaced by its default, and the rest is kept', () => {
  const { settings, problems } = parseSettings({
    enable: 'yes',
    dimensions: { batch: 64, N: -3, M: 2.5, K: 'big', nocc: '2..50', nvir: '10..5' },
    minSpeedup: 0.5,
    optimizer: 'fastest',
    memoryLimit: -1,
    severity: { EIN001: 'loud', 'not a rule!': 'error', EIN002: 'hint' },
    inlayHints: { enable: 1 },
    codeLens: 'some',
    measure: { maxMemoryMB: 'lots', runs: 0, executionProvider: 'tpu' },
    typescript: { einsumModules: 'tfjs' },
    python: { einsumFunctions: { 'my.einsum': 'numpy.nothing' } },
    tests: { severity: 'quiet' },
  });
  assert.deepEqual(settings, {
    ...DEFAULT_SETTINGS,
    dimensions: bare({ batch: 64 }),
    dimensionRanges: bare({ nocc: { min: 2, max: 50 } }),
    severity: bare({ EIN002: 'hint' }),
    python: { interpreter: '', einsumFunctions: bare({}) },
  });
  assert.deepEqual(problems, [
    'einsight.enable must be true or false (got "yes"); using true',
    'einsight.dimensions.N must be a positive integer or a range "MIN..MAX" (got -3); ignoring it',
    'einsight.dimensions.M must be a positive integer or a range "MIN..MAX" (got 2.5); ignoring it',
    'einsight.dimensions.K must be a positive integer or a range "MIN..MAX" (got "big"); ignoring it',
    'einsight.dimensions.nvir must be a positive integer or a range "MIN..MAX" (got "10..5"); ignoring it',
    'einsight.minSpeedup must be a number ≥ 1 (got 0.5); using 2',
    'einsight.optimizer must be one of optimal, dp, branch-all, branch-2, branch-1, greedy, random-greedy, auto, auto-hq (got "fastest"); using "auto-hq"',
    'einsight.memoryLimit must be "none", "max_input" or a number of elements ≥ 1 (got -1); using null',
    'einsight.severity.EIN001 must be one of error, warning, information, hint, off (got "loud"); ignoring it',
    "einsight.severity: 'not a rule!' is neither a code like EIN001 nor a rule name; ignoring it",
    'einsight.inlayHints.enable must be true or false (got 1); using true',
    'einsight.codeLens must be one of findings, all, off (got "some"); using "findings"',
    'einsight.measure.maxMemoryMB must be a number of megabytes ≥ 1 (got "lots"); using 2048',
    'einsight.measure.runs must be a whole number from 1 to 1000 (got 0); using 10',
    'einsight.measure.executionProvider must be "cpu" or "cuda" (got "tpu"); using "cpu"',
    'einsight.typescript.einsumModules must be a list of module names (got "tfjs"); using []',
    "einsight.python.einsum-functions.my.einsum: 'numpy.nothing' is not an einsum einsight knows (numpy.einsum, torch.einsum, opt_einsum.contract, ...); ignoring it",
    'einsight.tests.severity must be one of error, warning, information, hint, off (got "quiet"); using "hint"',
  ]);
});

test('memoryLimit as the settings UI writes it (a string) or as JSON does (a number)', () => {
  const limit = (value: unknown) => parseSettings({ memoryLimit: value });
  assert.equal(limit('none').settings.memoryLimit, null);
  assert.equal(limit('max_input').settings.memoryLimit, 'max_input');
  assert.equal(limit('100000000').settings.memoryLimit, 100_000_000);
  assert.equal(limit(5e6).settings.memoryLimit, 5e6);
  assert.deepEqual(limit('lots').problems, ['einsight.memoryLimit must be "none", "max_input" or a number of elements ≥ 1 (got "lots"); using null']);
});

test('the manifest offers each rule code in the severity editor, and describes each optimizer', () => {
  const manifest = JSON.parse(readFileSync(path.resolve(__dirname, '../../../package.json'), 'utf8'));
  const properties = manifest.contributes.configuration.properties;
  assert.deepEqual(Object.keys(properties['einsight.severity'].properties), ['EIN001', 'EIN002', 'EIN003', 'EIN004', 'EIN005', 'EIN006', 'EIN007', 'EIN008', 'EIN009']);
  assert.equal(properties['einsight.optimizer'].enumDescriptions.length, properties['einsight.optimizer'].enum.length);
  for (const [key, schema] of Object.entries<Record<string, unknown>>(properties)) {
    assert.ok(schema.description || schema.markdownDescription, `${key} has a description`);
    // The settings UI edits strings, numbers, booleans, enums and flat objects; not anyOf or type lists.
    assert.ok(!schema.anyOf && !Array.isArray(schema.type), `${key} is editable in the settings UI`);
  }
});

test('a section that is not an object is rejected whole', () => {
  assert.deepEqual(parseSettings([1, 2]), { settings: DEFAULT_SETTINGS, problems: ['einsight settings must be an object; using the defaults'] });
  assert.deepEqual(parseSettings({ dimensions: [64] }).problems, ['einsight.dimensions must be an object of name → size (got [64]); ignoring it']);
});

test('the extension manifest declares every setting with the server defaults', () => {
  const manifest = JSON.parse(readFileSync(path.resolve(__dirname, '../../../package.json'), 'utf8'));
  const properties: Record<string, { default: unknown }> = manifest.contributes.configuration.properties;
  const defaults: Record<string, unknown> = {
    'einsight.enable': DEFAULT_SETTINGS.enable,
    'einsight.dimensions': DEFAULT_SETTINGS.dimensions,
    'einsight.minSpeedup': DEFAULT_SETTINGS.minSpeedup,
    'einsight.optimizer': DEFAULT_SETTINGS.optimizer,
    'einsight.severity': DEFAULT_SETTINGS.severity,
    'einsight.inlayHints.enable': DEFAULT_SETTINGS.inlayHints.enable,
    'einsight.codeLens': DEFAULT_SETTINGS.codeLens,
    'einsight.measure.maxMemoryMB': DEFAULT_SETTINGS.measure.maxMemoryMB,
    'einsight.measure.runs': DEFAULT_SETTINGS.measure.runs,
    'einsight.measure.executionProvider': DEFAULT_SETTINGS.measure.executionProvider,
    'einsight.typescript.einsumModules': DEFAULT_SETTINGS.typescript.einsumModules,
    'einsight.python.interpreter': DEFAULT_SETTINGS.python.interpreter,
    'einsight.python.einsumFunctions': DEFAULT_SETTINGS.python.einsumFunctions,
    'einsight.tests.severity': DEFAULT_SETTINGS.tests.severity,
    // Read by the client's measure command only (client/src/measure), not by the server.
    'einsight.measure.python': '',
    'einsight.measure.timeBudget': 1,
    'einsight.measure.timeout': 60,
    'einsight.measure.dtype': 'default',
  };
  assert.deepEqual(Object.keys(properties).sort(), [...Object.keys(defaults), 'einsight.memoryLimit'].sort());
  // memoryLimit is a string in the settings UI: its default reads as the server's.
  assert.equal(parseSettings({ memoryLimit: properties['einsight.memoryLimit'].default }).settings.memoryLimit, DEFAULT_SETTINGS.memoryLimit);
  for (const [key, value] of Object.entries(defaults)) assert.deepEqual(properties[key].default, value, key);
  // Every default must itself be accepted by the server.
  assert.deepEqual(parseSettings({ optimizer: properties['einsight.optimizer'].default }).problems, []);
});

describe('one settings shape, { "einsight": { ... } }, however the client gives it', () => {
  const source = (pulled: unknown, initialization: unknown, canPull = true) => {
    const logs: string[] = [];
    const settings = new SettingsSource({ pull: async () => pulled, warn: () => undefined, log: (m) => logs.push(m) }, canPull, initialization);
    return { settings, logs };
  };

  it('pulled: the client answers for the einsight section, or with the whole object', async () => {
    assert.equal((await source({ minSpeedup: 3 }, undefined).settings.for('file:///a.py')).minSpeedup, 3);
    assert.equal((await source({ einsight: { minSpeedup: 4 } }, undefined).settings.for('file:///a.py')).minSpeedup, 4);
  });

  it('a client that can be asked but has no section keeps what initializationOptions said', async () => {
    assert.equal((await source(null, { minSpeedup: 5 }).settings.for('file:///a.py')).minSpeedup, 5);
    assert.equal((await source(undefined, { minSpeedup: 5 }).settings.for('file:///a.py')).minSpeedup, 5);
  });

  it('pushed: initializationOptions, then each didChangeConfiguration', async () => {
    const { settings } = source(undefined, { codeLens: 'all' }, false);
    assert.equal((await settings.for('file:///a.py')).codeLens, 'all');
    settings.changed({ codeLens: 'off' });
    assert.equal((await settings.for('file:///a.py')).codeLens, 'off');
  });

  it('the log names the settings that differ from the defaults, once per change', async () => {
    const { settings, logs } = source({ minSpeedup: 3 }, undefined);
    await settings.for('file:///a.py');
    await settings.for('file:///b.py');
    assert.deepEqual(logs, ['einsight: settings (asked of the client) for file:///a.py: {"minSpeedup":3}']);
  });
});
