/**
 * The interprocedural fixed point, language-neutral. Facts shared between analysed units
 * (a function's parameters merged over its call sites, a module's globals, a class's
 * attributes) live in cells. A unit contributes to cells and reads them; when a cell's merged
 * value changes, the units that read it are analysed again, until nothing changes. A cell
 * that keeps changing is widened, so the iteration always ends.
 */
import type { SymbolTable } from './sizes';
import { joinValues, sameValue, widenValue, type JoinPoint, type Origin, type Value } from './values';

/** Rounds after which a cell's changes are widened away. */
const WIDEN_AFTER = 4;

interface Cell<U> {
  readonly key: string;
  readonly name: string;
  readonly origin: Origin;
  /** The latest value from each contributor (a call site, an assignment). */
  readonly contributions: Map<string, Value>;
  value: Value | null;
  updates: number;
  readonly readers: Set<U>;
}

export class FixedPoint<U> {
  private readonly cells = new Map<string, Cell<U>>();
  private readonly queue: U[] = [];
  private readonly queued = new Set<U>();
  /** The cells each unit contributes to. */
  private readonly byUnit = new Map<string, Set<Cell<U>>>();
  /** Contributions made by the unit being analysed (to withdraw the others when it is done). */
  private touched: Set<string> | null = null;
  /** Counts changes to any cell: results computed from cells are stale when it moves. */
  generation = 0;

  constructor(private readonly symbols: SymbolTable) {}

  /** The merged value of a cell (null: nothing contributed yet); `reader` is analysed again when it changes. */
  read(key: string, reader: U | null): Value | null {
    const cell = this.cells.get(key);
    if (reader !== null) this.cell(key, key, null).readers.add(reader);
    return cell?.value ?? null;
  }

  /** Whether any contribution has been made to the cell. */
  has(key: string): boolean {
    return (this.cells.get(key)?.contributions.size ?? 0) > 0;
  }

  /**
   * Sets the value `contributor` of `unit` gives a cell. `name` names the merged value (symbols
   * for sizes that vary are named after it), `origin` says where the merge happens.
   */
  contribute(key: string, unit: string, contributor: string, value: Value, name: string, origin: Origin): void {
    const cell = this.cell(key, name, origin);
    const id = `${unit}|${contributor}`;
    this.touched?.add(id);
    let cells = this.byUnit.get(unit);
    if (!cells) this.byUnit.set(unit, (cells = new Set()));
    cells.add(cell);
    const previous = cell.contributions.get(id);
    if (previous && sameValue(previous, value)) return;
    cell.contributions.set(id, value);
    // A new contribution only adds to the merge (constant time: a name bound at each of 20,000
    // statements is not merged 20,000 times over); a changed one needs the merge redone.
    if (previous) this.recompute(cell);
    else this.update(cell, joinValues(cell.value, value, this.joinPoint(cell)));
  }

  /** Starts an analysis of `unit`: what it no longer contributes by `finish` is withdrawn. */
  begin(): void {
    this.touched = new Set();
  }

  finish(unit: string): void {
    const touched = this.touched;
    this.touched = null;
    if (touched) this.withdraw(unit, touched);
  }

  /** Drops the contributions of a unit (all of them, or those not in `keep`): its code changed or went away. */
  withdraw(unit: string, keep: ReadonlySet<string> | null = null): void {
    const prefix = `${unit}|`;
    for (const cell of this.byUnit.get(unit) ?? []) {
      let changed = false;
      for (const id of [...cell.contributions.keys()]) {
        if (id.startsWith(prefix) && !keep?.has(id)) {
          cell.contributions.delete(id);
          changed = true;
        }
      }
      if (changed) this.recompute(cell);
    }
    if (!keep) this.byUnit.delete(unit);
  }

  schedule(unit: U): void {
    if (this.queued.has(unit)) return;
    this.queued.add(unit);
    this.queue.push(unit);
  }

  /**
   * Analyses scheduled units until no cell changes, or `budget` analyses have run, or the clock
   * (`performance.now()`) passed `deadline` after at least one (then false).
   */
  run(analyse: (unit: U) => void, budget: number, deadline = Infinity): boolean {
    let runs = 0;
    while (this.queue.length > 0) {
      if (runs >= budget || (runs > 0 && deadline !== Infinity && performance.now() >= deadline)) return false;
      runs++;
      const unit = this.queue.shift()!;
      this.queued.delete(unit);
      analyse(unit);
    }
    return true;
  }

  private cell(key: string, name: string, origin: Origin | null): Cell<U> {
    let cell = this.cells.get(key);
    if (!cell) {
      cell = { key, name, origin: origin ?? { kind: 'unknown', at: null, detail: name }, contributions: new Map(), value: null, updates: 0, readers: new Set() };
      this.cells.set(key, cell);
    } else if (origin && cell.origin.at === null) {
      (cell as { origin: Origin }).origin = origin;
      (cell as { name: string }).name = name;
    }
    return cell;
  }

  private joinPoint(cell: Cell<U>): JoinPoint {
    return { key: cell.key, name: cell.name, symbols: this.symbols, origin: cell.origin, symbolic: true };
  }

  private recompute(cell: Cell<U>): void {
    const at = this.joinPoint(cell);
    let merged: Value | null = null;
    for (const value of cell.contributions.values()) merged = joinValues(merged, value, at);
    this.update(cell, merged);
  }

  private update(cell: Cell<U>, next: Value | null): void {
    let merged = next;
    if (merged && cell.updates >= WIDEN_AFTER) merged = widenValue(cell.value, merged);
    if (sameValue(merged, cell.value)) {
      cell.value = merged;
      return;
    }
    cell.value = merged;
    cell.updates++;
    this.generation++;
    for (const reader of cell.readers) this.schedule(reader);
  }
}
