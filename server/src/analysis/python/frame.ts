/**
 * One evaluation of a body of Python code by the shape analysis: a function analysed with its
 * parameters merged over every call site (recording what each expression holds), or evaluated
 * for one call's arguments (only its result matters), or a module or class body.
 */
import type { Value } from '../shapes/values';
import type { FunctionInfo, PythonModule } from './program';
import type { Scope } from './scopes';

/** What each local name holds on one path through the code. */
export type Env = Map<string, Value>;

export interface LoopExits {
  breaks: Env[];
  continues: Env[];
}

/** A unit of the interprocedural fixed point: a module's top-level code or one function. */
export type Unit = { kind: 'module'; module: PythonModule } | { kind: 'function'; fn: FunctionInfo };

export interface Frame {
  readonly module: PythonModule;
  readonly fn: FunctionInfo | null;
  /** The scope whose names live in the environment. */
  readonly scope: Scope;
  /** The comprehension being evaluated, whose names also live in the environment. */
  inner: Scope | null;
  /** Summary mode: values are recorded for the sites, and calls contribute to their callees' parameters. */
  readonly recording: boolean;
  /** The unit whose analysis this evaluation is part of: it reads the cells. */
  readonly reader: Unit;
  /** Distinguishes the symbols minted in one evaluation for one call from those of another. */
  readonly context: string;
  readonly depth: number;
  /** Cells read by this evaluation (kept with a memoized result, to register later readers). */
  readonly deps: Set<string>;
  readonly parent: Frame | null;
  returns: Value | null;
  readonly loops: LoopExits[];
  /** Above 0 while an expression is evaluated once per element (a comprehension over known items). */
  quiet: number;
  /** A method's receiver as the body left it (what a constructor built). */
  selfOut: Value | null;
}

export function newEnv(from?: Env): Env {
  return new Map(from);
}
