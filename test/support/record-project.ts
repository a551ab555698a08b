/**
 * A throw-away project for `einsight record` tests: the fixture programs of
 * test/fixtures/record copied into a temporary folder with a pyproject.toml, and helpers to
 * record a run there and read what was written.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ObservedFile, ObservedSite } from 'einsight-server/analysis/observed/format';
import { parseObserved } from 'einsight-server/analysis/observed/format';
import { runBin, type CliResult } from './cli';
import { REPO_ROOT } from './oracle';

export const RECORD_FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'record');

export class RecordProject {
  readonly root: string;

  constructor() {
    this.root = mkdtempSync(join(tmpdir(), 'einsight-record-'));
    cpSync(RECORD_FIXTURES, this.root, { recursive: true });
    writeFileSync(join(this.root, 'pyproject.toml'), '[project]\nname = "recorded"\n');
  }

  /** `einsight record ARGS...` run in the project (or a folder of it), as a user runs it. */
  record(args: string[], options: { env?: NodeJS.ProcessEnv; folder?: string } = {}): CliResult {
    return runBin(['record', ...args], { cwd: join(this.root, options.folder ?? ''), env: options.env ?? {} });
  }

  get observedPath(): string {
    return join(this.root, '.einsight', 'observed.json');
  }

  observed(): ObservedFile {
    const parsed = parseObserved(readFileSync(this.observedPath, 'utf8'));
    if ('error' in parsed) throw new Error(parsed.error);
    return parsed.ok;
  }

  sites(file: string): ObservedSite[] {
    return this.observed().files[file] ?? [];
  }

  write(relative: string, text: string): void {
    writeFileSync(join(this.root, relative), text);
  }

  read(relative: string): string {
    return readFileSync(join(this.root, relative), 'utf8');
  }

  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** Each recorded signature as `equation shape,shape xCALLS`, most called first: easy to compare exactly. */
export function signatures(site: ObservedSite): string[] {
  return site.shapes.map((s) => `${s.equation} ${s.operands.map((o) => (o.shape ? `[${o.shape.join(',')}]` : 'null')).join(' ')} x${s.calls}`);
}
