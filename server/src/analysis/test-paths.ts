/**
 * Whether a file is test code, by the conventions pytest, unittest and the JavaScript test
 * runners share: in a `tests/` or `test/` folder, or named `test_*.py`, `*_test.py`,
 * `conftest.py`, `*.test.ts`, `*.spec.js`, or under `__tests__/`. Test code compares the
 * optimized paths against the plain loop on purpose, so its cost findings are only hints.
 */
const TEST_FOLDERS = new Set(['tests', 'test', 'testing', '__tests__']);
const TEST_FILE = /^(test_.*\.py|.*_tests?\.py|conftest\.py|tests?\.py|.*\.(test|spec)\.[cm]?[jt]sx?)$/;

export function isTestPath(path: string): boolean {
  const parts = path.split(/[\\/]+/).filter(Boolean);
  const name = parts.pop() ?? '';
  return TEST_FILE.test(name) || parts.some((part) => TEST_FOLDERS.has(part));
}
