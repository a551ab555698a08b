/**
 * Tables keyed by names that come from user code or user settings. A plain object inherits
 * `constructor`, `toString`, `hasOwnProperty`, ...: looking such a name up finds a function
 * (and calling it throws), and storing `__proto__` replaces the prototype instead of keeping
 * the key. Constant tables are Maps; records handed to other layers have no prototype.
 */

/** A read-only Map of an object literal's entries. */
export function nameTable<T>(entries: Record<string, T>): ReadonlyMap<string, T> {
  return new Map(Object.entries(entries));
}

/** An empty record without a prototype: every key, `__proto__` included, is stored as given. */
export function bareRecord<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}
