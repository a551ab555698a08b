/**
 * Element types of array expressions, where the code says them: constructors and their
 * `dtype=`, casts (`.astype`, `.float()`, `.to(torch.float16)`), jaxtyping annotations, and
 * arithmetic between known types. Rewrites need them: numpy promotes all einsum operands to
 * one type first while pairwise calls promote per pair, and a scalar factor moves exactly only
 * between floating tensors. Null means unknown, never a guess.
 */
import type { Library } from '../model';
import { HintIndex, parseHintComment } from './hints';
import type { NameResolver } from './resolve';
import { encloses, type Scope } from './scopes';
import { stringLiteralValue } from './strings';
import { binaryOperator, field, namedChildren, textOf, unwrap, type PyNode } from './syntax';

export type DtypeKind = 'bool' | 'int' | 'uint' | 'float' | 'complex';

export interface Dtype {
  /** numpy's spelling (`float64`, `uint8`), or `bfloat16`; null for a jaxtyping family of any width. */
  name: string | null;
  kind: DtypeKind;
}

const NAMED: Record<string, string> = {
  float64: 'float64', double: 'float64', float_: 'float64', f8: 'float64', d: 'float64',
  float32: 'float32', single: 'float32', f4: 'float32', f: 'float32',
  float16: 'float16', half: 'float16', f2: 'float16', e: 'float16',
  bfloat16: 'bfloat16',
  int64: 'int64', int_: 'int64', intp: 'int64', longlong: 'int64', long: 'int64', i8: 'int64',
  int32: 'int32', intc: 'int32', i4: 'int32',
  int16: 'int16', short: 'int16', i2: 'int16',
  int8: 'int8', byte: 'int8', i1: 'int8',
  uint8: 'uint8', ubyte: 'uint8', u1: 'uint8', B: 'uint8',
  uint16: 'uint16', u2: 'uint16', uint32: 'uint32', u4: 'uint32', uint64: 'uint64', u8: 'uint64',
  bool_: 'bool', bool: 'bool', '?': 'bool',
  complex128: 'complex128', cdouble: 'complex128', complex_: 'complex128', c16: 'complex128', cfloat: 'complex64',
  complex64: 'complex64', csingle: 'complex64', c8: 'complex64',
};

/** torch names that differ from numpy's (`torch.float` is float32, `torch.int` int32). */
const TORCH_NAMED: Record<string, string> = { float: 'float32', double: 'float64', half: 'float16', int: 'int32', long: 'int64', short: 'int16', cfloat: 'complex64' };

/** Python's own types as a dtype: `dtype=float` is float64 everywhere. */
const BUILTIN_TYPES: Record<string, string> = { float: 'float64', int: 'int64', bool: 'bool', complex: 'complex128' };

const FLOAT_DRAWS = new Set(
  'rand randn random random_sample ranf sample uniform normal standard_normal exponential gamma beta laplace logistic lognormal standard_cauchy standard_exponential standard_gamma standard_t chisquare'.split(' '),
);
const INT_DRAWS = new Set('randint integers binomial poisson geometric hypergeometric multinomial random_integers'.split(' '));
const FILLED = new Set('zeros ones empty eye identity tri'.split(' '));
const LIKE = new Set('zeros_like ones_like empty_like full_like rand_like randn_like'.split(' '));
/** Methods that keep the element type. */
const KEEP_METHODS = new Set(
  'transpose permute reshape view view_as contiguous copy clone detach squeeze unsqueeze flatten ravel cpu cuda numpy swapaxes swapdims movedim moveaxis expand expand_as repeat tile flip roll diagonal conj t'.split(' '),
);
const CAST_METHODS: Record<string, string> = { float: 'float32', double: 'float64', half: 'float16', bfloat16: 'bfloat16', int: 'int32', long: 'int64', short: 'int16', bool: 'bool', byte: 'uint8', char: 'int8' };
const JAXTYPING = /^(?:[A-Za-z_][A-Za-z_0-9]*\.)?(Bool|Int|UInt|Integer|Float|BFloat|Complex|Inexact)(\d*)\[/;
const JAXTYPING_KIND: Record<string, DtypeKind> = { Bool: 'bool', Int: 'int', Integer: 'int', UInt: 'uint', Float: 'float', BFloat: 'float', Complex: 'complex', Inexact: 'float' };

export function dtypeOf(name: string): Dtype {
  if (name === 'bool') return { name, kind: 'bool' };
  if (name.startsWith('uint')) return { name, kind: 'uint' };
  if (name.startsWith('int')) return { name, kind: 'int' };
  if (name.startsWith('complex')) return { name, kind: 'complex' };
  return { name, kind: 'float' };
}

/** float16 and bfloat16: a narrow range or few digits, where moving arithmetic changes results. */
export function isHalf(dtype: Dtype): boolean {
  return dtype.name === 'float16' || dtype.name === 'bfloat16';
}

export class DtypeInference {
  private defaultFloatChanged: boolean | null = null;
  private hintIndex: HintIndex<Scope> | null = null;
  private readonly inProgress = new Map<readonly unknown[], Dtype | null>();

  constructor(private readonly resolver: NameResolver) {}

  private get source(): string {
    return this.resolver.source;
  }

  /** The element type of `expression` when the code says it; `library` decides defaults (torch: float32). */
  infer(expression: PyNode, library: Library, depth = 0): Dtype | null {
    if (depth > 12) return null;
    const node = unwrap(expression);
    const hinted = node.type === 'identifier' || node.type === 'attribute' ? this.hinted(node) : null;
    if (hinted) return hinted;
    switch (node.type) {
      case 'identifier':
        return this.named(node, library, depth);
      case 'call':
        return this.call(node, library, depth);
      case 'subscript':
        return this.infer(field(node, 'value')!, library, depth + 1);
      case 'attribute': {
        const attribute = textOf(this.source, field(node, 'attribute')!);
        if (['T', 'mT', 'H', 'mH', 'data'].includes(attribute)) return this.infer(field(node, 'object')!, library, depth + 1);
        return this.selfAttribute(node, attribute, library, depth);
      }
      case 'unary_operator':
        return this.infer(namedChildren(node)[0], library, depth + 1);
      case 'named_expression':
        return this.infer(field(node, 'value')!, library, depth + 1);
      case 'binary_operator':
        return this.arithmetic(node, library, depth);
      default:
        return null;
    }
  }

  /** `# einsight: x[4, 5] float32`: the type a hint comment gives the name (or dotted name) here. */
  private hinted(node: PyNode): Dtype | null {
    if (!this.hintIndex) {
      const index = new HintIndex<Scope>(encloses);
      const text = this.source;
      for (const comment of [...this.resolver.facts.comments].sort((a, b) => a.start - b.start)) {
        const hint = parseHintComment(textOf(text, comment), comment.start, text.lastIndexOf('\n', comment.start - 1) + 1);
        if (hint) index.add(hint, this.resolver.scopeAt(comment));
      }
      this.hintIndex = index;
    }
    const name = textOf(this.source, node).replace(/\s+/g, '');
    const dtype = this.hintIndex.shape(name, node.start, this.resolver.scopeAt(node))?.dtype;
    return dtype ? dtypeOf(dtype) : null;
  }

  /** `self.W` in a method: the one type every `self.W = ...` of the class gives it. */
  private selfAttribute(node: PyNode, attribute: string, library: Library, depth: number): Dtype | null {
    const object = unwrap(field(node, 'object')!);
    if (object.type !== 'identifier' || textOf(this.source, object) !== 'self') return null;
    const method = this.resolver.scopeAt(node);
    const owner = method.kind === 'function' ? method.parent : null;
    const values = owner?.kind === 'class' ? (this.resolver.facts.selfAttributes.get(owner)?.get(attribute) ?? []) : [];
    if (this.inProgress.has(values)) return this.inProgress.get(values)!;
    this.inProgress.set(values, null);
    try {
      let found: Dtype | null = null;
      for (const value of values) {
        const dtype = this.infer(value, library, depth + 1);
        if (!dtype || (found && !sameDtype(found, dtype))) return null;
        found = dtype;
        this.inProgress.set(values, found);
      }
      return found;
    } finally {
      this.inProgress.delete(values);
    }
  }

  /** A name bound only to values of one known type (in-place updates keep it). */
  private named(node: PyNode, library: Library, depth: number): Dtype | null {
    const binding = this.resolver.resolve(node);
    if (!binding) return null;
    if (binding.kind === 'parameter') return binding.annotation ? this.annotated(binding.annotation) : null;
    const bindings = binding.scope.bindings.get(binding.name) ?? [];
    // `A = A * 2` reads A while A's type is being worked out: it stands for the type found so far.
    if (this.inProgress.has(bindings)) return this.inProgress.get(bindings)!;
    this.inProgress.set(bindings, null);
    try {
      let found: Dtype | null = null;
      for (const b of bindings) {
        if (b.kind === 'augmented' || b.kind === 'delete') continue;
        if ((b.kind !== 'assign' && b.kind !== 'walrus') || !b.value) return null;
        const dtype = b.annotation ? this.annotated(b.annotation) : this.infer(b.value, library, depth + 1);
        if (!dtype || (found && !sameDtype(found, dtype))) return null;
        found = dtype;
        this.inProgress.set(bindings, found);
      }
      return found;
    } finally {
      this.inProgress.delete(bindings);
    }
  }

  /** jaxtyping: `Float32[Tensor, "b n"]` is float32; `Float[...]` a float of some width. */
  private annotated(annotation: PyNode): Dtype | null {
    const match = JAXTYPING.exec(textOf(this.source, annotation).replace(/^\s+/, ''));
    if (!match) return null;
    const kind = JAXTYPING_KIND[match[1]];
    if (match[1] === 'BFloat') return { name: 'bfloat16', kind };
    const bits = match[2];
    if (!bits) return { name: kind === 'bool' ? 'bool' : null, kind };
    return dtypeOf(`${kind}${bits}`);
  }

  private call(node: PyNode, library: Library, depth: number): Dtype | null {
    const callee = field(node, 'function');
    const args = namedChildren(field(node, 'arguments') ?? node);
    const positional = args.filter((a) => a.type !== 'keyword_argument');
    const keyword = (name: string) => {
      const arg = args.find((a) => a.type === 'keyword_argument' && textOf(this.source, field(a, 'name') ?? a) === name);
      return arg ? field(arg, 'value') : null;
    };
    const explicit = keyword('dtype');
    if (explicit) return this.dtypeValue(explicit);
    const qualified = this.resolver.qualifiedName(callee);
    if (qualified) return this.libraryCall(qualified, positional, library, depth);
    if (callee?.type !== 'attribute') return null;
    const receiver = field(callee, 'object')!;
    const method = textOf(this.source, field(callee, 'attribute')!);
    if (Object.hasOwn(CAST_METHODS, method) && positional.length === 0) return dtypeOf(CAST_METHODS[method]);
    if (method === 'astype' && positional[0]) return this.dtypeValue(positional[0]);
    if (method === 'to') {
      const target = positional.find((a) => this.dtypeValue(a) !== null);
      if (target) return this.dtypeValue(target);
      // `.to(device)` keeps the type; `.to(other)` takes other's.
      return positional.every((a) => isDeviceLike(a, this.source)) ? this.infer(receiver, library, depth + 1) : null;
    }
    if (KEEP_METHODS.has(method)) return this.infer(receiver, library, depth + 1);
    return this.generatorDraw(receiver, method);
  }

  private libraryCall(qualified: string, positional: PyNode[], library: Library, depth: number): Dtype | null {
    const torch = qualified.startsWith('torch.');
    const name = qualified.slice(qualified.lastIndexOf('.') + 1);
    const floatDefault = torch ? (this.torchDefaultChanged() ? null : dtypeOf('float32')) : dtypeOf('float64');
    const random = qualified.startsWith('numpy.random.') || torch;
    if (random && FLOAT_DRAWS.has(name)) return floatDefault;
    if (random && INT_DRAWS.has(name)) return dtypeOf('int64');
    if (FILLED.has(name) || name === 'linspace' || name === 'logspace') return floatDefault;
    if (LIKE.has(name) && positional[0]) return this.infer(positional[0], library, depth + 1);
    if (name === 'full' && positional[1]) return this.literalKind(positional[1], torch) ?? this.infer(positional[1], library, depth + 1);
    if (name === 'arange') {
      const kinds = positional.map((a) => this.pythonNumber(a, depth + 1));
      if (kinds.some((k) => k === null)) return null;
      return kinds.includes('float') ? floatDefault : dtypeOf('int64');
    }
    if (['array', 'asarray', 'tensor', 'as_tensor', 'asanyarray', 'ascontiguousarray'].includes(name) && positional[0]) {
      return this.literalKind(positional[0], torch) ?? this.infer(positional[0], library, depth + 1);
    }
    const products = ['einsum', 'matmul', 'dot', 'tensordot', 'mm', 'bmm', 'inner', 'outer', 'kron', 'multiply', 'add', 'subtract', 'transpose', 'contract'];
    if (products.includes(name)) {
      const arrays = positional.filter((a) => !['string', 'concatenated_string', 'list'].includes(unwrap(a).type) && this.pythonNumber(a, depth + 1) === null);
      const types = arrays.map((a) => this.infer(a, library, depth + 1));
      return types.length > 0 && types.every((t) => t !== null && sameDtype(t, types[0]!)) ? types[0] : null;
    }
    return null;
  }

  /** `rng.random(...)` on `rng = np.random.default_rng(...)` (or on the call itself). */
  private generatorDraw(receiver: PyNode, method: string): Dtype | null {
    const node = unwrap(receiver);
    const binding = node.type === 'identifier' ? this.resolver.resolveUnique(node) : null;
    const value = binding?.value ? unwrap(binding.value) : node.type === 'call' ? node : null;
    const maker = value?.type === 'call' ? this.resolver.qualifiedName(field(value, 'function')) : null;
    if (maker !== 'numpy.random.default_rng' && maker !== 'numpy.random.Generator') return null;
    if (FLOAT_DRAWS.has(method)) return dtypeOf('float64');
    return INT_DRAWS.has(method) ? dtypeOf('int64') : null;
  }

  /** The type a literal (or nested list of literals) makes: ints int64, floats the default float, bools bool. */
  private literalKind(node: PyNode, torch: boolean): Dtype | null {
    const leaves: PyNode[] = [];
    const visit = (n: PyNode): boolean => {
      const inner = unwrap(n);
      if (inner.type === 'list' || inner.type === 'tuple') return namedChildren(inner).every(visit);
      if (inner.type === 'unary_operator') return visit(namedChildren(inner)[0]);
      leaves.push(inner);
      return ['integer', 'float', 'true', 'false'].includes(inner.type);
    };
    if (!visit(node) || leaves.length === 0) return null;
    if (leaves.some((l) => isImaginary(l, this.source))) return torch ? null : dtypeOf('complex128');
    if (leaves.some((l) => l.type === 'float')) return dtypeOf(torch && !this.torchDefaultChanged() ? 'float32' : 'float64');
    if (leaves.some((l) => l.type === 'integer')) return dtypeOf('int64');
    return dtypeOf('bool');
  }

  /** `np.float32`, `torch.half`, `'f4'`, `float`: the dtype a `dtype=` value names. */
  dtypeValue(node: PyNode): Dtype | null {
    const inner = unwrap(node);
    if (inner.type === 'string') {
      const text = stringLiteralValue(textOf(this.source, inner));
      return text !== null && Object.hasOwn(NAMED, text) ? dtypeOf(NAMED[text]) : null;
    }
    if (inner.type === 'identifier' && !this.resolver.resolve(inner)) {
      const text = textOf(this.source, inner);
      return Object.hasOwn(BUILTIN_TYPES, text) ? dtypeOf(BUILTIN_TYPES[text]) : null;
    }
    const qualified = this.resolver.qualifiedName(inner);
    if (!qualified) return null;
    const name = qualified.slice(qualified.lastIndexOf('.') + 1);
    if (qualified.startsWith('torch.')) {
      if (Object.hasOwn(TORCH_NAMED, name)) return dtypeOf(TORCH_NAMED[name]);
      return Object.hasOwn(NAMED, name) && name !== 'bool_' ? dtypeOf(NAMED[name]) : null;
    }
    if (qualified.startsWith('numpy.') || qualified.startsWith('jax.numpy.')) return Object.hasOwn(NAMED, name) ? dtypeOf(NAMED[name]) : null;
    return null;
  }

  /** Arithmetic: two arrays of one type keep it; an array and a Python number follow the array (NEP 50). */
  private arithmetic(node: PyNode, library: Library, depth: number): Dtype | null {
    const op = binaryOperator(node);
    if (!op || !['+', '-', '*', '/', '@', '//', '%', '**'].includes(op)) return null;
    const sides = [field(node, 'left')!, field(node, 'right')!].map(unwrap);
    const scalars = sides.map((s) => this.pythonNumber(s, depth));
    const types = sides.map((s, k) => (scalars[k] ? null : this.infer(s, library, depth + 1)));
    const torch = library === 'torch';
    const promoteFloat = (dtype: Dtype) => (torch ? (this.torchDefaultChanged() ? null : dtypeOf('float32')) : dtype.kind === 'complex' ? dtype : dtypeOf('float64'));
    let result: Dtype | null;
    if (scalars[0] && scalars[1]) return null;
    if (scalars[0] || scalars[1]) {
      const array = types[scalars[0] ? 1 : 0];
      if (!array) return null;
      const scalar = scalars[0] ?? scalars[1];
      const integral = array.kind === 'int' || array.kind === 'uint' || array.kind === 'bool';
      if (integral && (scalar === 'float' || op === '/')) result = promoteFloat(array);
      else if (array.kind === 'bool') result = dtypeOf('int64');
      else result = array;
    } else {
      if (!types[0] || !types[1] || !sameDtype(types[0], types[1])) return null;
      const integral = types[0].kind !== 'float' && types[0].kind !== 'complex';
      result = op === '/' && integral ? promoteFloat(types[0]) : types[0];
    }
    return result;
  }

  /**
   * A Python number, not an array: a literal, `math.sqrt(d)`, `float(x)`, a name bound to one,
   * a loop variable over `range(...)`. 'float' or 'integer'; null when not known to be one.
   */
  private pythonNumber(expression: PyNode, depth: number): 'integer' | 'float' | null {
    if (depth > 12) return null;
    const node = unwrap(expression);
    // `2j` is complex: not a number these rules follow.
    if (isImaginary(node, this.source)) return null;
    if (node.type === 'integer' || node.type === 'float') return node.type;
    if (node.type === 'unary_operator') return this.pythonNumber(namedChildren(node)[0], depth + 1);
    if (node.type === 'binary_operator') {
      const sides = [field(node, 'left')!, field(node, 'right')!].map((side) => this.pythonNumber(side, depth + 1));
      if (sides.some((side) => side === null)) return null;
      return sides.includes('float') || binaryOperator(node) === '/' ? 'float' : 'integer';
    }
    if (node.type === 'call') {
      const callee = field(node, 'function');
      const qualified = this.resolver.qualifiedName(callee);
      if (qualified?.startsWith('math.')) return ['floor', 'ceil', 'trunc', 'factorial', 'comb', 'perm', 'gcd', 'lcm', 'isqrt'].includes(qualified.slice(5)) ? 'integer' : 'float';
      const builtin = callee?.type === 'identifier' && !this.resolver.resolve(callee) ? textOf(this.source, callee) : null;
      return builtin === 'float' ? 'float' : builtin === 'int' || builtin === 'len' ? 'integer' : null;
    }
    if (node.type === 'attribute') return ['math.pi', 'math.e', 'math.tau', 'math.inf'].includes(this.resolver.qualifiedName(node) ?? '') ? 'float' : null;
    if (node.type !== 'identifier') return null;
    const binding = this.resolver.resolveUnique(node);
    if (binding?.kind === 'assign' && binding.value) return this.pythonNumber(binding.value, depth + 1);
    if (binding?.kind === 'loop') {
      const loop = binding.statement;
      const iterable = loop.type === 'for_statement' ? field(loop, 'right') : null;
      const over = iterable?.type === 'call' ? field(iterable, 'function') : null;
      const simple = field(loop, 'left')?.type === 'identifier';
      return simple && over?.type === 'identifier' && textOf(this.source, over) === 'range' && !this.resolver.resolve(over) ? 'integer' : null;
    }
    return null;
  }

  /** `torch.set_default_dtype(...)` anywhere: torch's float default is then unknown. */
  private torchDefaultChanged(): boolean {
    this.defaultFloatChanged ??= this.resolver.facts.calls.some((call) => /set_default_dtype|set_default_tensor_type/.test(textOf(this.source, field(call, 'function') ?? call)));
    return this.defaultFloatChanged;
  }
}

function isImaginary(node: PyNode, source: string): boolean {
  return (node.type === 'integer' || node.type === 'float') && /[jJ]$/.test(textOf(source, node));
}

export function sameDtype(a: Dtype, b: Dtype): boolean {
  return a.kind === b.kind && a.name === b.name && a.name !== null;
}

function isDeviceLike(node: PyNode, source: string): boolean {
  const inner = unwrap(node);
  if (inner.type === 'string') return /^[rbuRBU]*['"](cpu|cuda|mps|meta)/.test(textOf(source, inner));
  return /device/i.test(textOf(source, inner));
}
