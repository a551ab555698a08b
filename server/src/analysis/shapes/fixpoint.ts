/**
 * The interprocedural fixed point, language-neutral. Facts shared between analysed units
 * (a function's parameters merged over its call sites, a module's globals, a class's
 * attributes) live in cells. A unit contributes to cells and reads them; when a cell's merged
 * value changes, the units that read it are analysed again, until nothing changes. A cell
 * that keeps changing is widened, so the iteration usually ends; a cap on the analyses since the
 * program last changed makes sure it does, and what was not settled by then is left unknown.
 */
import type { SymbolTable } from './sizes';
import { joinValues, sameValue, widenValue, UNKNOWN, type JoinPoint, type Origin, type Value } from './values';

/** Rounds after which a cell's changes are widened away. */
const WIDEN_AFTER = 4;
/**
 * Analyses per unit of the program since it last changed before what has not settled is made
 * unknown (and as many again before the analysis gives up): widening does not stop every value.
 */
const RUNS_PER_UNIT = 12;

interface Cell<U> {
  readonly key: string;
  readonly name: string;
  readonly origin: Origin;
  /** The latest value from each contributor (a call site, an assignment). */
  readonly contributions: Map<string, Value>;
  value: Value | null;
  /** Changes of the value since the program last changed (see `restart`): what widening counts. */
  updates: number;
  /** The `restart` that `updates` counts from. */
  updatesSince: number;
  /** The analysis (counted by `FixedPoint.ticks`) during which the value last changed. */
  changedAt: number;
  readonly readers: Set<U>;
}

export class FixedPoint<U extends object> {
  private readonly cells = new Map<string, Cell<U>>();
  private readonly queue: U[] = [];
  private readonly queued = new Set<U>();
  /** The cells each unit contributes to. */
  private readonly byUnit = new Map<string, Set<Cell<U>>>();
  /** Contributions made by the unit being analysed (to withdraw the others when it is done). */
  private touched: Set<string> | null = null;
  /** Counts changes to any cell: results computed from cells are stale when it moves. */
  generation = 0;
  /** Analyses begun since `restart`: the cap holds over every call to `run` in between. */
  private spent = 0;
  /** Counts calls to `restart`: a cell's changes counted before the latest are not counted (see `update`). */
  private restarts = 0;
  /** Analyses begun ever, and when each unit's latest began (to tell the changes it has not seen). */
  private ticks = 0;
  private readonly analysedAt = new Map<U, number>();
  /** Analyses of each unit since `restart`. */
  private readonly analyses = new Map<U, number>();
  /** Units forgotten (see `forget`). */
  private readonly gone = new WeakSet<U>();
  /** The cap was reached once: every cell that changes from now on becomes unknown. */
  private forcing = false;
  /**
   * The cap was reached twice: the analysis gave up, and no value any unit recorded since
   * `restart` may be trusted (the queue is kept, to go on from after the next change).
   */
  gaveUp = false;

  /** `keyOf` names a unit as its contributions do. */
  constructor(
    private readonly symbols: SymbolTable,
    private readonly keyOf: (unit: U) => string,
  ) {}

  /** The merged value of a cell (null: nothing contributed yet); `reader` is analysed again when it changes. */
  read(key: string, reader: U | null): Value | null {
    if (reader === null) return this.cells.get(key)?.value ?? null;
    // One lookup: a cell made here for its first reader has no value yet, as none was there.
    const cell = this.cell(key, key, null);
    cell.readers.add(reader);
    return cell.value;
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
    if (this.queued.has(unit) || this.gone.has(unit)) return;
    this.queued.add(unit);
    this.queue.push(unit);
  }

  /**
   * `unit`'s code is gone: it is not analysed again, even where it is queued or read a cell
   * that changes. Left queued, the units of a large text replaced by a small one used up the
   * small one's cap on analyses, and the analysis gave up on it.
   */
  forget(unit: U): void {
    this.gone.add(unit);
    this.queued.delete(unit);
    this.analyses.delete(unit);
    this.analysedAt.delete(unit);
  }

  /** The program changed: the analyses to settle it are counted afresh. */
  restart(): void {
    this.restarts++;
    this.spent = 0;
    this.analyses.clear();
    this.forcing = false;
    this.gaveUp = false;
  }

  /**
   * Analyses scheduled units until no cell changes (true), or until `limit` analyses ran in
   * this call or the clock (`performance.now()`) passed `deadline` after at least one (false:
   * call again; the next call goes on exactly where this one stopped). Over all calls since
   * `restart`, `units` (of the program) times RUNS_PER_UNIT analyses iterate as usual; then
   * what has not settled becomes unknown (see `force`), which settles it, since unknown is the
   * top of every value, rather than leaving half-iterated values stated as fact. When even
   * that has not settled after as many analyses again, the analysis gives up (`gaveUp`, true).
   */
  run(analyse: (unit: U) => void, units: number, limit = Infinity, deadline = Infinity): boolean {
    const cap = units * RUNS_PER_UNIT;
    let runs = 0;
    while (this.queue.length > 0) {
      // A unit forgotten while queued is no longer in the set: dropped, and not counted.
      if (!this.queued.has(this.queue[0])) {
        this.queue.shift();
        continue;
      }
      if (this.spent >= cap) {
        if (this.forcing) {
          this.gaveUp = true;
          return true;
        }
        this.force();
      }
      if (runs >= limit || (runs > 0 && deadline !== Infinity && performance.now() >= deadline)) return false;
      runs++;
      this.spent++;
      const unit = this.queue.shift()!;
      this.queued.delete(unit);
      this.analysedAt.set(unit, ++this.ticks);
      this.analyses.set(unit, (this.analyses.get(unit) ?? 0) + 1);
      analyse(unit);
    }
    return true;
  }

  /**
   * The cap was reached: from now on a cell that changes becomes unknown, and so do now the
   * changes the units still queued have not seen and what the units analysed more than
   * RUNS_PER_UNIT times contribute (the iteration that does not settle), so the rest settles
   * in a few analyses. A cell nothing contributed to stays empty: empty is no claim.
   */
  private force(): void {
    this.forcing = true;
    this.spent = 0;
    const unsettled = new Set<Cell<U>>();
    for (const [unit, count] of this.analyses) {
      if (count > RUNS_PER_UNIT) for (const cell of this.byUnit.get(this.keyOf(unit)) ?? []) unsettled.add(cell);
    }
    for (const cell of this.cells.values()) {
      if ([...cell.readers].some((reader) => this.queued.has(reader) && cell.changedAt >= (this.analysedAt.get(reader) ?? 0))) unsettled.add(cell);
    }
    for (const cell of unsettled) if (cell.value !== null) this.update(cell, UNKNOWN);
  }

  private cell(key: string, name: string, origin: Origin | null): Cell<U> {
    let cell = this.cells.get(key);
    if (!cell) {
      cell = { key, name, origin: origin ?? { kind: 'unknown', at: null, detail: name }, contributions: new Map(), value: null, updates: 0, updatesSince: this.restarts, changedAt: 0, readers: new Set() };
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
    // Widening stops one iteration that does not settle; edits are not iterations. Counted over
    // the document's life, two edits of a global's shape widened it to unknown, where a fresh
    // analysis of the same text knows it.
    if (cell.updatesSince !== this.restarts) {
      cell.updatesSince = this.restarts;
      cell.updates = 0;
    }
    let merged = next;
    if (this.forcing && !sameValue(merged, cell.value)) merged = UNKNOWN;
    else if (merged && cell.updates >= WIDEN_AFTER) merged = widenValue(cell.value, merged);
    if (sameValue(merged, cell.value)) {
      cell.value = merged;
      return;
    }
    cell.value = merged;
    cell.updates++;
    cell.changedAt = this.ticks;
    this.generation++;
    for (const reader of cell.readers) {
      if (this.gone.has(reader)) cell.readers.delete(reader);
      else this.schedule(reader);
    }
  }
}
