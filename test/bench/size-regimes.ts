/**
 * `npm run bench:size-regimes`: every cost claim and every offered fix must hold at every size
 * the code allows. 50 seeded contractions with symbolic sizes (numpy's plain loop, torch left
 * to right, numpy's run-time search, matrix chains, chains of einsums) are analysed as Python
 * sources; then for 1,000 sampled size assignments each (every size ≥ 1, sizes of 1 often,
 * up to 512), the claims ("fewer at every size", "fewer when nvir > nocc", the minimum speedup
 * "when N ≥ 2") and the fixes (the fixed path, the fused chain, the size-adaptive search) are
 * checked against what the library really runs at those sizes. A second pass gives every size
 * the range 2..64 and samples inside it. Prints counts by operand count and the violations
 * (the target is 0); asserts nothing.
 */
import type { Contraction } from 'einsight-server/core/contraction';
import { costOfPath, naiveCost, toPathProblem } from 'einsight-server/core/cost';
import { optimizePath } from 'einsight-server/core/paths/index';
import { seededRandom } from 'einsight-server/core/random';
import { baselineCost, baselineEnvironment, baselineSpec } from 'einsight-server/analysis/baseline';
import type { AnalysisOptions, ContractionSite, FileAnalysis, Finding } from 'einsight-server/analysis/model';
import { allQuickFixes, analyze, tagOf } from '../support/rewrite-harness';

const CONTRACTIONS = 50;
const SAMPLES = 1000;
const random = seededRandom(20260512);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];

type Kind = 'numpy loop' | 'torch left to right' | 'numpy search' | 'matrix chain' | 'einsum chain';
const KINDS: Kind[] = [
  ...Array<Kind>(20).fill('numpy loop'),
  ...Array<Kind>(10).fill('torch left to right'),
  ...Array<Kind>(8).fill('numpy search'),
  ...Array<Kind>(6).fill('matrix chain'),
  ...Array<Kind>(6).fill('einsum chain'),
];

interface Case {
  kind: Kind;
  source: string;
  operands: number;
}

/** A size: symbolic (named after its label) four times in five, else a small constant. */
function sizeOf(label: string): string {
  return random() < 0.8 ? label : String(pick([2, 3, 8, 16, 32]));
}

function randomTerms(count: number): { terms: string[]; output: string } {
  const pool = 'ijklmnpq'.slice(0, 3 + Math.floor(random() * 5));
  const terms: string[] = [];
  for (let k = 0; k < count; k++) {
    const size = 2 + Math.floor(random() * 2);
    let term = '';
    while (term.length < size) {
      const label = pick([...pool]);
      if (!term.includes(label)) term += label;
    }
    terms.push(term);
  }
  const counts = new Map<string, number>();
  for (const label of terms.join('')) counts.set(label, (counts.get(label) ?? 0) + 1);
  const output = [...counts].filter(([, n]) => n === 1 || random() < 0.15).map(([l]) => l).join('');
  return { terms, output };
}

function hint(names: string[], terms: string[], sizes: Map<string, string>): string {
  return `# einsight: ${names.map((name, k) => `${name}[${[...terms[k]].map((l) => sizes.get(l)).join(', ')}]`).join(' ')}`;
}

function generate(kind: Kind): Case {
  const sizes = new Map<string, string>();
  const sized = (labels: string) => [...labels].forEach((l) => sizes.has(l) || sizes.set(l, sizeOf(l)));
  if (kind === 'matrix chain') {
    const count = 3 + Math.floor(random() * 2);
    const dims = [...'ijklm'].slice(0, count + 1);
    dims.forEach((d) => sized(d));
    const terms = Array.from({ length: count }, (_, k) => dims[k] + dims[k + 1]);
    const names = terms.map((_, k) => `m${k}`);
    return { kind, operands: count, source: `import numpy as np\n${hint(names, terms, sizes)}\nr = ${names.join(' @ ')}\n` };
  }
  if (kind === 'einsum chain') {
    const first = randomTerms(2 + Math.floor(random() * 2));
    const inner = first.output || first.terms[0];
    const extra = randomTerms(1).terms[0];
    const terms = [...first.terms, extra];
    sized(terms.join('') + inner);
    const names = terms.map((_, k) => `a${k}`);
    const producer = `h = np.einsum('${first.terms.join(',')}->${inner}', ${names.slice(0, -1).join(', ')})`;
    const counts = new Map<string, number>();
    for (const l of inner + extra) counts.set(l, (counts.get(l) ?? 0) + 1);
    const out = [...counts].filter(([, n]) => n === 1).map(([l]) => l).join('');
    const consumer = `r = np.einsum('${inner},${extra}->${out}', h, ${names[names.length - 1]})`;
    return { kind, operands: terms.length, source: `import numpy as np\n${hint(names, terms, sizes)}\n${producer}\n${consumer}\n` };
  }
  const count = 3 + Math.floor(random() * 3);
  const { terms, output } = randomTerms(count);
  sized(terms.join(''));
  const names = terms.map((_, k) => `a${k}`);
  const equation = `${terms.join(',')}->${output}`;
  const call =
    kind === 'torch left to right'
      ? `torch.einsum('${equation}', ${names.join(', ')})`
      : `np.einsum('${equation}', ${names.join(', ')}${kind === 'numpy search' ? ', optimize=True' : ''})`;
  const module = kind === 'torch left to right' ? 'import torch' : 'import numpy as np';
  return { kind, operands: count, source: `${module}\n${hint(names, terms, sizes)}\nr = ${call}\n` };
}

/** A size assignment: 1 one time in six (degenerate sizes break naive claims), else log-uniform up to 512. */
function sample(symbols: string[], range: { min: number; max: number } | null): Map<string, number> {
  const values = new Map<string, number>();
  for (const symbol of symbols) {
    if (range) values.set(symbol, range.min + Math.floor(random() * (range.max - range.min + 1)));
    else values.set(symbol, random() < 1 / 6 ? 1 : Math.max(1, Math.round(Math.exp(random() * Math.log(512)))));
  }
  return values;
}

function at(c: Contraction, values: Map<string, number>): Contraction {
  return { ...c, sizes: c.sizes.map((s) => (s.symbol === null ? s : { value: values.get(s.symbol)!, symbol: null })) };
}

/** What the library runs at these sizes: its own path search simulated there. */
function libraryCost(site: ContractionSite, c: Contraction, options: AnalysisOptions): bigint {
  return baselineCost(c, baselineSpec(site, c.inputs.length, baselineEnvironment(options, false)), false).flops;
}

/** "nvir > nocc", "2·a·b > 3·c", "N ≥ 6", "N ≤ 9", "j, l ≥ 2", evaluated exactly. */
function holds(condition: string, values: Map<string, number>): boolean {
  const side = (text: string) =>
    text.split('·').reduce((product, factor) => {
      const [base, exponent] = factor.split('^');
      const value = /^\d+$/.test(base) ? BigInt(base) : BigInt(values.get(base)!);
      return product * value ** BigInt(exponent ?? 1);
    }, 1n);
  const threshold = /^(.+) ([≥≤]) (\d+)$/.exec(condition);
  if (threshold) {
    const bound = BigInt(threshold[3]);
    return threshold[1].split(', ').every((name) => (threshold[2] === '≥' ? BigInt(values.get(name)!) >= bound : BigInt(values.get(name)!) <= bound));
  }
  const [left, right] = condition.split(' > ');
  return side(left) > side(right);
}

interface Tally {
  contractions: number;
  findings: number;
  conditional: number;
  fixes: number;
  checks: number;
  violations: string[];
}

function symbolsOf(...cs: Contraction[]): string[] {
  return [...new Set(cs.flatMap((c) => c.sizes.map((s) => s.symbol).filter((s): s is string => s !== null)))];
}

function checkSite(site: ContractionSite, finding: Finding, tags: string[], options: AnalysisOptions, range: { min: number; max: number } | null, tally: Tally, label: string): void {
  const c = site.contraction!;
  const minSpeedup = options.minSpeedup ?? 2;
  for (let s = 0; s < SAMPLES; s++) {
    const values = sample(symbolsOf(c), range);
    const concrete = at(c, values);
    const library = libraryCost(site, concrete, options);
    const best = costOfPath(concrete, site.best!.path).flops;
    tally.checks++;
    const where = `${label} at ${JSON.stringify(Object.fromEntries(values))}`;
    const applies = finding.condition ? holds(finding.condition, values) : true;
    if (applies && !(best < library || (finding.condition === null && best <= library))) {
      tally.violations.push(`${where}: claims ${finding.message}, but ${best} ≥ ${library}`);
    }
    const speedupWhen = / \(([\d.]+)× fewer or better when (.+)\)$/.exec(finding.message);
    if (speedupWhen && holds(speedupWhen[2], values) && Number(library) < minSpeedup * Number(best)) {
      tally.violations.push(`${where}: claims ${speedupWhen[1]}× when ${speedupWhen[2]}, but ${library} / ${best}`);
    }
    for (const tag of tags) {
      tally.checks++;
      let fixed: bigint;
      if (tag === 'adaptive') {
        // The library's own search at run time, once per shape; numpy's plain loop kept where it is cheaper.
        const greedy = costOfPath(concrete, optimizePath(toPathProblem(concrete), { optimizer: 'greedy' }).path).flops;
        fixed = site.baseline!.method === 'naive' ? (greedy < naiveCost(concrete).flops ? greedy : naiveCost(concrete).flops) : library;
      } else fixed = best;
      if (fixed > library) tally.violations.push(`${where}: the ${tag} fix costs ${fixed}, more than the ${library} of the code as written`);
    }
  }
}

function checkChain(analysis: FileAnalysis, finding: Finding, tags: string[], options: AnalysisOptions, range: { min: number; max: number } | null, tally: Tally, label: string): void {
  const chain = analysis.chains.find((c) => c.id === finding.chain)!;
  const members = chain.members.map((id) => analysis.sites.find((s) => s.id === id)!);
  for (let s = 0; s < SAMPLES; s++) {
    const values = sample(symbolsOf(chain.fused!.contraction, ...members.map((m) => m.contraction!)), range);
    const fused = costOfPath(at(chain.fused!.contraction, values), chain.best!.path).flops;
    const ownBest = members.reduce((sum, m) => sum + costOfPath(at(m.contraction!, values), m.best!.path).flops, 0n);
    const written = members.reduce((sum, m) => sum + libraryCost(m, at(m.contraction!, values), options), 0n);
    tally.checks += 1 + tags.length;
    const where = `${label} at ${JSON.stringify(Object.fromEntries(values))}`;
    const applies = finding.condition ? holds(finding.condition, values) : true;
    if (applies && !(fused < ownBest || (finding.condition === null && fused <= ownBest))) tally.violations.push(`${where}: claims ${finding.message}, but ${fused} ≥ ${ownBest}`);
    if (tags.includes('fuse') && fused > written) tally.violations.push(`${where}: the fused chain costs ${fused}, more than ${written} as written`);
  }
}

async function run(cases: Case[], options: AnalysisOptions, range: { min: number; max: number } | null): Promise<Map<number, Tally>> {
  const byOperands = new Map<number, Tally>();
  for (const [index, c] of cases.entries()) {
    const tally = byOperands.get(c.operands) ?? { contractions: 0, findings: 0, conditional: 0, fixes: 0, checks: 0, violations: [] };
    byOperands.set(c.operands, tally);
    tally.contractions++;
    const analysis = await analyze(c.source, options);
    const fixes = allQuickFixes(analysis, c.source);
    for (const finding of analysis.findings.filter((f) => ['EIN001', 'EIN004', 'EIN006'].includes(f.code))) {
      tally.findings++;
      if (finding.condition) tally.conditional++;
      const tags = fixes.filter((f) => f.code === finding.code).map(tagOf);
      tally.fixes += tags.length;
      const label = `#${index} ${c.kind} ${finding.code}`;
      if (finding.code === 'EIN004') checkChain(analysis, finding, tags, options, range, tally, label);
      else checkSite(analysis.sites.find((s) => s.id === finding.site)!, finding, tags, options, range, tally, label);
    }
  }
  return byOperands;
}

function print(title: string, byOperands: Map<number, Tally>): number {
  console.log(`\n${title}`);
  console.log('operands  contractions  claims  conditional  fixes offered  checks   violations');
  let violations = 0;
  for (const [operands, t] of [...byOperands].sort(([a], [b]) => a - b)) {
    console.log(`${String(operands).padStart(8)}  ${String(t.contractions).padStart(12)}  ${String(t.findings).padStart(6)}  ${String(t.conditional).padStart(11)}  ${String(t.fixes).padStart(13)}  ${String(t.checks).padStart(7)}  ${String(t.violations.length).padStart(11)}`);
    violations += t.violations.length;
    for (const v of t.violations.slice(0, 5)) console.log(`    ${v}`);
  }
  return violations;
}

async function main(): Promise<void> {
  const cases = KINDS.slice(0, CONTRACTIONS).map(generate);
  const started = performance.now();
  const free = await run(cases, {}, null);
  const ranged = await run(cases, { dimRanges: Object.fromEntries('ijklmnpq'.split('').map((l) => [l, { min: 2, max: 64 }])) }, { min: 2, max: 64 });
  console.log(`Size regimes: ${cases.length} contractions with symbolic sizes × ${SAMPLES} sampled size assignments (seeded)`);
  const total = print('Every size ≥ 1 (1 one time in six, else log-uniform up to 512)', free) + print('Every size in 2..64 (--dims i=2..64,...)', ranged);
  console.log(`\nviolations: ${total} (target 0); ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
