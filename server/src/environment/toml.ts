/**
 * TOML (pyproject.toml, Pipfile) through smol-toml, a strict TOML 1.0 parser. It ships ESM
 * typings beside its CommonJS build, so it is required with a minimal type of our own.
 */
const smol: { parse(text: string): unknown } = require('smol-toml');

/** The parsed document, or a sentence saying what is wrong with it (with its line). */
export function parseToml(text: string): { ok: Record<string, unknown> } | { error: string } {
  try {
    const value = smol.parse(text);
    return { ok: isTable(value) ? value : {} };
  } catch (error) {
    return { error: error instanceof Error ? error.message.split('\n')[0] : String(error) };
  }
}

export function isTable(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `table.a.b` when every step is a table; undefined otherwise. */
export function tableAt(root: Record<string, unknown>, ...keys: string[]): unknown {
  let current: unknown = root;
  for (const key of keys) {
    if (!isTable(current) || !Object.hasOwn(current, key)) return undefined;
    current = current[key];
  }
  return current;
}
