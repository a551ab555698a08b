/**
 * Fresh Python names for temporaries. A name is fresh when no identifier anywhere in the file
 * spells it (a superset of every scope's names, so no shadowing is possible), and it is not a
 * keyword or a builtin a later line might still want.
 */

const KEYWORDS = new Set(
  (
    'False None True and as assert async await break class continue def del elif else except finally for from global ' +
    'if import in is lambda nonlocal not or pass raise return try while with yield match case type _'
  ).split(' '),
);

const BUILTINS = new Set(
  (
    'abs all any ascii bin bool breakpoint bytearray bytes callable chr classmethod compile complex delattr dict dir ' +
    'divmod enumerate eval exec filter float format frozenset getattr globals hasattr hash help hex id input int ' +
    'isinstance issubclass iter len list locals map max memoryview min next object oct open ord pow print property ' +
    'range repr reversed round set setattr slice sorted staticmethod str sum super tuple vars zip'
  ).split(' '),
);

export class NameAllocator {
  private readonly taken: Set<string>;

  constructor(namesInFile: Iterable<string>) {
    this.taken = new Set(namesInFile);
  }

  /** `base` if free, else `base_2`, `base_3`, …; the name is reserved for later calls. */
  fresh(base: string): string {
    const clean = sanitize(base);
    let name = clean;
    for (let k = 2; this.isTaken(name); k++) name = `${clean}_${k}`;
    this.taken.add(name);
    return name;
  }

  private isTaken(name: string): boolean {
    return this.taken.has(name) || KEYWORDS.has(name) || BUILTINS.has(name);
  }
}

function sanitize(base: string): string {
  const cleaned = base.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[A-Za-z_]/.test(cleaned) ? cleaned : `t_${cleaned}`;
}
