#!/usr/bin/env node
/**
 * `npm run corpus -- MIRROR_DIR`: extracts the real-code corpus of corpus/manifest.json into the
 * ignored folder .corpus/, one folder per repository, each at the commit the manifest pins.
 * MIRROR_DIR holds bare git directories as the `fetch` tool leaves them (`owner+name/repo`, or
 * `owner+name` itself). Only Python sources, notebooks and dependency files are extracted: the
 * benchmark needs nothing else, and nothing of it is ever committed here.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const manifest = JSON.parse(readFileSync(join(root, 'corpus', 'manifest.json'), 'utf8'));
const WANTED = /(\.py|\.ipynb|(^|\/)(requirements[^/]*\.txt|pyproject\.toml|setup\.cfg|environment\.ya?ml|Pipfile|\.gitignore))$/;
/** Larger files are data, not code (notebooks with embedded outputs): skipped. */
const MAX_FILE_BYTES = 4 * 1024 * 1024;

function fail(message) {
  console.error(`npm run corpus: ${message}`);
  process.exit(2);
}

const args = process.argv.slice(2);
if (args.length < 1 || args.length > 2 || args[0].startsWith('-')) fail('usage: npm run corpus -- MIRROR_DIR [OUT_DIR]  (OUT_DIR defaults to .corpus/)');
const mirror = resolve(args[0]);
const out = resolve(args[1] ?? join(root, '.corpus'));
if (!existsSync(mirror)) fail(`no such folder: ${mirror}`);

function gitDirOf(repo) {
  const base = join(mirror, repo.replace('/', '+'));
  for (const candidate of [join(base, 'repo'), base]) {
    const probe = spawnSync('git', ['--git-dir', candidate, 'rev-parse', '--git-dir'], { encoding: 'utf8' });
    if (probe.status === 0) return candidate;
  }
  return null;
}

function git(gitDir, args, input) {
  return execFileSync('git', ['--git-dir', gitDir, ...args], { input, maxBuffer: 1 << 30 });
}

let missing = 0;
for (const { repo, commit } of manifest.repositories) {
  const target = join(out, repo.replace('/', '+'));
  const stamp = join(target, '.corpus-commit');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === commit) {
    console.log(`${repo}: already extracted at ${commit.slice(0, 12)}`);
    continue;
  }
  const gitDir = gitDirOf(repo);
  if (!gitDir) {
    console.error(`${repo}: not in ${mirror} (bring it with the fetch tool: github:${repo})`);
    missing++;
    continue;
  }
  if (spawnSync('git', ['--git-dir', gitDir, 'cat-file', '-e', `${commit}^{commit}`]).status !== 0) {
    console.error(`${repo}: commit ${commit} is not in ${gitDir} (fetch a snapshot that has it)`);
    missing++;
    continue;
  }
  const entries = git(gitDir, ['ls-tree', '-r', '-l', '-z', commit])
    .toString('utf8')
    .split('\0')
    .filter(Boolean)
    .map((line) => {
      const [meta, path] = line.split('\t');
      const [, type, object, size] = meta.split(/\s+/);
      return { type, object, size: Number(size), path };
    })
    .filter((e) => e.type === 'blob' && WANTED.test(e.path) && e.size <= MAX_FILE_BYTES);
  rmSync(target, { recursive: true, force: true });
  // One `cat-file --batch` for the whole repository: its output is `<id> blob <size>\n<bytes>\n` per object.
  const batch = git(gitDir, ['cat-file', '--batch'], entries.map((e) => e.object).join('\n') + '\n');
  let offset = 0;
  for (const entry of entries) {
    const header = batch.indexOf(0x0a, offset);
    const size = Number(batch.subarray(offset, header).toString('utf8').split(' ')[2]);
    const file = join(target, entry.path);
    if (!file.startsWith(target + '/')) fail(`${repo}: refusing a path outside the corpus folder: ${entry.path}`);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, batch.subarray(header + 1, header + 1 + size));
    offset = header + 1 + size + 1;
  }
  // An empty `.git` makes each repository its own root for `einsight check`, whose walker stops
  // there instead of reading this project's .gitignore (which ignores .corpus/ itself).
  mkdirSync(join(target, '.git'), { recursive: true });
  writeFileSync(stamp, `${commit}\n`);
  console.log(`${repo}: ${entries.length} files at ${commit.slice(0, 12)} → ${target}`);
}
if (missing > 0) fail(`${missing} of ${manifest.repositories.length} repositories missing; the others are extracted`);
