/**
 * The standalone benchmark a tfjs site runs with Node: it loads the tfjs the workspace has
 * (`@tensorflow/tfjs-node` when installed, else `@tensorflow/tfjs`, resolved from the file's
 * folder), builds seeded inputs, compares the forms, times them in turns — the same protocol and
 * the same rules as python-script.ts. The generated functions keep the file's TypeScript and are
 * transpiled with the script.
 */
import ts from 'typescript';
import type { NativeProgramParts } from './program';
import type { ScriptSettings } from './python-script';

export function tfjsScript(program: NativeProgramParts, module: { path: string; name: string }, settings: ScriptSettings): string {
  const names = program.inputs.map((i) => i.name);
  const constants = [
    `const _EIN_TFJS = ${JSON.stringify(module.path)};`,
    `const _EIN_TFJS_NAME = ${JSON.stringify(module.name)};`,
    `const _EIN_SEED = ${settings.seed};`,
    `const _EIN_WARMUP = ${Math.max(1, settings.warmup)};`,
    `const _EIN_MIN_RUNS = ${settings.minRuns};`,
    `const _EIN_MAX_RUNS = ${settings.maxRuns};`,
    `const _EIN_BUDGET_MS = ${settings.budgetMs};`,
    `const _EIN_SHAPES = ${JSON.stringify(program.inputs.map((i) => i.shape))};`,
    `const _EIN_CAP_MB = ${settings.capMB === null ? 'null' : settings.capMB};`,
  ];
  const source = [
    '// einsight measure: a generated benchmark. It loads tfjs only and writes no file.',
    PRELUDE.trim(),
    ...constants,
    'let _ein_tfjs;',
    'try {',
    '  _ein_tfjs = require(_EIN_TFJS);',
    '} catch (error) {',
    '  _ein_fail("library", _EIN_TFJS_NAME + ": " + (error && error.message ? error.message.split("\\n")[0] : String(error)));',
    '}',
    ...program.imports,
    program.asWritten,
    program.rewritten ?? '',
    `const _ein_base_rss = process.memoryUsage.rss() / 2 ** 20;`,
    `let _ein_inputs;`,
    `try { _ein_inputs = _EIN_SHAPES.map((shape, k) => _ein_tfjs.randomUniform(shape, -1, 1, "float32", _EIN_SEED * 1000003 + k)); }`,
    `catch (error) { _ein_failed(error, null); }`,
    `const [${names.join(', ')}] = _ein_inputs;`,
    ...program.setup,
    `const _ein_forms = [["as-written", () => _ein_as_written(${names.join(', ')})]${program.rewritten ? `, ["rewritten", () => _ein_rewritten(${names.join(', ')})]` : ''}];`,
    `_ein_tfjs.ready().then(() => { _ein_ready(); _ein_run(_ein_forms); }).catch((error) => _ein_failed(error, null));`,
    MAIN.trim(),
    '',
  ].join('\n');
  return ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020 } }).outputText;
}

const PRELUDE = String.raw`
"use strict";
const { Worker } = require("node:worker_threads");
// Ends this process when the one measuring it is gone, even inside a long synchronous run.
new Worker("const { workerData } = require('node:worker_threads'); setInterval(() => { if (process.ppid !== workerData) process.kill(process.pid, 'SIGKILL'); }, 250);", { eval: true, workerData: process.ppid }).unref();
function _ein_send(kind, value) {
  process.stdout.write(JSON.stringify({ [kind]: value }) + "\n");
}
function _ein_fail(code, message, form) {
  _ein_send("error", { code, message, form: form === undefined ? null : form });
  process.exit(0);
}
function _ein_out_of_memory(error) {
  return /out of memory|allocation failed|failed to allocate|Array buffer allocation/i.test(String(error && error.message));
}
function _ein_failed(error, form) {
  const message = (error && error.name ? error.name + ": " : "") + String(error && error.message ? error.message : error).trim().split("\n").pop();
  _ein_fail(_ein_out_of_memory(error) ? "memory" : "runtime", message, form);
}
function _ein_rss_mb() {
  return process.resourceUsage().maxRSS / 1024;
}
`;

const MAIN = String.raw`
function _ein_ready() {
  const backend = _ein_tfjs.getBackend();
  const gpu = /gpu/.test(_EIN_TFJS_NAME);
  _ein_send("ready", {
    runtimeVersion: process.versions.node,
    executable: process.execPath,
    library: { name: _EIN_TFJS_NAME, version: _ein_tfjs.version.tfjs, backend },
    device: { kind: gpu ? "gpu" : "cpu", name: backend, message: null },
    dtype: "float32",
    capMB: _EIN_CAP_MB,
    baseRssMB: _ein_base_rss,
  });
}

function _ein_call(name, fn) {
  try {
    const started = performance.now();
    const result = _ein_tfjs.tidy(fn);
    const data = result.dataSync();
    return [performance.now() - started, result, data];
  } catch (error) {
    _ein_failed(error, name);
  }
}

function _ein_run(forms) {
  const errors = {};
  // tfjs may refuse the call as written (the finding may be just that): reported, and the
  // rewritten form is still timed.
  if (forms.length > 1) {
    try {
      _ein_tfjs.dispose(_ein_tfjs.tidy(forms[0][1]));
    } catch (error) {
      if (_ein_out_of_memory(error)) _ein_failed(error, "as-written");
      errors["as-written"] = (error.name ? error.name + ": " : "") + String(error.message).trim().split("\n").pop();
      forms = forms.slice(1);
    }
  }
  const first = {};
  for (let round = 0; round < _EIN_WARMUP; round++) {
    for (const [name, fn] of forms) {
      _ein_send("progress", { form: name, phase: "warmup", index: round });
      const [, result, data] = _ein_call(name, fn);
      if (round === 0) first[name] = { outputShape: result.shape, outputDtype: result.dtype, data: Float64Array.from(data) };
      result.dispose();
    }
  }
  let agreement = null;
  if (first["as-written"] && first["rewritten"]) {
    const a = first["as-written"].data;
    const b = first["rewritten"].data;
    const sameShape = first["as-written"].outputShape.join() === first["rewritten"].outputShape.join();
    let maxAbs = 0, maxAbsDiff = 0, nonFinite = false;
    for (let i = 0; i < a.length; i++) {
      if (!Number.isFinite(a[i]) || !Number.isFinite(b[i])) nonFinite = true;
      maxAbs = Math.max(maxAbs, Math.abs(a[i]));
      if (sameShape) maxAbsDiff = Math.max(maxAbsDiff, Math.abs(a[i] - b[i]));
    }
    agreement = { sameShape, maxAbs, maxAbsDiff: sameShape ? maxAbsDiff : null, nonFinite };
  }
  const samples = Object.fromEntries(forms.map(([name]) => [name, []]));
  const started = performance.now();
  let lastProgress = -Infinity;
  for (;;) {
    for (const [name, fn] of forms) {
      const now = performance.now();
      const done = samples[name];
      if (now - lastProgress > 100 || (done.length > 0 && done[done.length - 1] > 20)) {
        _ein_send("progress", { form: name, phase: "run", index: done.length, elapsedMs: now - started });
        lastProgress = now;
      }
      const [ms, result] = _ein_call(name, fn);
      result.dispose();
      done.push(ms);
    }
    const runs = samples[forms[0][0]].length;
    if (runs >= _EIN_MAX_RUNS || (runs >= _EIN_MIN_RUNS && performance.now() - started >= _EIN_BUDGET_MS)) break;
  }
  const failed = Object.entries(errors).map(([form, error]) => ({ form, error, samplesMs: [], outputShape: [], outputDtype: "", probe: null }));
  const measured = forms.map(([name]) => ({ form: name, error: null, samplesMs: samples[name], outputShape: first[name].outputShape, outputDtype: first[name].outputDtype, probe: null }));
  _ein_send("result", { forms: failed.concat(measured), agreement, peakRssMB: _ein_rss_mb() });
}
`;
