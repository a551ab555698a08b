/**
 * `npm run bench:record-truth`: the runtime-truth modules of the shapes benchmark
 * (test/fixtures/shapes-truth/, with the shapes its own script recorded in truth.json), each
 * run through `einsight record`, then `einsight check --format json` over them with the
 * recordings. Per module and in total: executed sites, sites found, sites priced (a FLOP
 * count at every shape that ran), kept shapes that match the truth, and wrong dimensions
 * (a number where every execution had another, or where the size varies). Targets: every
 * executed site priced, 0 wrong dimensions.
 *
 * Usage: node test/out/bench/record-truth.js [FOLDER] (default test/fixtures/shapes-truth).
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runBin } from '../support/cli';
import { findPython } from '../support/python-runner';
import { loadTruth, TRUTH_FOLDER, type Shape, type TruthSite } from '../support/shape-truth';

interface CheckedSite {
  file: string;
  line: number;
  column: number;
  shapes: ((number | string | null)[] | null)[];
  baseline: { flops: number | null } | null;
  observed: { shapes: { shapes: Shape[]; baselineFlops: number | null }[]; otherCalls: number } | null;
}

interface Score {
  module: string;
  executed: number;
  found: number;
  priced: number;
  recordedRight: number;
  wrongDims: number;
  varyingDims: number;
}

const FOLDER = resolve(process.argv[2] ?? TRUTH_FOLDER);

function score(module: string): Score {
  return { module, executed: 0, found: 0, priced: 0, recordedRight: 0, wrongDims: 0, varyingDims: 0 };
}

/** Each module run as a script through `einsight record`, in a copy of the folder made a project. */
function recordAll(project: string, python: string, modules: string[]): string[] {
  const failed: string[] = [];
  for (const module of modules) {
    const run = runBin(['record', '--python', python, '--', python, module], { cwd: project });
    if (run.code !== 0) failed.push(`${module} (exit ${run.code}): ${run.stderr.trim().split('\n').pop() ?? ''}`);
  }
  return failed;
}

const key = (shapes: Shape[]) => JSON.stringify(shapes);

/** Adds one executed site's outcome to its module's score; returns what was wrong, if anything. */
function scoreSite(truth: TruthSite, site: CheckedSite | undefined, s: Score): string[] {
  s.executed++;
  const place = `${truth.file}:${truth.line}:${truth.column}`;
  if (!site) return [`${place}: not found`];
  s.found++;
  const problems: string[] = [];
  const recorded = site.observed?.shapes ?? [];
  const truthKeys = new Set(truth.shapes.map(key));
  // Priced at every shape that ran, not just at some of them.
  const pricedKeys = new Set(recorded.filter((v) => v.baselineFlops !== null).map((v) => key(v.shapes)));
  const priced = site.observed ? [...truthKeys].every((k) => pricedKeys.has(k)) : site.baseline?.flops != null;
  if (priced) s.priced++;
  else problems.push(`${place}: not priced at every shape that ran`);
  if (recorded.length === truthKeys.size && recorded.every((v) => truthKeys.has(key(v.shapes)))) s.recordedRight++;
  else problems.push(`${place}: recorded ${recorded.map((v) => key(v.shapes)).join(' ')}; ran ${[...truthKeys].join(' ')}`);
  truth.shapes[0]?.forEach((_, k) => {
    const runs = truth.shapes.map((tuple) => tuple[k]);
    const claimed = site.shapes[k];
    if (!claimed || runs.some((r) => r === null || r.length !== claimed.length)) return;
    claimed.forEach((dim, axis) => {
      const sizes = new Set(runs.map((r) => r![axis]));
      if (sizes.size > 1) s.varyingDims++;
      if (typeof dim !== 'number') return;
      if (sizes.size > 1 || !sizes.has(dim)) {
        s.wrongDims++;
        problems.push(`${place} operand ${k} axis ${axis}: ${dim} claimed, ${[...sizes].join('/')} ran`);
      }
    });
  });
  return problems;
}

function row(s: Score): string {
  return `| ${s.module} | ${s.executed} | ${s.found} | ${s.priced} | ${s.recordedRight} | ${s.wrongDims} | ${s.varyingDims} |`;
}

function main(): number {
  if (!existsSync(join(FOLDER, 'truth.json'))) {
    console.log(`bench:record-truth: no ${FOLDER}/truth.json (the shapes benchmark's modules); nothing to measure`);
    return 0;
  }
  const python = findPython(['numpy', 'torch']);
  if (!python) {
    console.log('bench:record-truth: no Python with numpy and torch; nothing to measure');
    return 0;
  }
  const truth = loadTruth(FOLDER);
  const project = mkdtempSync(join(tmpdir(), 'einsight-record-truth-'));
  try {
    cpSync(FOLDER, project, { recursive: true });
    writeFileSync(join(project, 'pyproject.toml'), '[project]\nname = "shapes-truth"\n');
    const modules = readdirSync(project).filter((name) => name.endsWith('.py')).sort();
    const started = performance.now();
    const failed = recordAll(project, python, modules);
    const recordMs = performance.now() - started;
    const check = runBin(['check', '.', '--format', 'json'], { cwd: project });
    const sites = (JSON.parse(check.stdout) as { sites: CheckedSite[] }).sites;
    const byPlace = new Map(sites.map((site) => [`${site.file.replace(/^\.\//, '')}:${site.line}:${site.column}`, site]));
    const scores = new Map<string, Score>();
    const problems: string[] = [];
    for (const site of truth.sites) {
      const s = scores.get(site.file) ?? score(site.file);
      scores.set(site.file, s);
      problems.push(...scoreSite(site, byPlace.get(`${site.file}:${site.line}:${site.column}`), s));
    }
    const total = score('**total**');
    console.log('| module | executed sites | found | priced | kept = truth | wrong dims | varying dims |');
    console.log('|---|---:|---:|---:|---:|---:|---:|');
    for (const s of [...scores.values()].sort((a, b) => a.module.localeCompare(b.module))) {
      console.log(row(s));
      for (const field of ['executed', 'found', 'priced', 'recordedRight', 'wrongDims', 'varyingDims'] as const) total[field] += s[field];
    }
    console.log(row(total));
    console.log('');
    console.log(`${modules.length} modules recorded in ${(recordMs / 1000).toFixed(1)} s (${python}); ${failed.length} exited with an error`);
    console.log(`priced: ${total.priced} of ${total.executed} executed sites (target: all); wrong dimensions: ${total.wrongDims} (target 0)`);
    for (const line of failed) console.log(`  FAILED ${line}`);
    for (const line of problems) console.log(`  ${line}`);
    return total.priced === total.executed && total.wrongDims === 0 ? 0 : 1;
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
}

process.exitCode = main();
