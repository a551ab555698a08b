/**
 * What each recorded expression held in the latest analysis of its unit, kept in arrays that
 * the syntax node points into (its `recordIndex`), not in node-keyed maps.
 *
 * A 1.3 MB module records about 57,000 expressions; two `WeakMap` entries each (the value and
 * the analysis that recorded it) were the largest single cost of the shape analysis, and weak
 * tables cost the garbage collector again at every collection. A node takes the index the
 * first store that records it gives it, and keeps it; another store (a second analysis of the
 * same tree, as each new analysis of a document is) keeps its own index of that node in a
 * `WeakMap`, as before. An index is a store's only if its entry holds that very node, so a
 * node never keeps a store or its values alive, and no store reads another's entry.
 */
import type { Value } from '../shapes/values';
import type { Unit } from './frame';
import type { PyNode } from './syntax';

/** One analysis of a unit; what it recorded is current while it is its unit's latest. */
export interface RunStamp {
  readonly unit: Unit;
  /** The entries this run recorded (to free those the next run of the unit no longer reaches). */
  readonly indexes: number[];
}

export class RecordedValues {
  // Entry i: the node, its value and the run that recorded it; a freed entry holds nulls.
  private readonly nodes: (PyNode | null)[] = [];
  private readonly values: (Value | null)[] = [];
  private readonly stamps: (RunStamp | null)[] = [];
  private readonly free: number[] = [];
  /** Entries of nodes whose index is another store's (or a freed one of this store). */
  private readonly others = new WeakMap<PyNode, number>();
  private readonly latest = new Map<Unit, RunStamp>();

  /** Starts a run of `unit`: what earlier runs recorded is stale from now on. */
  begin(unit: Unit): { stamp: RunStamp; previous: RunStamp | null } {
    const previous = this.latest.get(unit) ?? null;
    const stamp: RunStamp = { unit, indexes: [] };
    this.latest.set(unit, stamp);
    return { stamp, previous };
  }

  /** Frees what `previous` recorded and the run after it did not record again. */
  finish(previous: RunStamp | null): void {
    if (previous) this.releaseStale(previous);
  }

  /** The unit is gone: nothing it recorded is current. */
  withdraw(unit: Unit): void {
    const stamp = this.latest.get(unit);
    if (!stamp) return;
    this.latest.delete(unit);
    this.releaseStale(stamp);
  }

  /** The latest run of `unit`, or null before its first. */
  current(unit: Unit): RunStamp | null {
    return this.latest.get(unit) ?? null;
  }

  /** Records `value` for `node` by `stamp`; with null (a run that is never current) forgets the node. */
  set(node: PyNode, value: Value, stamp: RunStamp | null): void {
    let index = this.indexOf(node);
    if (!stamp) {
      if (index >= 0) this.release(index);
      return;
    }
    if (index < 0) index = this.claim(node);
    this.values[index] = value;
    if (this.stamps[index] !== stamp) {
      this.stamps[index] = stamp;
      stamp.indexes.push(index);
    }
  }

  /** The value recorded for `node` by the latest run of its unit, or null. */
  get(node: PyNode): Value | null {
    const index = this.indexOf(node);
    if (index < 0) return null;
    const stamp = this.stamps[index]!;
    return this.latest.get(stamp.unit) === stamp ? this.values[index] : null;
  }

  private indexOf(node: PyNode): number {
    const index = node.recordIndex;
    if (index < 0) return -1;
    if (this.nodes[index] === node) return index;
    const other = this.others.get(node);
    return other !== undefined && this.nodes[other] === node ? other : -1;
  }

  private claim(node: PyNode): number {
    const index = this.free.pop() ?? this.nodes.length;
    this.nodes[index] = node;
    if (node.recordIndex < 0) node.recordIndex = index;
    else this.others.set(node, index);
    return index;
  }

  private releaseStale(stamp: RunStamp): void {
    for (const index of stamp.indexes) if (this.stamps[index] === stamp) this.release(index);
  }

  private release(index: number): void {
    this.nodes[index] = null;
    this.values[index] = null;
    this.stamps[index] = null;
    this.free.push(index);
  }
}
