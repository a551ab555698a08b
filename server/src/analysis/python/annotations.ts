/**
 * Shapes written in type annotations: jaxtyping (`Float[Tensor, "batch 4 5"]`) and
 * `Annotated[Tensor, "batch 4 5"]` / `Annotated[np.ndarray, (4, 5)]`.
 */
import type { Dim } from '../../core/contraction';
import type { NameResolver } from './resolve';
import { stringLiteralValue } from './strings';
import { field, namedChildren, textOf, unwrap, type PyNode } from './syntax';

/** jaxtyping's array annotations: a dtype family, optionally with a bit width. */
const JAXTYPING = /^(Shaped|Bool|Key|Num|Real|Inexact|Integer|Int|UInt|Float|BFloat|Complex)\d*$/;

/** The dimension list an annotation spells, or null when it has none (or a variadic one). */
export function annotationDims(annotation: PyNode, resolver: NameResolver): PyNode | null {
  let node = unwrap(annotation);
  if (node.type === 'type') node = namedChildren(node)[0] ?? node;
  // `x: "Float[Tensor, 'b n']"` is a string annotation; it is not read.
  const { head, params } = genericParts(node);
  if (!head || params.length < 2) return null;
  const name = headName(head, resolver);
  if (name === null) return null;
  if (name === 'Annotated' || JAXTYPING.test(name)) return params[1];
  return null;
}

/** Reads `"batch 4 5"` (jaxtyping syntax) or `(4, B)`; null when the rank is not fixed. */
export function parseDimSpec(spec: PyNode, source: string): { dims: (Dim | PyNode)[] } | null {
  const node = unwrap(spec.type === 'type' ? (namedChildren(spec)[0] ?? spec) : spec);
  if (node.type === 'string') {
    const decoded = stringLiteralValue(textOf(source, node));
    return decoded === null ? null : parseJaxtypingDims(decoded);
  }
  if (node.type === 'tuple' || node.type === 'list') return { dims: [...namedChildren(node)] };
  return null;
}

/** jaxtyping dims: integers, names, `_` (any size), `#name` (broadcastable); `...`/`*name` make the rank unknown. */
function parseJaxtypingDims(text: string): { dims: Dim[] } | null {
  const tokens = text.trim() === '' ? [] : text.trim().split(/\s+/);
  const dims: Dim[] = [];
  for (const raw of tokens) {
    const token = raw.replace(/^#/, '');
    if (token === '...' || token.startsWith('*') || token.startsWith('#*')) return null;
    if (/^[0-9]+$/.test(token)) dims.push(Number(token));
    else if (token === '_') dims.push(null);
    else if (/^[A-Za-z_][A-Za-z_0-9]*$/.test(token)) dims.push(token);
    // A symbolic expression such as `dim-1`: the size is unknown but the rank is not.
    else dims.push(null);
  }
  return { dims };
}

function genericParts(node: PyNode): { head: PyNode | null; params: PyNode[] } {
  if (node.type === 'generic_type') {
    const children = namedChildren(node);
    const parameters = children.find((c) => c.type === 'type_parameter');
    return { head: children[0] ?? null, params: parameters ? [...namedChildren(parameters)] : [] };
  }
  if (node.type === 'subscript') {
    const subscripts = node.children.filter((c) => c.field === 'subscript');
    return { head: field(node, 'value'), params: subscripts };
  }
  return { head: null, params: [] };
}

function headName(head: PyNode, resolver: NameResolver): string | null {
  const node = head.type === 'type' ? (namedChildren(head)[0] ?? head) : head;
  const qualified = resolver.qualifiedName(node);
  if (qualified) {
    const typing = qualified.startsWith('jaxtyping.') || /^typing(_extensions)?\.Annotated$/.test(qualified);
    return typing ? qualified.slice(qualified.lastIndexOf('.') + 1) : null;
  }
  // A name nothing binds (a snippet without its imports) is read by its spelling.
  return node.type === 'identifier' && !resolver.resolve(node) ? textOf(resolver.source, node) : null;
}
