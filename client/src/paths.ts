/**
 * Where the extension's files are, in one place. From source the server and CLI are the
 * compiled workspace package (`server/out/...`); a bundled extension ships them in `dist/`.
 * Both are looked up relative to the extension root, never the working directory.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

/** The language server's entry module, bundled first. */
export const SERVER_MODULE_CANDIDATES = ['dist/server.js', 'server/out/server.js'] as const;
/** The `einsight` CLI's entry script (the measure feature runs it as a child process). */
export const CLI_SCRIPT_CANDIDATES = ['dist/cli.js', 'server/out/cli/main.js'] as const;

/** The first candidate present, relative to the extension root. */
export function locateInExtension(extensionRoot: string, candidates: readonly string[]): string {
  const found = candidates.find((candidate) => existsSync(path.join(extensionRoot, candidate)));
  if (!found) throw new Error(`einsight: none of ${candidates.join(', ')} exists under ${extensionRoot}; build with 'npm run build'`);
  return found;
}
