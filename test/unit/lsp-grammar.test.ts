/**
 * The injection grammars, tokenized by vscode-textmate (VS Code's own tokenizer) on top of the
 * Python and TypeScript grammars VS Code ships (from tm-grammars), with the injections wired as
 * package.json contributes them.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import * as oniguruma from 'vscode-oniguruma';
import { INITIAL, parseRawGrammar, Registry, type IGrammar } from 'vscode-textmate';

const ROOT = path.resolve(__dirname, '../../..');
const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const injections: { injectTo: string[]; scopeName: string; path: string }[] = manifest.contributes.grammars;

const HOST_GRAMMARS: Record<string, string> = {
  'source.python': require.resolve('tm-grammars/grammars/python.json'),
  'source.ts': require.resolve('tm-grammars/grammars/typescript.json'),
  'source.js': require.resolve('tm-grammars/grammars/javascript.json'),
};

const registry = new Registry({
  onigLib: oniguruma
    .loadWASM(readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm')).buffer as ArrayBuffer)
    .then(() => ({
      createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
      createOnigString: (text: string) => new oniguruma.OnigString(text),
    })),
  loadGrammar: async (scopeName) => {
    const injection = injections.find((g) => g.scopeName === scopeName);
    const file = injection ? path.join(ROOT, injection.path) : HOST_GRAMMARS[scopeName];
    return file ? parseRawGrammar(readFileSync(file, 'utf8'), file) : null;
  },
  getInjections: (scopeName) => injections.filter((g) => g.injectTo.includes(scopeName)).map((g) => g.scopeName),
});

/** `[text, innermost einsum scope or the host's innermost scope]` for each token of each line. */
async function tokens(scopeName: string, lines: string[]): Promise<[string, string][][]> {
  const grammar = (await registry.loadGrammar(scopeName)) as IGrammar;
  let state = INITIAL;
  return lines.map((line) => {
    const result = grammar.tokenizeLine(line, state);
    state = result.ruleStack;
    return result.tokens.map((t) => [line.slice(t.startIndex, t.endIndex), t.scopes[t.scopes.length - 1]]);
  });
}

/** The tokens coloured as equation parts. */
function equationTokens(line: [string, string][]): string[] {
  return line.filter(([, scope]) => scope.endsWith('.einsum')).map(([text, scope]) => `${text}:${scope.split('.')[0]}.${scope.split('.')[1]}`);
}

test('the equation of a numpy/torch call is coloured label by label', async () => {
  const [line] = await tokens('source.python', ['y = np.einsum("ij,jk->ik", a, f(b), optimize="greedy")']);
  assert.deepEqual(equationTokens(line), [
    'einsum:entity.name',
    'ij:variable.parameter',
    ',:punctuation.separator',
    'jk:variable.parameter',
    '->:keyword.operator',
    'ik:variable.parameter',
  ]);
  // The options keep their string colour, and the call still closes where Python says.
  assert.deepEqual(line.find(([text]) => text === 'greedy'), ['greedy', 'string.quoted.single.python']);
  assert.deepEqual(line[line.length - 1], [')', 'punctuation.definition.arguments.end.python']);
});

test('ellipses, einops patterns and prefixed literals', async () => {
  const [torch, einops, raw] = await tokens('source.python', [
    "z = torch.einsum('b...i,bij->b...j', x, w)",
    'e = einsum(x, y, "batch i, i j -> batch j")',
    "r = oe.contract(r'ab,bc', p, q)",
  ]);
  assert.deepEqual(equationTokens(torch).filter((t) => t.startsWith('...')), ['...:keyword.other', '...:keyword.other']);
  assert.deepEqual(
    equationTokens(einops).filter((t) => t.includes('variable')),
    ['batch:variable.parameter', 'i:variable.parameter', 'i:variable.parameter', 'j:variable.parameter', 'batch:variable.parameter', 'j:variable.parameter'],
  );
  assert.deepEqual(equationTokens(raw).slice(1), ['ab:variable.parameter', ',:punctuation.separator', 'bc:variable.parameter']);
});

test('strings outside einsum calls, and comments, are left alone', async () => {
  const lines = await tokens('source.python', ['print("ij,jk->ik")', 'k = 1  # np.einsum("ij->i", a)', 's = "np.einsum(\'ij->i\', a)"']);
  for (const line of lines) assert.deepEqual(equationTokens(line), []);
});

test('a multi-line call keeps the rest of the file intact', async () => {
  const [, second, , after] = await tokens('source.python', ['y = np.einsum(', '    "ij,jk->ik",', '    a, b)', 'z = "plain"']);
  assert.deepEqual(equationTokens(second), ['ij:variable.parameter', ',:punctuation.separator', 'jk:variable.parameter', '->:keyword.operator', 'ik:variable.parameter']);
  assert.deepEqual(after.find(([text]) => text === 'plain'), ['plain', 'string.quoted.single.python']);
});

test('TypeScript and JavaScript: tf.einsum equations in quotes and template literals', async () => {
  const lines = await tokens('source.ts', [
    "const y = tf.einsum('ij,jk->ik', a, f(b));",
    'const z = tf.einsum(`b i, i j -> b j`, q);',
    "const w = foo('ij,jk->ik');",
    'let after = 1;',
  ]);
  assert.deepEqual(equationTokens(lines[0]), ['ij:variable.parameter', ',:punctuation.separator', 'jk:variable.parameter', '->:keyword.operator', 'ik:variable.parameter']);
  assert.equal(equationTokens(lines[1]).filter((t) => t.includes('variable')).length, 6);
  assert.deepEqual(equationTokens(lines[2]), []);
  // The call's own rule closed: the next statement is tokenized as a declaration again.
  assert.deepEqual(lines[3][0], ['let', 'storage.type.ts']);
  const [js] = await tokens('source.js', ["const y = tf.einsum('ij->j', a);"]);
  assert.deepEqual(equationTokens(js), ['ij:variable.parameter', '->:keyword.operator', 'j:variable.parameter']);
});
