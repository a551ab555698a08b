/**
 * The language server's workspace index for Python: every `.py` file of the workspace folders
 * read into one program on the analysis thread, so an open document's shapes come from calls
 * and imports across the workspace. The connection's side walks the folders and sends the
 * files in batches, reporting work-done progress (`$/progress`) as they go; the analysis
 * thread adds them and brings the whole-program analysis up to date a slice at a time between
 * other requests. Open documents put their live text into the same program on every edit
 * (`PythonDocument`); files changed on disk are sent again.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PythonWorkspace } from '../analysis/python/workspace';
import { collectSourceFiles } from '../cli/walk';

/** Files per request to the analysis thread: small enough to keep documents' analyses waiting little. */
const BATCH = 40;

export interface IndexedFile {
  uri: string;
  /** The saved text; null when the file is gone. */
  text: string | null;
}

export interface IndexRequest {
  roots: string[];
  files: IndexedFile[];
  /** Also bring the whole-program analysis a slice closer to up to date. */
  analyse: boolean;
}

export interface IndexReply {
  /** The analysis is up to date. */
  done: boolean;
  files: number;
}

/** What the indexer needs from the connection. */
export interface IndexPort {
  send(request: IndexRequest): Promise<IndexReply>;
  /** Work-done progress shown by the client; absent when it shows none. */
  progress(): Promise<{ begin(title: string, percentage?: number, message?: string): void; report(percentage: number, message?: string): void; done(): void }>;
  /** The index is complete: documents analysed before it should be analysed again. */
  indexed(): void;
  log(message: string): void;
}

/** The connection's side: walks the workspace folders and feeds the analysis thread. */
export class PythonIndexer {
  private roots: string[] = [];
  private running: Promise<void> = Promise.resolve();

  constructor(private readonly port: IndexPort) {}

  /** Indexes the folders (URIs) in the background; files named later by `changed` follow. */
  start(folders: readonly string[]): Promise<void> {
    this.roots = folders.filter((uri) => uri.startsWith('file:')).map((uri) => uri.replace(/\/+$/, ''));
    this.running = this.running.then(() => this.indexAll()).catch((error) => this.port.log(`einsight: the workspace index stopped: ${String(error)}`));
    return this.running;
  }

  /** Files changed, created or deleted on disk (`workspace/didChangeWatchedFiles`). */
  changed(uris: readonly string[]): Promise<void> {
    const files = uris.filter((uri) => uri.endsWith('.py') && this.roots.some((root) => uri.startsWith(`${root}/`)));
    if (files.length === 0) return this.running;
    this.running = this.running
      .then(async () => {
        let reply = await this.send(files.map(readSaved), true);
        while (!reply.done) reply = await this.send([], true);
        this.port.indexed();
      })
      .catch((error) => this.port.log(`einsight: index update failed: ${String(error)}`));
    return this.running;
  }

  private async indexAll(): Promise<void> {
    if (this.roots.length === 0) return;
    const started = performance.now();
    const progress = await this.port.progress();
    progress.begin('einsight: indexing Python files', 0);
    const paths = collectSourceFiles(
      this.roots.map((root) => fileURLToPath(root)),
      { notebooks: false },
    ).files.filter((file) => file.kind === 'python');
    let sent = 0;
    for (let i = 0; i < paths.length; i += BATCH) {
      const batch = paths.slice(i, i + BATCH).map((file) => readSaved(pathToFileURL(file.path).href));
      await this.send(batch, false);
      sent += batch.length;
      progress.report(Math.round((80 * sent) / Math.max(1, paths.length)), `${sent}/${paths.length} files read`);
    }
    let reply = await this.send([], true);
    while (!reply.done) {
      progress.report(90, 'analysing shapes across files');
      reply = await this.send([], true);
    }
    progress.done();
    this.port.log(`einsight: indexed ${reply.files} Python files in ${Math.round(performance.now() - started)} ms`);
    this.port.indexed();
  }

  private send(files: IndexedFile[], analyse: boolean): Promise<IndexReply> {
    return this.port.send({ roots: this.roots, files, analyse });
  }
}

function readSaved(uri: string): IndexedFile {
  try {
    return { uri, text: readFileSync(fileURLToPath(uri), 'utf8') };
  } catch {
    return { uri, text: null };
  }
}

/** The analysis thread's side: the workspace every Python document of the thread shares. */
export class PythonIndex {
  readonly workspace: Promise<PythonWorkspace>;

  constructor() {
    this.workspace = PythonWorkspace.create().then((workspace) => {
      workspace.readSaved = (uri) => readSaved(uri).text;
      return workspace;
    });
  }

  async answer(request: IndexRequest): Promise<IndexReply> {
    const workspace = await this.workspace;
    workspace.setRoots(request.roots);
    for (const file of request.files) {
      if (file.text === null) workspace.remove(file.uri);
      else workspace.add(file.uri, file.text);
    }
    return { done: request.analyse ? workspace.step() : false, files: workspace.files };
  }
}
