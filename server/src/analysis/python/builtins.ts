/**
 * Python's builtins as far as shapes and sizes need them (`len`, `range`, `int`, `min`,
 * `tuple`, `zip`, `enumerate`, `getattr`, `setattr`, `super`), and the methods of lists and
 * dicts that build the containers configs and module lists live in.
 */
import { constant, constantValue } from '../shapes/sizes';
import { BOOL, FLOAT, NONE, UNKNOWN, type Value } from '../shapes/values';
import type { Args } from './calls';
import type { Env, Frame } from './frame';
import { LibraryCall } from './library-call';
import type { ShapeAnalysis } from './shape-analysis';
import type { PyNode } from './syntax';

type ListValue = Extract<Value, { t: 'list' }>;

export function callBuiltin(analysis: ShapeAnalysis, frame: Frame, env: Env, name: string, args: Args, node: PyNode): Value | null {
  const call = new LibraryCall(analysis, frame, env, node, args, null, null);
  const first = args.positional[0];
  const unknownInt: Value = { t: 'int', dim: { size: null, origin: call.origin } };
  switch (name) {
    case 'len':
      return lengthOf(call, first);
    case 'range':
      return { t: 'list', items: null, element: unknownInt };
    case 'int':
      return first?.t === 'int' ? first : first?.t === 'bool' ? unknownInt : first ? unknownInt : { t: 'int', dim: { size: constant(0), origin: call.origin } };
    case 'float':
      return FLOAT;
    case 'bool':
    case 'isinstance':
    case 'hasattr':
    case 'callable':
    case 'any':
    case 'all':
      return BOOL;
    case 'str':
    case 'repr':
    case 'format':
      return { t: 'str', value: null };
    case 'abs':
      return first?.t === 'int' ? { t: 'int', dim: { size: first.dim.size && first.dim.size.coefficient >= 0 ? first.dim.size : null, origin: first.dim.origin } } : (first ?? UNKNOWN);
    case 'min':
    case 'max':
      return extreme(call, name, args);
    case 'round':
      return args.positional.length > 1 ? FLOAT : unknownInt;
    case 'tuple':
    case 'list': {
      if (!first) return name === 'tuple' ? { t: 'tuple', items: [] } : { t: 'list', items: [], element: null };
      const items = first.t === 'tuple' ? first.items : first.t === 'list' ? first.items : null;
      if (name === 'tuple') return items ? { t: 'tuple', items } : UNKNOWN;
      if (first.t === 'list') return first;
      return { t: 'list', items, element: items ? (items[0] ?? null) : first.t === 'array' ? analysis.expressions.elementOf(frame, first, node) : null };
    }
    case 'sorted':
    case 'reversed':
      return first?.t === 'list' || first?.t === 'tuple' ? { t: 'list', items: null, element: analysis.expressions.elementOf(frame, first, node) } : UNKNOWN;
    case 'zip':
      return { t: 'list', items: null, element: { t: 'tuple', items: args.positional.map((v) => analysis.expressions.elementOf(frame, v, node)) } };
    case 'enumerate':
      return { t: 'list', items: null, element: { t: 'tuple', items: [unknownInt, first ? analysis.expressions.elementOf(frame, first, node) : UNKNOWN] } };
    case 'dict':
      return { t: 'dict', entries: new Map(args.keywords), complete: args.positional.length === 0 && !args.open };
    case 'getattr': {
      const attribute = args.positional[1];
      if (first && attribute?.t === 'str' && attribute.value !== null) {
        const found = analysis.expressions.attributeOf(frame, first, attribute.value, node);
        return found.t === 'unknown' && args.positional[2] ? args.positional[2] : found;
      }
      return UNKNOWN;
    }
    case 'setattr': {
      const attribute = args.positional[1];
      if (first?.t === 'object' && attribute?.t === 'str' && attribute.value !== null && args.positional[2]) {
        const fields = new Map(first.fields);
        fields.set(attribute.value, args.positional[2]);
        call.updateFirstArgument({ ...first, fields });
      }
      return NONE;
    }
    case 'super':
      return analysis.calls.classes.superOf(frame, env);
    case 'print':
      return NONE;
    default:
      return null;
  }
}

function lengthOf(call: LibraryCall, value: Value | undefined): Value {
  const unknown: Value = { t: 'int', dim: { size: null, origin: call.origin } };
  if (!value) return unknown;
  if (value.t === 'array') return value.shape && value.shape.dims.length > 0 ? { t: 'int', dim: value.shape.dims[0] } : unknown;
  if (value.t === 'tuple') return { t: 'int', dim: { size: constant(value.items.length), origin: call.origin } };
  if (value.t === 'list' && value.items) return { t: 'int', dim: { size: constant(value.items.length), origin: call.origin } };
  if (value.t === 'dict' && value.complete) return { t: 'int', dim: { size: constant(value.entries.size), origin: call.origin } };
  if (value.t === 'unknown' && value.symbol) return { t: 'unknown', symbol: { key: `len(${value.symbol.key})`, name: `len(${value.symbol.name})` } };
  return unknown;
}

/** `min(a, b)` / `max(a, b)` of ints: the constant when all are constants. */
function extreme(call: LibraryCall, name: string, args: Args): Value {
  const values = args.positional.length === 1 && (args.positional[0].t === 'tuple' || args.positional[0].t === 'list') ? (args.positional[0].t === 'tuple' ? args.positional[0].items : args.positional[0].items) : args.positional;
  if (!values || values.length === 0) return UNKNOWN;
  if (values.every((v) => v.t === 'int')) {
    const constants = values.map((v) => (v.t === 'int' ? constantValue(v.dim.size) : null));
    if (constants.every((c): c is number => c !== null)) return { t: 'int', dim: { size: constant(name === 'min' ? Math.min(...constants) : Math.max(...constants)), origin: call.origin } };
    return { t: 'int', dim: { size: null, origin: call.origin } };
  }
  return values.every((v) => v.t === 'int' || v.t === 'float') ? FLOAT : UNKNOWN;
}

/** Methods of lists, tuples, dicts and strings (`<list>.append`, `<dict>.get`). */
export function containerMethod(call: LibraryCall, name: string): Value | null {
  const self = call.self;
  const [kind, method] = name.slice(1).split('>.');
  if (kind === 'list' && self?.t === 'list') return listMethod(call, self, method);
  if (kind === 'dict' && self?.t === 'dict') {
    switch (method) {
      case 'get': {
        const key = call.arg(0);
        const found = key?.t === 'str' && key.value !== null ? self.entries.get(key.value) : undefined;
        return found ?? (self.complete ? (call.arg(1) ?? NONE) : UNKNOWN);
      }
      case 'items':
        return { t: 'list', items: null, element: { t: 'tuple', items: [{ t: 'str', value: null }, joinAll(call, [...self.entries.values()])] } };
      case 'values':
        return { t: 'list', items: null, element: joinAll(call, [...self.entries.values()]) };
      case 'keys':
        return { t: 'list', items: null, element: { t: 'str', value: null } };
      case 'update':
        call.updateReceiver({ t: 'dict', entries: new Map([...self.entries, ...call.args.keywords]), complete: false });
        return NONE;
      default:
        return UNKNOWN;
    }
  }
  if (kind === 'str') return method === 'split' ? { t: 'list', items: null, element: { t: 'str', value: null } } : { t: 'str', value: null };
  return UNKNOWN;
}

function listMethod(call: LibraryCall, self: ListValue, method: string): Value {
  switch (method) {
    case 'append': {
      const value = call.arg(0) ?? UNKNOWN;
      call.updateReceiver({ t: 'list', items: self.items ? [...self.items, value] : null, element: self.element ? joinAll(call, [self.element, value]) : value });
      return NONE;
    }
    case 'extend': {
      const other = call.arg(0);
      const added = other?.t === 'list' || other?.t === 'tuple' ? other : null;
      const items = self.items && added && (added.t === 'tuple' ? added.items : added.items) ? [...self.items, ...(added.t === 'tuple' ? added.items : added.items!)] : null;
      const element = other ? call.analysis.expressions.elementOf(call.frame, other, call.node) : UNKNOWN;
      call.updateReceiver({ t: 'list', items, element: self.element ? joinAll(call, [self.element, element]) : element });
      return NONE;
    }
    case 'pop':
      call.updateReceiver({ t: 'list', items: null, element: self.element });
      return self.element ?? UNKNOWN;
    case 'copy':
      return self;
    case 'index':
    case 'count':
      return { t: 'int', dim: { size: null, origin: call.origin } };
    default:
      return UNKNOWN;
  }
}

function joinAll(call: LibraryCall, values: Value[]): Value {
  return values.reduce<Value | null>((a, v) => (a ? call.analysis.joinElements(a, v) : v), null) ?? UNKNOWN;
}
