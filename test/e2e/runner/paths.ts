/** Where the end-to-end runners find things: all relative to the repository root. */
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** This file runs from test/e2e/out/runner/. */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..', '..');
export const E2E_DIR = path.join(REPO_ROOT, 'test', 'e2e');
/** The empty extension that hosts the suites, so that einsight itself comes from the .vsix. */
export const HOST_EXTENSION = path.join(E2E_DIR, 'host');
export const SUITE_INDEX = path.join(E2E_DIR, 'out', 'suite', 'index.js');
export const FIXTURE_WORKSPACE = path.join(E2E_DIR, 'fixtures', 'workspace');
/** Where a run's screenshots go: an ignored folder, so that testing never changes tracked files. */
export const SCREENSHOTS_DIR = path.join(REPO_ROOT, '.e2e', 'screenshots');
/** The README's pictures: written only by `npm run screenshots` (main.js --readme-screenshots). */
export const README_SCREENSHOTS_DIR = path.join(REPO_ROOT, 'media', 'screenshots');

/** The vsce target of this machine (`linux-x64`, `darwin-arm64`, …). */
export function hostTarget(): string {
  return `${process.platform}-${process.arch}`;
}

export function vsixPath(target = hostTarget()): string {
  const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
  return path.join(REPO_ROOT, `${manifest.name}-${manifest.version}-${target}.vsix`);
}
