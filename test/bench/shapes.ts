/**
 * `npm run bench:shapes`: the shape analysis against the truth recorded by running the modules
 * of test/fixtures/shapes-truth/ (see test/support/shape-truth.ts). Prints, per module and in
 * total: einsum sites, dimensions known and right (recall), wrong dimensions, sizes that vary
 * between executions, and false EIN003 errors. Targets: 0 wrong, 0 false errors, recall ≥ 80%.
 */
import { compareWithTruth, recall, type ModuleScore } from '../support/shape-truth';

function row(score: ModuleScore): string {
  const percent = `${(100 * recall(score)).toFixed(1)}%`;
  return `| ${score.module} | ${score.sites} | ${score.dims} | ${score.right} | ${percent} | ${score.wrong} | ${score.varying} | ${score.falseErrors} |`;
}

async function run(): Promise<void> {
  const started = performance.now();
  const report = await compareWithTruth();
  const elapsed = performance.now() - started;
  console.log('| module | sites | dims | known and right | recall | wrong | varying | false EIN003 |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const module of report.modules) console.log(row(module));
  console.log(row(report.totals).replace('| total |', '| **total** |'));
  const t = report.totals;
  console.log('');
  console.log(`modules: ${report.modules.length}, einsum sites executed: ${t.sites}, not found by the analysis: ${report.missing.length}`);
  console.log(`dimensions: ${t.dims} fixed (+${t.varying} varying between executions)`);
  console.log(`known and right: ${t.right} (recall ${(100 * recall(t)).toFixed(1)}%; target ≥ 80%)`);
  console.log(`wrong: ${t.wrong} (target 0); false EIN003: ${t.falseErrors} (target 0)`);
  console.log(`einsight check over the folder: ${elapsed.toFixed(0)} ms`);
  for (const line of report.missing) console.log(`  missing site ${line}`);
  for (const line of report.wrong) console.log(`  WRONG ${line}`);
  for (const line of report.falseErrors) console.log(`  FALSE ERROR ${line}`);
  if (report.stale.length > 0) console.log(`  stale truth (re-run scripts/record-shape-truth.py): ${report.stale.join(', ')}`);
}

run().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
