/**
 * The shape analysis of a Python program: every module's top-level code and every function
 * is evaluated abstractly, functions with their parameters merged over all their call sites
 * in the program; calls are evaluated with their own arguments for their results. Shared
 * facts go through the fixed point of `shapes/fixpoint.ts`. What each expression holds in the
 * merged evaluation of its function is recorded for the contraction sites.
 */
import { FixedPoint } from '../shapes/fixpoint';
import { SymbolTable } from '../shapes/sizes';
import { joinValues, mapSizes, sameValue, valueKey, widenValue, UNKNOWN, type JoinPoint, type Origin, type Reference, type Value } from '../shapes/values';
import type { ShapeSourceKind } from '../model';
import { Bindings } from './bindings';
import { Calls } from './calls';
import { Expressions, SHARED_LITERAL_LENGTH } from './expressions';
import { Flow } from './flow';
import { LazyJoinPoint, NodeOrigin, shortDetail } from './lazy-provenance';
import { RecordedValues, type RunStamp } from './recorded-values';
import type { Env, Frame, Unit } from './frame';
import type { FunctionInfo, PythonModule, PythonProgram } from './program';
import { field, textOf, type PyNode } from './syntax';

/** Nested evaluations of calls for their results before the merged summary is used instead. */
const MAX_CALL_DEPTH = 6;
/**
 * Distinct argument contexts a function is evaluated in for its results, at most; further ones
 * take the merged summary. Without it, methods calling methods six deep with many argument
 * shapes multiply: a 233-file library (quimb) ran for minutes.
 */
const MAX_CONTEXTS_PER_FUNCTION = 8;
/**
 * What sites ask about: their operands (call arguments, items of a list argument, operands of
 * `@` and of the products scalars sit in, receivers of `.matmul`) and what those are written as; other expressions
 * (callees, assigned values, subscripted arrays) are not kept.
 */
const RECORDED_IN = new Set(['argument_list', 'keyword_argument', 'list', 'tuple', 'binary_operator', 'parenthesized_expression', 'unary_operator', 'expression_list', 'attribute']);

interface Memo {
  value: Value;
  self: Value | null;
  generation: number;
  deps: string[];
}

export class ShapeAnalysis {
  readonly symbols = new SymbolTable();
  readonly fixed = new FixedPoint<Unit>(this.symbols, unitKey);
  readonly flow = new Flow(this);
  readonly expressions = new Expressions(this);
  readonly calls = new Calls(this);
  readonly bindings = new Bindings(this);
  /** What each expression held in the latest analysis of its unit. */
  private readonly recorded = new RecordedValues();
  private readonly versions = new WeakMap<PythonModule, number>();
  private readonly units = new Map<PythonModule | FunctionInfo, Unit>();
  private readonly memo = new Map<string, Memo>();
  private readonly active = new Set<string>();
  private readonly nodeIds = new WeakMap<object, number>();
  private nextId = 0;
  private readonly libraryRefs = new Map<string, Reference>();
  private readonly contexts = new Map<string, number>();
  private readonly contextsPerFunction = new Map<FunctionInfo, number>();

  constructor(readonly program: PythonProgram) {}

  /**
   * Analyses every module and function until the shared facts stop changing. Run again after
   * modules changed, it analyses what changed and what depends on it: a function whose syntax
   * node the parser kept is analysed again only when something it read changed. With `limit`,
   * at most that many units are analysed, and none is begun after the clock (`performance.now()`)
   * passed `deadline`: false then means "not done, run again", and runs with small limits end
   * exactly where one unlimited run ends.
   */
  run(limit = Infinity, deadline = Infinity): boolean {
    let live = 0;
    const seen = new Set<PythonModule>();
    for (const module of this.program.modules) {
      seen.add(module);
      if (this.versions.get(module) !== module.version) {
        // The cap on analyses counts over every call since the program last changed: counted
        // afresh at each call, a fixed point that does not settle was stepped forever by the
        // background index. (Restarted before any contribution is withdrawn, so no cell is
        // made unknown for a cap reached before the change.)
        this.fixed.restart();
        this.versions.set(module, module.version);
        this.fixed.schedule(this.unitOf(module));
      }
      live++;
      for (const scope of module.facts.scopeByNode.values()) {
        if (scope.kind !== 'function' && scope.kind !== 'lambda') continue;
        const fn = module.functionOf(scope.node);
        if (!fn) continue;
        live++;
        if (!this.units.has(fn)) this.fixed.schedule(this.unitOf(fn));
      }
    }
    // A function that became callable from where the analysis cannot see (passed as a value
    // somewhere) loses its merged parameters: analyse it again.
    for (const unit of this.units.values()) {
      if (unit.kind === 'function' && this.calls.escapeChanged(unit.fn)) this.fixed.schedule(unit);
    }
    // Functions (and modules) that are gone no longer contribute.
    for (const [key, unit] of this.units) {
      if (this.isLive(unit, seen)) continue;
      this.fixed.restart();
      this.fixed.withdraw(unitKey(unit));
      this.fixed.forget(unit);
      this.units.delete(key);
      this.recorded.withdraw(unit);
    }
    return this.fixed.run((unit) => this.analyseUnit(unit, seen), live, limit, deadline);
  }

  private isLive(unit: Unit, modules: ReadonlySet<PythonModule>): boolean {
    if (unit.kind === 'module') return modules.has(unit.module) && this.program.module(unit.module.file) === unit.module;
    const fn = unit.fn;
    return modules.has(fn.module) && fn.module.facts.scopeByNode.get(fn.node) === fn.scope && fn.module.functionOf(fn.node) === fn;
  }

  /** What an expression holds in its function's merged evaluation; null when it was never reached. */
  valueAt(node: PyNode): Value | null {
    if (this.fixed.gaveUp) return null;
    // A node the latest analysis of its unit did not reach (now after a `return`) has no value.
    return this.recorded.get(node);
  }

  unitOf(key: PythonModule | FunctionInfo): Unit {
    let unit = this.units.get(key);
    if (!unit) {
      unit = 'kind' in key && key.kind === 'function' ? { kind: 'function', fn: key } : { kind: 'module', module: key as PythonModule };
      this.units.set(key, unit);
    }
    return unit;
  }

  private analyseUnit(unit: Unit, modules: ReadonlySet<PythonModule>): void {
    if (!this.isLive(unit, modules)) return;
    const { stamp, previous } = this.recorded.begin(unit);
    this.analysing = stamp;
    this.fixed.begin();
    try {
      this.analyseLive(unit);
    } finally {
      this.analysing = null;
      this.recorded.finish(previous);
      this.fixed.finish(unitKey(unit));
    }
  }

  /** The run of the unit being analysed: the stamp of what it records. */
  private analysing: RunStamp | null = null;

  private analyseLive(unit: Unit): void {
    if (unit.kind === 'module') {
      const module = unit.module;
      const frame = this.frame(module, null, module.facts.module, true, unit, '', 0, null);
      this.flow.block(frame, new Map(), module.parsed.module);
      return;
    }
    const fn = unit.fn;
    const frame = this.frame(fn.module, fn, fn.scope, true, unit, '', 0, null);
    const env = this.calls.summaryParameters(frame, fn);
    this.body(frame, env, fn);
    if (frame.selfOut && fn.owner && fn.name.endsWith('.__init__')) {
      this.contribute(frame, `template:${fn.id}`, 'summary', frame.selfOut, 'self', this.origin(frame, fn.node, 'merge'));
    }
    const returned = frame.returns ?? (fn.node.type === 'lambda' ? UNKNOWN : null);
    if (returned) this.contribute(frame, `return:${fn.id}`, 'summary', returned, fn.name, this.origin(frame, fn.node, 'einsum-result'));
  }

  /** Evaluates a function's body in `frame`; a lambda's body is its returned expression. */
  private body(frame: Frame, env: Env, fn: FunctionInfo): void {
    const body = field(fn.node, 'body');
    if (!body) return;
    if (fn.node.type === 'lambda') {
      frame.returns = this.expressions.evaluate(frame, env, body);
      return;
    }
    const end = this.flow.block(frame, env, body);
    if (end) frame.returns = frame.returns ? this.join(frame, frame.returns, { t: 'none' }, fn.node, 'return') : { t: 'none' };
    if (end && this.calls.selfName(fn)) frame.selfOut = end.get(this.calls.selfName(fn)!) ?? null;
  }

  /**
   * The result of calling `fn` with its parameters bound in `env`, evaluated for these
   * arguments; with `self` the method's receiver as it is after the call (a constructor's
   * object). Memoized by the arguments; recursion and deep chains use the merged summary.
   */
  callFunction(caller: Frame, fn: FunctionInfo, env: Env): { value: Value; self: Value | null } {
    const key = `${fn.id}|${[...env].map(([name, value]) => `${name}=${valueKey(value, (r) => this.refId(r))}`).join(';')}`;
    const cached = this.memo.get(key);
    if (cached && cached.generation === this.fixed.generation) {
      for (const dep of cached.deps) this.readCell(caller, dep);
      return cached;
    }
    const newContext = !this.contexts.has(key);
    if (this.active.has(key) || caller.depth >= MAX_CALL_DEPTH || (newContext && (this.contextsPerFunction.get(fn) ?? 0) >= MAX_CONTEXTS_PER_FUNCTION)) {
      return { value: this.readCell(caller, `return:${fn.id}`) ?? UNKNOWN, self: null };
    }
    if (newContext) this.contextsPerFunction.set(fn, (this.contextsPerFunction.get(fn) ?? 0) + 1);
    this.active.add(key);
    const frame = this.frame(fn.module, fn, fn.scope, false, caller.reader, `${fn.id}#${this.contextId(key)}:`, caller.depth + 1, caller);
    try {
      this.body(frame, env, fn);
    } finally {
      this.active.delete(key);
    }
    const result: Memo = { value: frame.returns ?? UNKNOWN, self: frame.selfOut ?? null, generation: this.fixed.generation, deps: [...frame.deps] };
    this.memo.set(key, result);
    return result;
  }

  /** One number per distinct call evaluated, so its symbols are the same each time it is evaluated again. */
  private contextId(key: string): number {
    let id = this.contexts.get(key);
    if (id === undefined) {
      id = this.contexts.size;
      this.contexts.set(key, id);
    }
    return id;
  }

  frame(module: PythonModule, fn: FunctionInfo | null, scope: Frame['scope'], recording: boolean, reader: Unit, context: string, depth: number, parent: Frame | null): Frame {
    return { module, fn, scope, inner: null, recording, reader, context, depth, deps: new Set(), parent, returns: null, loops: [], quiet: 0, selfOut: null };
  }

  /** A cell's merged value; the frame's unit is analysed again when it changes. */
  readCell(frame: Frame, key: string): Value | null {
    for (let f: Frame | null = frame; f; f = f.parent) f.deps.add(key);
    return this.fixed.read(key, frame.reader);
  }

  /** Contributes to a cell from the merged evaluation only (a call evaluated for its result adds nothing). */
  contribute(frame: Frame, key: string, contributor: string, value: Value, name: string, origin: Origin): void {
    if (frame.recording && frame.quiet === 0) this.fixed.contribute(key, unitKey(frame.reader), contributor, value, name, origin);
  }

  record(frame: Frame, node: PyNode, value: Value): void {
    if (frame.recording && frame.quiet === 0 && RECORDED_IN.has(node.parent?.type ?? '')) {
      const unit = frame.reader;
      // Recorded for another unit than the one analysed: current while that unit's latest run is.
      this.recorded.set(node, value, this.analysing?.unit === unit ? this.analysing : this.recorded.current(unit));
    }
  }

  join(frame: Frame, a: Value, b: Value, at: PyNode, name: string): Value {
    return joinValues(a, b, this.joinPoint(frame, at, name)) ?? UNKNOWN;
  }

  /**
   * Two elements of one collection: sizes they differ in become unknown, not a symbol, since
   * each element taken out of the collection may be a different one.
   */
  joinElements(a: Value, b: Value): Value {
    return joinValues(a, b, this.elementPoint) ?? UNKNOWN;
  }

  /**
   * An element taken out of a collection whose items are not known one by one: its sizes
   * keep their ties inside the element (a square block stays square), but its symbols are
   * its own, keyed by where it was taken (`at`), since another element may differ.
   */
  takeElement(frame: Frame, element: Value, at: PyNode): Value {
    const prefix = `${frame.context}take:${this.nodeId(at)}/`;
    return mapSizes(element, (size) => ({
      coefficient: size.coefficient,
      symbols: size.symbols.map(([s, p]) => [this.symbols.intern(`${prefix}${s}`, this.symbols.name(s)), p] as const).sort((x, y) => x[0] - y[0]),
    }));
  }

  private readonly elementPoint: JoinPoint = { key: 'element', name: 'element', symbols: this.symbols, origin: { kind: 'merge', at: null, detail: 'differs between elements' }, symbolic: false };

  /** Where paths meet; its key and origin are only made when two values differ there. */
  private joinPoint(frame: Frame, at: PyNode, name: string): JoinPoint {
    return new LazyJoinPoint(this, frame, at, name);
  }

  /** The environment where paths meet; `widenFrom` widens what changed since that environment. */
  joinEnvs(frame: Frame, envs: readonly (Env | null)[], at: PyNode, widenFrom: Env | null = null): Env | null {
    const live = envs.filter((e): e is Env => e !== null);
    if (live.length === 0) return null;
    if (live.length === 1) return new Map(live[0]);
    // Every name in the order the environments first hold it (the joined map's order), each
    // joined once: a name an earlier environment holds is joined already. (A set of all the
    // names, made first at every join, was most of what joining allocated.)
    const joined: Env = new Map();
    for (let e = 0; e < live.length; e++) {
      for (const name of live[e].keys()) {
        if (e > 0 && joined.has(name)) continue;
        let value: Value | null = null;
        let point: JoinPoint | null = null;
        for (const env of live) {
          const next = env.get(name);
          if (!next || next === value) continue;
          if (!value) value = next;
          else value = joinValues(value, next, (point ??= this.joinPoint(frame, at, name))) ?? UNKNOWN;
        }
        if (!value) continue;
        joined.set(name, widenFrom ? widenValue(widenFrom.get(name) ?? null, value) : value);
      }
    }
    return joined;
  }

  sameEnv(a: Env, b: Env): boolean {
    if (a.size !== b.size) return false;
    for (const [name, value] of a) if (!sameValue(value, b.get(name) ?? null)) return false;
    return true;
  }

  text(frame: Frame, node: PyNode): string {
    return textOf(frame.module.text, node);
  }

  nodeId(node: object): number {
    let id = this.nodeIds.get(node);
    if (id === undefined) {
      id = this.nextId++;
      this.nodeIds.set(node, id);
    }
    return id;
  }

  /**
   * The cell key of a module's global name (`global:<module id>:<name>`), one string per name:
   * every read of `np` built and hashed its key afresh. Only short names are kept (V8 copies
   * them; a longer one is a slice that would keep its whole source text alive).
   */
  globalKey(module: object, name: string): string {
    if (name.length > SHARED_LITERAL_LENGTH) return `global:${this.nodeId(module)}:${name}`;
    let byName = this.globalKeys.get(module);
    if (!byName) {
      byName = new Map();
      this.globalKeys.set(module, byName);
    }
    let key = byName.get(name);
    if (key === undefined) {
      key = `global:${this.nodeId(module)}:${name}`;
      byName.set(name, key);
    }
    return key;
  }

  private readonly globalKeys = new WeakMap<object, Map<string, string>>();

  refId(ref: Reference): string | number {
    return ref.kind === 'library' ? ref.name : this.nodeId(ref);
  }

  /** One reference per library name, so two reads of `torch.nn` are the same value. */
  library(name: string): Reference {
    let ref = this.libraryRefs.get(name);
    if (!ref) {
      ref = { kind: 'library', name };
      this.libraryRefs.set(name, ref);
    }
    return ref;
  }

  /**
   * The value of a library name (`numpy.random`), one per name: reading `np.random.rand` at
   * every call made (and recording kept) a new one each time.
   */
  libraryValue(name: string): Value {
    let value = this.libraryValues.get(name);
    if (!value) {
      value = { t: 'ref', ref: this.library(name) };
      this.libraryValues.set(name, value);
    }
    return value;
  }

  private readonly libraryValues = new Map<string, Value>();

  /** Where a value came from; its text is only read (sliced from the source) when shown. */
  origin(frame: Frame, node: PyNode, kind: ShapeSourceKind, detail?: string): Origin {
    if (detail !== undefined) return { kind, at: { file: frame.module.file, node }, detail };
    return new NodeOrigin(kind, frame.module, node);
  }

  detail(frame: Frame, node: PyNode): string {
    return this.detailIn(frame.module, node);
  }

  /** Short text of an expression for provenance: `torch.randn(7, 4, 5)`. */
  detailIn(module: PythonModule, node: PyNode): string {
    return shortDetail(module, node);
  }

  symbol(key: string, name: string): number {
    return this.symbols.intern(key, name);
  }
}

function unitKey(unit: Unit): string {
  return unit.kind === 'module' ? `m:${unit.module.file}` : `f:${unit.fn.id}`;
}
