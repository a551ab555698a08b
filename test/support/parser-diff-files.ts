import { readdirSync } from 'node:fs';
import path from 'node:path';

/** Paths of the `.py` files under `dir`, in its folders too (none under node_modules or out). */
export function pythonFilesUnder(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'out') continue;
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...pythonFilesUnder(file));
    else if (entry.name.endsWith('.py')) found.push(file);
  }
  return found;
}
