/**
 * Whether torch will find opt_einsum installed, read from the project's dependency files:
 * `pip install torch` alone does not bring it, and without it torch.einsum contracts left to right.
 * Dependency files are read with the size limit and file-type checks of `readProjectFile`; one
 * that cannot be read is remembered in `skipped`, for the command to name.
 */
import { readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { readProjectFile, type SkippedFile } from '../analysis/regular-file';

const DEPENDENCY_FILE = /^(requirements.*\.txt|pyproject\.toml|setup\.py|setup\.cfg|environment\.ya?ml|Pipfile)$/;
const OPT_EINSUM = /opt[-_]einsum/i;

export class OptEinsumDetector {
  private readonly byFolder = new Map<string, boolean>();
  /** Dependency files that exist but could not be read (a FIFO, a device, a link loop, too large). */
  readonly skipped: SkippedFile[] = [];

  /** True when the nearest folder above `file` with dependency files lists opt_einsum in one of them. */
  listedFor(file: string): boolean {
    return this.listedIn(dirname(resolve(file)));
  }

  private listedIn(dir: string): boolean {
    const known = this.byFolder.get(dir);
    if (known !== undefined) return known;
    let names: string[] = [];
    try {
      names = readdirSync(dir).filter((name) => DEPENDENCY_FILE.test(name)).sort();
    } catch {
      // An unreadable folder says nothing; keep looking above it.
    }
    let listed: boolean;
    if (names.length > 0) listed = names.map((name) => this.mentions(join(dir, name))).includes(true);
    else listed = dirname(dir) !== dir && !isRepositoryRoot(dir) ? this.listedIn(dirname(dir)) : false;
    this.byFolder.set(dir, listed);
    return listed;
  }

  private mentions(file: string): boolean {
    const read = readProjectFile(file);
    if ('ok' in read) return OPT_EINSUM.test(read.ok);
    this.skipped.push({ path: file, reason: read.error });
    return false;
  }
}

function isRepositoryRoot(dir: string): boolean {
  try {
    return readdirSync(dir).includes('.git');
  } catch {
    return false;
  }
}
