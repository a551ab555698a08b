/**
 * `npm run bench:corpus`: `einsight check` over the real-code corpus (corpus/manifest.json,
 * extracted by `npm run corpus -- MIRROR_DIR` into .corpus/), per repository: files, sites,
 * sites priced (and with every size known), findings by code, time; then the hand review of
 * corpus/review.json matched against today's findings: verdicts, the wrong ones, and the
 * findings not reviewed yet or whose message changed since. Prints; asserts nothing.
 *
 * `-- --dump FILE` also writes every finding as JSON Lines with its source line, for reviewing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../support/oracle';

interface ManifestEntry {
  repo: string;
  commit: string;
  domain: string;
  /** Arguments a user of the project would give (its own einsum wrapper, declared). */
  check?: string[];
}

interface SiteJson {
  file: string;
  baseline: { flops: string | null } | null;
  dynamic: boolean;
}

interface FindingJson {
  file: string;
  /** The notebook cell, for notebooks. */
  cell?: number;
  line: number;
  column: number;
  code: string;
  severity: string;
  message: string;
}

type Verdict = 'useful' | 'noise' | 'wrong';

interface ReviewEntry {
  key: string;
  verdict: Verdict;
  /** The message reviewed: a different message today needs a new look. */
  message: string;
  note: string;
}

const CORPUS = join(REPO_ROOT, '.corpus');
const CODES = ['EIN001', 'EIN002', 'EIN003', 'EIN004', 'EIN005', 'EIN006', 'EIN007', 'EIN008', 'EIN009'];

function keyOf(f: FindingJson): string {
  return `${f.file}:${f.cell === undefined ? '' : `cell ${f.cell}:`}${f.line}:${f.column}:${f.code}`;
}

function pad(text: string | number, width: number): string {
  const s = String(text);
  return s.length >= width ? s : ' '.repeat(width - s.length) + s;
}

function main(): void {
  const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'corpus', 'manifest.json'), 'utf8')) as { repositories: ManifestEntry[] };
  const dumpAt = process.argv.indexOf('--dump');
  const dump = dumpAt > 0 ? process.argv[dumpAt + 1] : null;
  const present = manifest.repositories.filter((r) => existsSync(join(CORPUS, r.repo.replace('/', '+'), '.corpus-commit')));
  if (present.length === 0) {
    console.log('bench:corpus: no corpus extracted. Bring the repositories of corpus/manifest.json with the fetch tool, then: npm run corpus -- MIRROR_DIR');
    return;
  }
  console.log(`Real-code corpus: einsight check per repository (${present.length} of ${manifest.repositories.length} extracted)\n`);
  const header = `${'repository'.padEnd(28)}${pad('files', 7)}${pad('sites', 7)}${pad('priced', 8)}${pad('sized', 7)}${CODES.map((c) => pad(c.slice(3), 5)).join('')}${pad('s', 7)}`;
  console.log(header);
  const all: FindingJson[] = [];
  const totals = { files: 0, sites: 0, priced: 0, sized: 0, seconds: 0, codes: new Map<string, number>() };
  for (const { repo, check } of present) {
    const folder = repo.replace('/', '+');
    const started = performance.now();
    // The installed bin, as a user runs it; the JSON of a big repository runs to tens of megabytes.
    const bin = join(REPO_ROOT, 'server', 'bin', 'einsight.js');
    const child = spawnSync(process.execPath, [bin, 'check', folder, '--format', 'json', '--python', 'none', ...(check ?? [])], { cwd: CORPUS, encoding: 'utf8', maxBuffer: 1 << 30 });
    const result = { code: child.status ?? -1, stdout: child.stdout, stderr: child.stderr };
    const seconds = (performance.now() - started) / 1000;
    if (result.code !== 0 && result.code !== 1) {
      console.log(`${repo}: einsight check failed (exit ${result.code}): ${result.stderr.slice(0, 500)}`);
      continue;
    }
    const report = JSON.parse(result.stdout) as { files: number; sites: SiteJson[]; findings: FindingJson[] };
    const priced = report.sites.filter((s) => s.baseline !== null);
    const sized = priced.filter((s) => s.baseline!.flops !== null);
    const codes = new Map<string, number>();
    for (const f of report.findings) codes.set(f.code, (codes.get(f.code) ?? 0) + 1);
    all.push(...report.findings);
    totals.files += report.files;
    totals.sites += report.sites.length;
    totals.priced += priced.length;
    totals.sized += sized.length;
    totals.seconds += seconds;
    for (const [code, n] of codes) totals.codes.set(code, (totals.codes.get(code) ?? 0) + n);
    const row = CODES.map((c) => pad(codes.get(c) ?? 0, 5)).join('');
    console.log(`${repo.padEnd(28)}${pad(report.files, 7)}${pad(report.sites.length, 7)}${pad(priced.length, 8)}${pad(sized.length, 7)}${row}${pad(seconds.toFixed(1), 7)}`);
  }
  const row = CODES.map((c) => pad(totals.codes.get(c) ?? 0, 5)).join('');
  console.log(`${'total'.padEnd(28)}${pad(totals.files, 7)}${pad(totals.sites, 7)}${pad(totals.priced, 8)}${pad(totals.sized, 7)}${row}${pad(totals.seconds.toFixed(1), 7)}`);
  console.log(`\nfindings: ${all.length}; priced: baseline and best cost known; sized: every size known (the rest are symbolic)`);
  reportReview(all);
  if (dump) {
    writeFileSync(dump, all.map((f) => JSON.stringify({ key: keyOf(f), severity: f.severity, message: f.message, source: sourceLine(f) })).join('\n') + '\n');
    console.log(`\nfindings written to ${dump}`);
  }
}

function reportReview(findings: FindingJson[]): void {
  const path = join(REPO_ROOT, 'corpus', 'review.json');
  if (!existsSync(path)) return;
  const review = JSON.parse(readFileSync(path, 'utf8')) as { entries: ReviewEntry[] };
  const byKey = new Map(findings.map((f) => [keyOf(f), f]));
  const verdicts = new Map<Verdict, number>();
  const wrong: ReviewEntry[] = [];
  const changed: ReviewEntry[] = [];
  let gone = 0;
  for (const entry of review.entries) {
    const today = byKey.get(entry.key);
    if (!today) {
      gone++;
      continue;
    }
    if (today.message !== entry.message) {
      changed.push(entry);
      continue;
    }
    verdicts.set(entry.verdict, (verdicts.get(entry.verdict) ?? 0) + 1);
    if (entry.verdict === 'wrong') wrong.push(entry);
  }
  const reviewedKeys = new Set(review.entries.map((e) => e.key));
  const unreviewed = findings.filter((f) => !reviewedKeys.has(keyOf(f))).length;
  console.log(`\nHand review (corpus/review.json): ${review.entries.length} entries`);
  console.log(`  still reported, same message: useful ${verdicts.get('useful') ?? 0}, noise ${verdicts.get('noise') ?? 0}, wrong ${verdicts.get('wrong') ?? 0}`);
  console.log(`  message changed since review: ${changed.length}; no longer reported: ${gone}; findings never reviewed: ${unreviewed}`);
  for (const entry of wrong) console.log(`  WRONG ${entry.key}: ${entry.note}`);
}

function sourceLine(f: FindingJson): string {
  try {
    const text = readFileSync(join(CORPUS, f.file), 'utf8');
    if (f.cell === undefined) return text.split('\n')[f.line - 1]?.trim() ?? '';
    const cells = (JSON.parse(text) as { cells: { cell_type: string; source: string | string[] }[] }).cells;
    const source = cells[f.cell - 1]?.source ?? '';
    return (Array.isArray(source) ? source.join('') : source).split('\n')[f.line - 1]?.trim() ?? '';
  } catch {
    return '';
  }
}

main();
