/**
 * Whether torch will find opt_einsum installed, read from the project's dependency files:
 * `pip install torch` alone does not bring it, and without it torch.einsum contracts left to right.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const DEPENDENCY_FILE = /^(requirements.*\.txt|pyproject\.toml|setup\.py|setup\.cfg|environment\.ya?ml|Pipfile)$/;
const OPT_EINSUM = /opt[-_]einsum/i;

export class OptEinsumDetector {
  private readonly byFolder = new Map<string, boolean>();

  /** True when the nearest folder above `file` with dependency files lists opt_einsum in one of them. */
  listedFor(file: string): boolean {
    return this.listedIn(dirname(resolve(file)));
  }

  private listedIn(dir: string): boolean {
    const known = this.byFolder.get(dir);
    if (known !== undefined) return known;
    let names: string[] = [];
    try {
      names = readdirSync(dir).filter((name) => DEPENDENCY_FILE.test(name));
    } catch {
      // An unreadable folder says nothing; keep looking above it.
    }
    let listed: boolean;
    if (names.length > 0) listed = names.some((name) => mentions(join(dir, name)));
    else listed = dirname(dir) !== dir && !isRepositoryRoot(dir) ? this.listedIn(dirname(dir)) : false;
    this.byFolder.set(dir, listed);
    return listed;
  }
}

function mentions(file: string): boolean {
  try {
    return OPT_EINSUM.test(readFileSync(file, 'utf8'));
  } catch {
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
