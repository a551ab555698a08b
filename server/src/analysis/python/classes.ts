/**
 * Classes and their instances: construction (`__init__` evaluated for the arguments, or a
 * dataclass's fields), attributes (what the constructor set, merged with what other methods
 * store), methods bound to their receiver, calling an instance (`__call__`, or a torch
 * module's `forward`), and `super()`.
 */
import { UNKNOWN, type Reference, type Value } from '../shapes/values';
import type { Args } from './calls';
import { globalKey } from './expressions';
import type { Env, Frame } from './frame';
import { callLibraryObject } from './library';
import type { ClassInfo, FunctionInfo, ModuleReference } from './program';
import type { ShapeAnalysis } from './shape-analysis';
import { field, namedChildren, textOf, type PyNode } from './syntax';

type ObjectValue = Extract<Value, { t: 'object' }>;
type Member = { kind: 'function'; fn: FunctionInfo; owner: ClassInfo } | { kind: 'value'; value: Value } | null;

const TORCH_MODULES = new Set(['torch.nn.Module', 'torch.nn.modules.module.Module', 'flax.nnx.Module']);
const DATACLASS_DECORATORS = new Set(['dataclasses.dataclass', 'dataclass', 'flax.struct.dataclass', 'chex.dataclass', 'attr.s', 'attrs.define', 'attr.define']);
/** Library calls that take an instance without calling it where the analysis cannot see. */
const HOLDERS = new Set(['torch.nn.ModuleList', 'torch.nn.ModuleDict', 'builtins.list', 'builtins.tuple', 'builtins.isinstance', 'builtins.print', 'builtins.len', 'builtins.getattr', 'builtins.setattr', 'builtins.hasattr', 'builtins.super', 'builtins.type', 'builtins.id', 'builtins.repr', 'builtins.str', '<list>.append', '<list>.extend', '<list>.insert']);

export class Classes {
  constructor(private readonly analysis: ShapeAnalysis) {}

  /** The classes of `cls` in method-resolution order: user classes, then library bases by name. */
  mro(cls: ClassInfo, seen = new Set<ClassInfo>()): (ClassInfo | Reference)[] {
    if (seen.has(cls)) return [];
    seen.add(cls);
    const order: (ClassInfo | Reference)[] = [cls];
    for (const base of this.bases(cls)) {
      if (base.kind === 'class') {
        for (const entry of this.mro(base as ClassInfo, seen)) if (!order.includes(entry)) order.push(entry);
      } else if (!order.includes(base)) order.push(base);
    }
    return order;
  }

  private bases(cls: ClassInfo): Reference[] {
    const out: Reference[] = [];
    for (const node of cls.baseNodes) {
      const recorded = this.analysis.valueAt(node);
      if (recorded?.t === 'ref' && (recorded.ref.kind === 'class' || recorded.ref.kind === 'library')) {
        out.push(recorded.ref);
        continue;
      }
      const qualified = cls.module.resolver.qualifiedName(node);
      if (qualified) out.push(this.analysis.library(qualified));
    }
    return out;
  }

  private isTorchModule(cls: ClassInfo): boolean {
    return this.mro(cls).some((c) => c.kind === 'library' && TORCH_MODULES.has(c.name));
  }

  isDataclass(cls: ClassInfo): boolean {
    return cls.decorators.some((d) => DATACLASS_DECORATORS.has(d)) || this.mro(cls).some((c) => c.kind === 'library' && (c.name === 'typing.NamedTuple' || c.name === 'flax.struct.PyTreeNode'));
  }

  /** A class attribute or method, looked up through the MRO starting after `after`. */
  member(cls: ClassInfo, name: string, frame: Frame, after: ClassInfo | null = null): Member {
    const order = this.mro(cls);
    const start = after ? order.indexOf(after) + 1 : 0;
    for (const entry of order.slice(start)) {
      if (entry.kind !== 'class') return null;
      const owner = entry as ClassInfo;
      const bindings = owner.scope.bindings.get(name);
      if (!bindings || bindings.length === 0) continue;
      const last = bindings[bindings.length - 1];
      if (last.kind === 'function') {
        const definition = last.statement.type === 'decorated_definition' ? field(last.statement, 'definition') : last.statement;
        const fn = definition ? owner.module.functionOf(definition) : null;
        if (fn) return { kind: 'function', fn, owner };
      }
      const value = this.analysis.readCell(frame, `classattr:${owner.id}:${name}`);
      return { kind: 'value', value: value ?? UNKNOWN };
    }
    return null;
  }

  instantiate(frame: Frame, env: Env, cls: ClassInfo, args: Args, node: PyNode): Value {
    let object: ObjectValue = { t: 'object', cls, exact: true, fields: new Map() };
    if (this.isDataclass(cls)) object = this.dataclassInstance(frame, cls, args);
    else {
      const init = this.member(cls, '__init__', frame);
      if (init?.kind === 'function') {
        const bound = this.analysis.calls.bind(frame, init.fn, args, object, node);
        if (bound) {
          this.analysis.calls.contributeArguments(frame, init.fn, bound, node, true);
          const result = this.analysis.callFunction(frame, init.fn, bound);
          if (result.self?.t === 'object') object = { ...result.self, cls, exact: true };
        }
      }
    }
    const post = this.isDataclass(cls) ? this.member(cls, '__post_init__', frame) : null;
    if (post?.kind === 'function') {
      const bound = this.analysis.calls.bind(frame, post.fn, { positional: [], keywords: new Map(), open: false, nodes: [], values: [] }, object, null);
      const result = bound ? this.analysis.callFunction(frame, post.fn, bound) : null;
      if (result?.self?.t === 'object') object = { ...result.self, cls, exact: true };
    }
    for (const entry of this.mro(cls)) {
      if (entry.kind !== 'class') continue;
      this.analysis.contribute(frame, `instances:${(entry as ClassInfo).id}`, `${this.analysis.nodeId(node)}`, object, 'self', this.analysis.origin(frame, node, 'merge'));
    }
    return object;
  }

  /** A dataclass built from its fields: annotated class attributes, in order, bases first. */
  private dataclassInstance(frame: Frame, cls: ClassInfo, args: Args): ObjectValue {
    const names: string[] = [];
    for (const entry of [...this.mro(cls)].reverse()) {
      if (entry.kind !== 'class') continue;
      for (const statement of field((entry as ClassInfo).node, 'body')?.children ?? []) {
        const assignment = statement.type === 'expression_statement' ? namedChildren(statement)[0] : null;
        if (assignment?.type !== 'assignment' || !field(assignment, 'type')) continue;
        const left = field(assignment, 'left');
        if (left?.type === 'identifier') {
          const name = textOf((entry as ClassInfo).module.text, left);
          if (!names.includes(name)) names.push(name);
        }
      }
    }
    const fields = new Map<string, Value>();
    names.forEach((name, i) => {
      const given = i < args.positional.length ? args.positional[i] : args.keywords.get(name);
      const fallback = this.member(cls, name, frame);
      fields.set(name, given ?? (args.open ? UNKNOWN : fallback?.kind === 'value' ? fallback.value : UNKNOWN));
    });
    return { t: 'object', cls, exact: true, fields };
  }

  /** `self` in a method's merged evaluation: every instance of the class (or a subclass) built in the program. */
  receiver(frame: Frame, fn: FunctionInfo): Value {
    const cls = fn.owner!;
    if (fn.decorators.includes('classmethod')) return { t: 'ref', ref: cls };
    const empty: ObjectValue = { t: 'object', cls, exact: false, fields: new Map() };
    if (fn.name.endsWith('.__init__')) return empty;
    // Every instance built in the program; with none, what the constructor sets up.
    const instances = this.analysis.readCell(frame, `instances:${cls.id}`) ?? this.template(frame, cls);
    return instances?.t === 'object' ? { ...instances, exact: false, cls: instances.cls ?? cls } : empty;
  }

  /** The object `__init__` (of the class or the base that defines it) builds in its merged evaluation. */
  private template(frame: Frame, cls: ClassInfo): Value | null {
    const init = this.member(cls, '__init__', frame);
    return init?.kind === 'function' ? this.analysis.readCell(frame, `template:${init.fn.id}`) : null;
  }

  callObject(frame: Frame, env: Env, object: ObjectValue, args: Args, node: PyNode, receiver: PyNode | null): Value {
    const cls = object.cls;
    if (!cls) return UNKNOWN;
    if (cls.kind === 'library') return callLibraryObject(this.analysis, frame, env, object, args, node);
    if (cls.kind !== 'class') return UNKNOWN;
    const info = cls as ClassInfo;
    const method = this.member(info, '__call__', frame) ?? (this.isTorchModule(info) ? this.member(info, 'forward', frame) : null);
    if (method?.kind !== 'function') return UNKNOWN;
    return this.analysis.calls.apply(frame, env, { t: 'ref', ref: method.fn, self: object }, args, node, receiver);
  }

  objectAttribute(frame: Frame, object: ObjectValue, name: string, node: PyNode): Value {
    const cls = object.cls;
    const own = object.fields.get(name);
    // A library object (`nn.Linear`, a numpy Generator): its fields, else its methods by name.
    if (cls?.kind === 'library') return own ?? { t: 'ref', ref: this.analysis.library(`${cls.name}.${name}`), self: object };
    if (!cls || cls.kind !== 'class') return own ?? UNKNOWN;
    const info = cls as ClassInfo;
    const stored = this.stored(frame, info, name, node);
    if (own) return stored ? this.analysis.join(frame, own, stored, node, name) : own;
    const member = this.member(info, name, frame);
    if (member?.kind === 'function') {
      const fn = member.fn;
      if (fn.decorators.includes('property')) {
        const bound = this.analysis.calls.bind(frame, fn, { positional: [], keywords: new Map(), open: false, nodes: [], values: [] }, object, null);
        return bound ? this.analysis.callFunction(frame, fn, bound).value : UNKNOWN;
      }
      if (fn.decorators.includes('staticmethod')) return { t: 'ref', ref: fn };
      if (fn.decorators.includes('classmethod')) return { t: 'ref', ref: fn, self: { t: 'ref', ref: info } };
      return { t: 'ref', ref: fn, self: object };
    }
    if (member?.kind === 'value') return stored ? this.analysis.join(frame, member.value, stored, node, name) : member.value;
    if (stored) return stored;
    // Methods torch modules inherit (`register_buffer`, `to`) are the library's.
    return this.isTorchModule(info) ? { t: 'ref', ref: this.analysis.library(`torch.nn.Module.${name}`), self: object } : UNKNOWN;
  }

  /** What methods other than the constructor store into an attribute, over the class and its bases. */
  private stored(frame: Frame, cls: ClassInfo, name: string, node: PyNode): Value | null {
    let value: Value | null = null;
    for (const entry of this.mro(cls)) {
      if (entry.kind !== 'class') continue;
      const next = this.analysis.readCell(frame, `attrstore:${(entry as ClassInfo).id}:${name}`);
      if (next) value = value ? this.analysis.join(frame, value, next, node, name) : next;
    }
    return value;
  }

  /** `self.x = v` outside the constructor: every instance may hold it afterwards. */
  storedAttribute(frame: Frame, object: ObjectValue, name: string, value: Value, target: PyNode): void {
    const fn = frame.fn;
    if (!fn?.owner || fn.name.endsWith('.__init__') || fn.name.endsWith('.__post_init__')) return;
    const objectNode = field(target, 'object');
    const selfName = this.analysis.calls.selfName(fn);
    if (!objectNode || !selfName || textOf(frame.module.text, objectNode) !== selfName) return;
    if (this.calledFromConstructor(fn)) return;
    this.analysis.contribute(frame, `attrstore:${fn.owner.id}:${name}`, `${this.analysis.nodeId(target)}`, value, name, this.analysis.origin(frame, target, 'merge'));
    void object;
  }

  /** A helper only the constructor calls (`self._build()`): its stores are part of construction. */
  private calledFromConstructor(fn: FunctionInfo): boolean {
    const name = fn.name.slice(fn.name.lastIndexOf('.') + 1);
    const owner = fn.owner!;
    const text = owner.module.text;
    const pattern = new RegExp(`\\bself\\.${name}\\b`, 'g');
    const init = owner.scope.bindings.get('__init__')?.[0]?.statement;
    const inInit = init ? (textOf(text, init).match(pattern)?.length ?? 0) : 0;
    const everywhere = textOf(text, owner.node).match(pattern)?.length ?? 0;
    return inInit > 0 && inInit === everywhere;
  }

  referenceAttribute(frame: Frame, value: Extract<Value, { t: 'ref' }>, name: string, node: PyNode): Value {
    const ref = value.ref;
    if (ref.kind === 'library') {
      if (ref.name === '<super>') return this.superAttribute(frame, value, name, node);
      return this.analysis.libraryValue(`${ref.name}.${name}`);
    }
    if (ref.kind === 'module') {
      const module = (ref as ModuleReference).module;
      const key = globalKey(this.analysis, module, name);
      return this.analysis.readCell(frame, key) ?? { t: 'unknown', symbol: { key, name } };
    }
    if (ref.kind === 'class') {
      const member = this.member(ref as ClassInfo, name, frame);
      if (member?.kind === 'function') return member.fn.decorators.includes('classmethod') ? { t: 'ref', ref: member.fn, self: value } : { t: 'ref', ref: member.fn };
      return member?.kind === 'value' ? member.value : UNKNOWN;
    }
    return UNKNOWN;
  }

  /** `super().name`: looked up in the receiver's class after the class whose method runs. */
  private superAttribute(frame: Frame, value: Extract<Value, { t: 'ref' }>, name: string, node: PyNode): Value {
    const parts = value.self?.t === 'tuple' ? value.self.items : null;
    const current = parts?.[0]?.t === 'ref' ? (parts[0].ref as ClassInfo) : null;
    const receiver = parts?.[1];
    if (!current || !receiver) return UNKNOWN;
    const from = receiver.t === 'object' && receiver.cls?.kind === 'class' ? (receiver.cls as ClassInfo) : current;
    const member = this.member(from, name, frame, current);
    if (member?.kind === 'function') return { t: 'ref', ref: member.fn, self: receiver };
    void node;
    return member?.kind === 'value' ? member.value : UNKNOWN;
  }

  /** `super()` in a method: the class it is defined in and its receiver. */
  superOf(frame: Frame, env: Env): Value {
    const fn = frame.fn;
    const selfName = fn ? this.analysis.calls.selfName(fn) : null;
    if (!fn?.owner || !selfName) return UNKNOWN;
    const self = env.get(selfName) ?? UNKNOWN;
    return { t: 'ref', ref: this.analysis.library('<super>'), self: { t: 'tuple', items: [{ t: 'ref', ref: fn.owner }, self] } };
  }

  /**
   * An instance passed to a library call other than a container may be called there (as
   * `nn.Sequential` does): its `forward` then has callers the analysis cannot see.
   */
  noteEscapes(frame: Frame, callee: string, args: Args): void {
    if (HOLDERS.has(callee) || callee.startsWith('<array>.')) return;
    for (const value of args.positional) this.noteEscape(frame, callee, value);
    if (args.keywords.size > 0) args.keywords.forEach((value) => this.noteEscape(frame, callee, value));
  }

  private noteEscape(frame: Frame, callee: string, value: Value): void {
    if (value.t !== 'object' || value.cls?.kind !== 'class') return;
    for (const entry of this.mro(value.cls as ClassInfo)) {
      if (entry.kind === 'class') this.analysis.contribute(frame, `escape:${(entry as ClassInfo).id}`, callee, { t: 'none' }, 'escape', this.analysis.origin(frame, (entry as ClassInfo).node, 'unknown'));
    }
  }
}
