/**
 * `--observed FILE` / `--no-observed` for check, fix and measure: which recordings of
 * `einsight record` the analysis uses. By default each file gets its project's
 * `.einsight/observed.json` when there is one.
 */
import type { FileObservations } from '../analysis/observed/store';
import { ObservationStore } from '../analysis/observed/store';
import { UsageError, type ParsedArgs } from './args';

export const OBSERVED_FLAGS = { values: ['--observed'], switches: ['--no-observed'] } as const;

export const OBSERVED_USAGE = `  --observed FILE              use the recordings of 'einsight record' in FILE (default: the
                               project's .einsight/observed.json, when there is one)
  --no-observed                ignore recorded shapes and times`;

export class CliObservations {
  private readonly store = new ObservationStore();
  private readonly reported = new Set<string>();
  /** Problems with observed files, once each (an unreadable file, malformed entries). */
  readonly problems: string[] = [];

  private constructor(
    private readonly mode: 'project' | 'file' | 'none',
    private readonly explicit: string | undefined,
  ) {}

  /** Reads the flags; an explicit file that cannot be read is a usage error. */
  static fromArgs(args: ParsedArgs): CliObservations {
    const explicit = args.values.get('--observed');
    if (explicit !== undefined && args.switches.has('--no-observed')) throw new UsageError('--observed and --no-observed exclude each other');
    if (args.switches.has('--no-observed')) return new CliObservations('none', undefined);
    const observations = new CliObservations(explicit === undefined ? 'project' : 'file', explicit);
    if (explicit !== undefined) {
      const loaded = observations.store.load(explicit);
      if (loaded === null) throw new UsageError(`--observed: no such file '${explicit}'`);
      if ('error' in loaded) throw new UsageError(`--observed: ${loaded.error}`);
    }
    return observations;
  }

  /** The recordings of one source file; null when there are none. */
  for(sourcePath: string): FileObservations | null {
    if (this.mode === 'none') return null;
    const path = this.store.pathFor(sourcePath, this.explicit);
    if (path === null) return null;
    const loaded = this.store.load(path);
    if (loaded === null) return null;
    if (!this.reported.has(path)) {
      this.reported.add(path);
      if ('error' in loaded) this.problems.push(`recordings not used: ${loaded.error}`);
      else for (const problem of loaded.problems) this.problems.push(`${path}: skipped ${problem}`);
    }
    return this.store.forFile(sourcePath, this.explicit);
  }
}
