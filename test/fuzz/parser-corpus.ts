/**
 * `npm run parser:diff -- <dir>…`: the descent parser against tree-sitter on every `.py` file
 * under the folders given (a real-code corpus, run by hand): how many files it accepts, how
 * many it declines and why, and every file where its tree differs from tree-sitter's (there
 * must be none). Exits 1 on a difference.
 */
import { readFileSync } from 'node:fs';
import { compareParsers, treeSitterOnly } from '../support/parser-diff';
import { pythonFilesUnder } from '../support/parser-diff-files';

async function main(): Promise<void> {
  const dirs = process.argv.slice(2);
  if (dirs.length === 0) {
    console.error('usage: npm run parser:diff -- <dir>…');
    process.exitCode = 2;
    return;
  }
  const treeSitter = await treeSitterOnly();
  const counts = { files: 0, accepted: 0, declined: 0, mismatched: 0, treeSitterErrors: 0, refused: 0 };
  const reasons = new Map<string, number>();
  for (const file of dirs.flatMap(pythonFilesUnder)) {
    counts.files++;
    const text = readFileSync(file, 'utf8');
    const comparison = compareParsers(treeSitter, text);
    if (comparison.treeSitterErrors) counts.treeSitterErrors++;
    if (comparison.difference) {
      counts.mismatched++;
      console.log(`MISMATCH ${file}: ${comparison.difference}`);
    } else if (comparison.refused) {
      counts.refused++;
    } else if (comparison.declined) {
      counts.declined++;
      reasons.set(comparison.declined, (reasons.get(comparison.declined) ?? 0) + 1);
    } else {
      counts.accepted++;
    }
  }
  console.log(
    `${counts.files} files: ${counts.accepted} accepted, ${counts.declined} declined (${counts.treeSitterErrors} of them with tree-sitter syntax errors), ${counts.mismatched} mismatched, ${counts.refused} refused by both (too large or deep)`,
  );
  console.log('| files declined | reason |\n|---:|---|');
  for (const [reason, n] of [...reasons].sort((a, b) => b[1] - a[1])) console.log(`| ${n} | ${reason} |`);
  if (counts.mismatched > 0) process.exitCode = 1;
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
