/**
 * `npm run bench:dispatch`: how a pairwise numpy step should be spelled (plain `np.einsum`,
 * `optimize=True`, or the direct BLAS call the rewrite writes), timed by pairwise_dispatch.py
 * with every distinct numpy found here (`python3` on the PATH and Debian's `/usr/bin/python3`),
 * side by side.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const SCRIPT = path.resolve(__dirname, '../../../test/bench/pairwise_dispatch.py');
const quick = process.argv.includes('--quick');

const seen = new Set<string>();
for (const python of ['python3', '/usr/bin/python3']) {
  const version = spawnSync(python, ['-c', 'import numpy; print(numpy.__version__)'], { encoding: 'utf8' });
  if (version.status !== 0 || seen.has(version.stdout.trim())) continue;
  seen.add(version.stdout.trim());
  console.log(`\n${python}:`);
  const run = spawnSync(python, [SCRIPT, ...(quick ? ['--quick'] : [])], { stdio: 'inherit' });
  if (run.status !== 0) process.exitCode = 1;
}
if (seen.size === 0) console.log('bench:dispatch skipped: no Python here imports numpy');
