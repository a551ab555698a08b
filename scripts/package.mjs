#!/usr/bin/env node
/**
 * Builds the platform-specific .vsix files: `einsight-<version>-<target>.vsix` in the repository
 * root (or --out DIR).
 *
 *   node scripts/package.mjs                       linux-x64 (what `npm run package` builds)
 *   node scripts/package.mjs --target win32-x64    one target, or several comma-separated
 *   node scripts/package.mjs --target all          every platform onnxruntime-node ships binaries for
 *   node scripts/package.mjs --bundle-only         dist/bundle/ only: what the npm package ships
 *
 * Steps: esbuild bundles the client, the language server, the CLI and the onnxruntime runner
 * child into dist/bundle/ (one file each; the tree-sitter wasm files beside them, where the
 * bundled code looks for them). Per target, dist/stage/<target>/ is laid out as the installed
 * extension will be: the manifest (main pointing at the bundle), README, media/, syntaxes/, the
 * bundle, and onnxruntime-node with that target's native binaries only (they are per platform,
 * 25-90 MB each, so each target gets its own package). @vscode/vsce packs that folder, applying
 * .vscodeignore, and the result is checked: the files that must be there are, and nothing of
 * another platform, no sources and no source maps got in.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, linkSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { zipEntries } from './zip-entries.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(ROOT, 'server', 'package.json'));
const BUNDLE_DIR = path.join(ROOT, 'dist', 'bundle');
const STAGE_ROOT = path.join(ROOT, 'dist', 'stage');
const DEFAULT_TARGET = 'linux-x64';
/** Targets the VS Code Marketplace knows, as `platform-arch`. */
const VSCE_TARGETS = ['win32-x64', 'win32-arm64', 'linux-x64', 'linux-arm64', 'linux-armhf', 'darwin-x64', 'darwin-arm64', 'alpine-x64', 'alpine-arm64'];
const ORT_DIR = path.dirname(require.resolve('onnxruntime-node/package.json'));
const ORT_COMMON_DIR = packageRoot(createRequire(path.join(ORT_DIR, 'package.json')).resolve('onnxruntime-common'), 'onnxruntime-common');
const ORT_NAPI = `napi-v${JSON.parse(readFileSync(path.join(ORT_DIR, 'package.json'), 'utf8')).binary.napi_versions[0]}`;
/**
 * Files of a target's onnxruntime binaries that nothing loads. npm packages cannot hold
 * symlinks, so the macOS library arrives twice; the binding links `@rpath/libonnxruntime.1.dylib`.
 */
const UNUSED_ORT_BINARIES = [/^libonnxruntime\.\d+\.\d+\.\d+\.dylib$/];
/** The recorder's files, as server/src/cli/record.ts copies them into each recorded run. */
const RECORDER_FILES = ['sitecustomize.py', '_einsight_recorder.py', '_einsight_output.py'];

/** The folder of the named package holding `file` (for packages whose exports hide package.json). */
function packageRoot(file, name) {
  for (let dir = path.dirname(file); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === name) return dir;
  }
  throw new Error(`no package.json of ${name} above ${file}`);
}

function usage(message) {
  console.error(`package: ${message}\nusage: node scripts/package.mjs [--target TARGET[,TARGET...] | --target all] [--out DIR] [--bundle-only]`);
  process.exit(2);
}

function parseArgs(argv) {
  const options = { targets: [DEFAULT_TARGET], out: ROOT, bundleOnly: false };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const value = () => inline ?? argv[++i] ?? usage(`${flag} needs a value`);
    if (flag === '--bundle-only') options.bundleOnly = true;
    else if (flag === '--target') options.targets = value().split(',').filter(Boolean);
    else if (flag === '--out') options.out = path.resolve(value());
    else usage(`unknown argument '${argv[i]}'`);
  }
  const shipped = ortTargets();
  if (options.targets.includes('all')) options.targets = shipped;
  for (const target of options.targets) {
    if (!shipped.includes(target)) usage(`onnxruntime-node ships no binaries for '${target}'; targets: ${shipped.join(', ')}, all`);
  }
  return options;
}

/** The vsce targets onnxruntime-node has native binaries for, read from its bin/ folder. */
function ortTargets() {
  const napiDir = path.join(ORT_DIR, 'bin', ORT_NAPI);
  return readdirSync(napiDir)
    .flatMap((platform) => readdirSync(path.join(napiDir, platform)).map((arch) => `${platform}-${arch}`))
    .filter((target) => VSCE_TARGETS.includes(target))
    .sort();
}

/** web-tree-sitter's CommonJS build, as `require` gets it: its ES build finds its wasm through import.meta.url, which a CommonJS bundle lacks. */
const webTreeSitterCommonJs = {
  name: 'web-tree-sitter-commonjs',
  setup(build) {
    build.onResolve({ filter: /^web-tree-sitter$/ }, () => ({ path: require.resolve('web-tree-sitter') }));
  },
};

async function bundle() {
  rmSync(BUNDLE_DIR, { recursive: true, force: true });
  const result = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: {
      extension: 'client/src/extension.ts',
      server: 'server/src/server.ts',
      // The server's analysis thread: started by the server as analysis-worker.js beside it.
      'analysis-worker': 'server/src/service/analysis-worker.ts',
      // main.ts runs the CLI when it is the process's main module, as dist/cli.js is.
      cli: 'server/src/cli/main.ts',
      // The measure runner child: forked by the CLI as runner.js beside it.
      runner: 'server/src/measure/runner.ts',
    },
    outdir: BUNDLE_DIR,
    bundle: true,
    platform: 'node',
    // VS Code 1.100's extension host runs Node 20.
    target: 'node20',
    format: 'cjs',
    minify: true,
    // vscode is the host's; onnxruntime-node loads native binaries relative to its own files;
    // the grammar is located with require.resolve at run time (see copyWasm).
    external: ['vscode', 'onnxruntime-node', 'tree-sitter-python/*'],
    plugins: [webTreeSitterCommonJs],
    logLevel: 'warning',
    metafile: true,
  });
  copyWasm();
  copyRecorder();
  return result.metafile;
}

/**
 * web-tree-sitter looks for tree-sitter.wasm beside the script that loads it (the bundle);
 * the Python grammar is found with require.resolve('tree-sitter-python/tree-sitter-python.wasm'),
 * which from dist/server.js resolves into dist/node_modules/.
 */
function copyWasm() {
  copyFileSync(require.resolve('web-tree-sitter/tree-sitter.wasm'), path.join(BUNDLE_DIR, 'tree-sitter.wasm'));
  const grammarDir = path.dirname(require.resolve('tree-sitter-python/tree-sitter-python.wasm'));
  const target = path.join(BUNDLE_DIR, 'node_modules', 'tree-sitter-python');
  mkdirSync(target, { recursive: true });
  for (const file of ['tree-sitter-python.wasm', 'LICENSE']) copyFileSync(path.join(grammarDir, file), path.join(target, file));
}

/** `einsight record`'s pure-Python recorder: the bundled CLI finds it in recorder/ beside itself. */
function copyRecorder() {
  const from = path.join(ROOT, 'server', 'python', 'recorder');
  const to = path.join(BUNDLE_DIR, 'recorder');
  mkdirSync(to, { recursive: true });
  for (const file of RECORDER_FILES) copyFileSync(path.join(from, file), path.join(to, file));
}

/** Hard links where the file system allows (the binaries are large), copies elsewhere. */
function linkOrCopy(from, to) {
  mkdirSync(path.dirname(to), { recursive: true });
  try {
    linkSync(from, to);
  } catch {
    copyFileSync(from, to);
  }
}

function copyTree(from, to, skip = () => false) {
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name);
    if (skip(source)) continue;
    if (entry.isDirectory()) copyTree(source, path.join(to, entry.name), skip);
    else if (entry.isFile()) linkOrCopy(source, path.join(to, entry.name));
  }
}

/** The extension manifest as installed: the root one, less what only the workspace uses. */
function stagedManifest(manifest) {
  // bin, files and optionalDependencies describe the npm package (the CLI and language server).
  const { scripts, devDependencies, dependencies, optionalDependencies, workspaces, allowScripts, bin, files, ...packaged } = manifest;
  return { ...packaged, main: './dist/extension.js' };
}

function stage(target, manifest) {
  const dir = path.join(STAGE_ROOT, target);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify(stagedManifest(manifest), null, 2)}\n`);
  for (const file of ['README.md', 'CHANGELOG.md', 'LICENSE', '.vscodeignore']) {
    if (existsSync(path.join(ROOT, file))) copyFileSync(path.join(ROOT, file), path.join(dir, file));
  }
  // docs/ holds the rule pages the README and the diagnostics link to.
  for (const folder of ['media', 'syntaxes', 'docs']) {
    if (existsSync(path.join(ROOT, folder))) cpSync(path.join(ROOT, folder), path.join(dir, folder), { recursive: true });
  }
  copyTree(BUNDLE_DIR, path.join(dir, 'dist'));

  // onnxruntime-node as the runner requires it, from dist/node_modules; of its binaries only this target's.
  const [platform, arch] = target.split('-');
  const ortTarget = path.join(dir, 'dist', 'node_modules', 'onnxruntime-node');
  copyTree(ORT_DIR, ortTarget, (source) => source === path.join(ORT_DIR, 'bin') || source === path.join(ORT_DIR, 'node_modules'));
  const binaries = path.join('bin', ORT_NAPI, platform, arch);
  copyTree(path.join(ORT_DIR, binaries), path.join(ortTarget, binaries), (source) => UNUSED_ORT_BINARIES.some((re) => re.test(path.basename(source))));
  copyTree(ORT_COMMON_DIR, path.join(dir, 'dist', 'node_modules', 'onnxruntime-common'));
  return dir;
}

function vsce(stageDir, target, vsixPath) {
  const args = [
    require.resolve('@vscode/vsce/vsce', { paths: [ROOT] }),
    'package',
    '--target', target,
    '--out', vsixPath,
    // Everything the extension runs is bundled or staged in dist/: no npm dependency walk.
    '--no-dependencies',
    // The README's relative links (its screenshots, the rule pages) become links into the
    // repository, so the package need not ship the pictures.
  ];
  const run = spawnSync(process.execPath, args, { cwd: stageDir, stdio: ['ignore', 'inherit', 'inherit'] });
  if (run.status !== 0) throw new Error(`vsce package failed for ${target} (exit ${run.status})`);
}

/** What the package must and must not hold; a violation fails the build. */
function checkPackage(vsixPath, target) {
  const [platform, arch] = target.split('-');
  const names = zipEntries(vsixPath).map((entry) => entry.name);
  const ortBin = `extension/dist/node_modules/onnxruntime-node/bin/${ORT_NAPI}/`;
  const required = [
    'extension/package.json',
    'extension/dist/extension.js',
    'extension/dist/server.js',
    'extension/dist/analysis-worker.js',
    'extension/dist/cli.js',
    'extension/dist/runner.js',
    ...RECORDER_FILES.map((file) => `extension/dist/recorder/${file}`),
    'extension/dist/tree-sitter.wasm',
    'extension/dist/node_modules/tree-sitter-python/tree-sitter-python.wasm',
    'extension/dist/node_modules/onnxruntime-node/dist/index.js',
    'extension/dist/node_modules/onnxruntime-common/dist/cjs/index.js',
    `${ortBin}${platform}/${arch}/onnxruntime_binding.node`,
    'extension/media/measure.js',
    'extension/syntaxes/einsum-python.injection.tmLanguage.json',
  ];
  const problems = required.filter((name) => !names.includes(name)).map((name) => `missing ${name}`);
  for (const name of names) {
    if (name.startsWith(ortBin) && !name.startsWith(`${ortBin}${platform}/${arch}/`)) problems.push(`another platform's binary: ${name}`);
    if (/\.(ts|map)$/.test(name) && !name.endsWith('.d.ts')) problems.push(`source or source map: ${name}`);
    if (/^extension\/(client|server|test|scripts|node_modules)\//.test(name)) problems.push(`not part of the bundle: ${name}`);
    if (name.startsWith('extension/media/screenshots/')) problems.push(`a README screenshot (linked from the repository instead): ${name}`);
  }
  if (problems.length > 0) throw new Error(`${path.basename(vsixPath)}:\n  ${problems.join('\n  ')}`);
  return names.length;
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const started = Date.now();
  const metafile = await bundle();
  for (const [file, output] of Object.entries(metafile.outputs)) {
    if (file.endsWith('.js')) console.log(`bundle: ${path.relative(ROOT, file)} ${(output.bytes / 1024).toFixed(0)} KiB`);
  }
  // The npm package (`npm pack`, through prepack) ships the bundle alone.
  if (options.bundleOnly) return;
  mkdirSync(options.out, { recursive: true });
  for (const target of options.targets) {
    const stageDir = stage(target, manifest);
    const vsixPath = path.join(options.out, `${manifest.name}-${manifest.version}-${target}.vsix`);
    vsce(stageDir, target, vsixPath);
    const files = checkPackage(vsixPath, target);
    const megabytes = statSync(vsixPath).size / 1e6;
    console.log(`package: ${path.relative(process.cwd(), vsixPath) || vsixPath}: ${megabytes.toFixed(1)} MB, ${files} files`);
  }
  console.log(`package: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

main().catch((error) => {
  console.error(`package: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
