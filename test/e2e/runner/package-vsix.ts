/** Builds the .vsix for a target with scripts/package.mjs: the artefact the end-to-end runs install. */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT, vsixPath } from './paths';

export function packageVsix(target: string): string {
  const run = spawnSync(process.execPath, [path.join(REPO_ROOT, 'scripts', 'package.mjs'), '--target', target], { stdio: 'inherit' });
  if (run.status !== 0) throw new Error(`packaging for ${target} failed (exit ${run.status})`);
  return vsixPath(target);
}
