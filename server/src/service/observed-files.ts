/**
 * Noticing new recordings (`einsight record` rewrote `.einsight/observed.json`) so that open
 * documents are analysed again. Clients that can (VS Code) are asked to watch the files and send
 * `workspace/didChangeWatchedFiles`; for the others the server polls the observed file of each
 * open document's project (one stat every two seconds).
 */
import { unwatchFile, watchFile, type Stats } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ClientCapabilities } from 'vscode-languageserver';
import { OBSERVED_FOLDER, OBSERVED_NAME, ObservationStore } from '../analysis/observed/store';
import { isRecord } from '../workspace/guards';

export const OBSERVED_GLOB = `**/${OBSERVED_FOLDER}/${OBSERVED_NAME}`;
const POLL_MS = 2000;

export interface ObservedFilesHost {
  /** Asks the client to watch files (`client/registerCapability`). */
  register(globPattern: string): Promise<void>;
  /** A recording changed: analyse the open documents again. */
  changed(): void;
  log(message: string): void;
}

export class ObservedFiles {
  private clientWatches = false;
  private readonly polled = new Set<string>();
  private readonly roots = new ObservationStore();

  constructor(private readonly host: ObservedFilesHost) {}

  /** After `initialized`: let the client watch when it can register watchers at run time. */
  start(capabilities: Partial<ClientCapabilities>): void {
    if (capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration !== true) return;
    this.clientWatches = true;
    this.host.register(OBSERVED_GLOB).catch((error) => {
      this.clientWatches = false;
      this.host.log(`einsight: the client would not watch ${OBSERVED_GLOB} (${String(error)}); polling instead`);
    });
  }

  /** A document opened: poll its project's observed file unless the client watches for us. */
  opened(uri: string): void {
    if (this.clientWatches || !uri.startsWith('file:')) return;
    let path: string | null;
    try {
      path = this.roots.pathFor(fileURLToPath(uri));
    } catch {
      return;
    }
    if (path === null || this.polled.has(path)) return;
    this.polled.add(path);
    watchFile(path, { interval: POLL_MS, persistent: false }, (now: Stats, before: Stats) => {
      if (now.mtimeMs !== before.mtimeMs || now.size !== before.size) this.host.changed();
    });
  }

  /** `workspace/didChangeWatchedFiles`: any change to an observed file re-analyses. */
  didChangeWatchedFiles(params: unknown): void {
    const changes = isRecord(params) && Array.isArray(params.changes) ? params.changes : [];
    const suffix = `/${OBSERVED_FOLDER}/${OBSERVED_NAME}`;
    if (changes.some((change) => isRecord(change) && typeof change.uri === 'string' && change.uri.endsWith(suffix))) this.host.changed();
  }

  dispose(): void {
    for (const path of this.polled) unwatchFile(path);
    this.polled.clear();
  }
}
