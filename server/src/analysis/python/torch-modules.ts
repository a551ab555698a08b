/**
 * torch's built-in modules: `nn.Linear(in, out)` and friends as objects with their parameters'
 * shapes (`.weight` is `[out, in]`), what calling one returns, `nn.Parameter`, and the
 * containers `nn.ModuleList`, `nn.ModuleDict` and `nn.Sequential`.
 */
import { UNKNOWN, type DimValue, type Value } from '../shapes/values';
import type { Args } from './calls';
import type { Env, Frame } from './frame';
import { LibraryCall } from './library-call';
import type { ShapeAnalysis } from './shape-analysis';
import type { PyNode } from './syntax';

type ObjectValue = Extract<Value, { t: 'object' }>;

/** Modules whose output has their input's shape. */
const SHAPE_KEEPING = new Set([
  'Dropout', 'Dropout1d', 'Dropout2d', 'ReLU', 'GELU', 'SiLU', 'Tanh', 'Sigmoid', 'Identity', 'Softmax', 'LogSoftmax', 'LeakyReLU', 'ELU',
  'Mish', 'Softplus', 'LayerNorm', 'RMSNorm', 'BatchNorm1d', 'BatchNorm2d', 'BatchNorm3d', 'GroupNorm', 'InstanceNorm1d', 'InstanceNorm2d',
  'Hardtanh', 'PReLU', 'SELU', 'CELU', 'Hardswish', 'AlphaDropout',
]);

/** `torch.nn.X(...)`: a module object, a parameter, or a container; null for modules not known. */
export function torchModule(call: LibraryCall, name: string): Value | null {
  const module = (fields: [string, Value][]): ObjectValue => ({ t: 'object', cls: call.analysis.library(`torch.nn.${name}`), exact: true, fields: new Map(fields) });
  const param = (dims: DimValue[]) => call.result({ dims }, 'torch');
  switch (name) {
    case 'Parameter':
    case 'parameter.Parameter':
    case 'Buffer':
      return call.same(call.arg(0, 'data'));
    case 'Linear': {
      const [n, m] = [call.size(0, 'in_features'), call.size(1, 'out_features')];
      const bias = call.flag(['bias'], true);
      return module([['in_features', { t: 'int', dim: n }], ['out_features', { t: 'int', dim: m }], ['weight', param([m, n])], ...(bias === false ? [] : ([['bias', param([m])]] as [string, Value][]))]);
    }
    case 'Bilinear':
      return module([['out_features', { t: 'int', dim: call.size(2, 'out_features') }]]);
    case 'Embedding': {
      const [n, d] = [call.size(0, 'num_embeddings'), call.size(1, 'embedding_dim')];
      return module([['num_embeddings', { t: 'int', dim: n }], ['embedding_dim', { t: 'int', dim: d }], ['weight', param([n, d])]]);
    }
    case 'MultiheadAttention':
      return module([['embed_dim', { t: 'int', dim: call.size(0, 'embed_dim') }], ['batch_first', call.arg(-1, 'batch_first') ?? { t: 'bool', value: false }]]);
    case 'ModuleList':
    case 'ParameterList': {
      const items = call.arg(0, 'modules') ?? call.arg(0, 'values');
      if (!items) return { t: 'list', items: [], element: null };
      return items.t === 'list' ? items : items.t === 'tuple' ? { t: 'list', items: items.items, element: null } : { t: 'list', items: null, element: null };
    }
    case 'ModuleDict':
    case 'ParameterDict': {
      const items = call.arg(0, 'modules') ?? call.arg(0, 'parameters');
      return items?.t === 'dict' ? items : { t: 'dict', entries: new Map(), complete: !items };
    }
    case 'Sequential':
      return module([['<modules>', { t: 'tuple', items: call.args.open ? [UNKNOWN] : call.args.positional }]]);
    default:
      return SHAPE_KEEPING.has(name) ? module([]) : null;
  }
}

/** Calling a built-in module object. */
export function callTorchModule(analysis: ShapeAnalysis, frame: Frame, env: Env, object: ObjectValue, args: Args, node: PyNode): Value {
  const name = object.cls?.name ?? '';
  const call = new LibraryCall(analysis, frame, env, node, args, object, 'torch');
  const input = args.positional[0] ?? args.keywords.get('input');
  const inputShape = input?.t === 'array' ? input.shape : null;
  const short = name.slice('torch.nn.'.length);
  switch (short) {
    case 'Linear': {
      const out = object.fields.get('out_features');
      return call.result(inputShape && inputShape.dims.length >= 1 && out?.t === 'int' ? { dims: [...inputShape.dims.slice(0, -1), out.dim] } : null);
    }
    case 'Embedding': {
      const d = object.fields.get('embedding_dim');
      return call.result(inputShape && d?.t === 'int' ? { dims: [...inputShape.dims, d.dim] } : null);
    }
    case 'MultiheadAttention': {
      const [q, , v] = args.positional;
      const e = object.fields.get('embed_dim');
      const qs = q?.t === 'array' ? q.shape : null;
      const out = qs && e?.t === 'int' ? call.result({ dims: [...qs.dims.slice(0, -1), e.dim] }) : call.result(null);
      void v;
      return { t: 'tuple', items: [out, call.result(null)] };
    }
    case 'Sequential': {
      const modules = object.fields.get('<modules>');
      let value: Value = input ?? UNKNOWN;
      for (const module of modules?.t === 'tuple' ? modules.items : [UNKNOWN]) {
        value = analysis.calls.apply(frame, env, module, { positional: [value], keywords: new Map(), open: false, nodes: [], values: [] }, node, null);
      }
      return value;
    }
    default:
      return SHAPE_KEEPING.has(short) && input ? call.same(input) : UNKNOWN;
  }
}
