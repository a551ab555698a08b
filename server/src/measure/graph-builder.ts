/**
 * Builds one ONNX graph of float32 values, tracking every value's shape so the memory guard can
 * count what the graph allocates and the lowering can plan reshapes.
 */
import {
  AttributeType,
  TensorDataType,
  encodeModel,
  type AttributeObject,
  type NodeObject,
  type TensorObject,
  type ValueInfoObject,
} from './onnx-proto';

/** A value in the graph: its name and its shape (dimension sizes). */
export interface GraphValue {
  name: string;
  shape: number[];
}

export type AttributeValue = number | string | number[];

export class GraphBuilder {
  private readonly nodes: NodeObject[] = [];
  private readonly initializers: TensorObject[] = [];
  private readonly inputs: ValueInfoObject[] = [];
  private readonly outputs: ValueInfoObject[] = [];
  private nextValue = 0;
  /** Elements of every value a node produces: what running the graph allocates, at most. */
  private producedElements = 0;

  constructor(private readonly name: string) {}

  input(name: string, shape: number[]): GraphValue {
    this.inputs.push(valueInfo(name, shape));
    return { name, shape };
  }

  /** A constant int64 vector (shapes for Reshape, axes for ReduceSum). */
  int64Constant(values: number[]): string {
    const name = this.freshName('const');
    this.initializers.push({ name, dims: [values.length], dataType: TensorDataType.INT64, int64Data: values });
    return name;
  }

  /** A constant float32 scalar (scale factors). */
  floatScalar(value: number): string {
    const name = this.freshName('const');
    this.initializers.push({ name, dims: [], dataType: TensorDataType.FLOAT, floatData: [value] });
    return name;
  }

  /**
   * Appends a node with one output of the given shape. `extraElements` counts buffers the
   * kernel allocates inside (Einsum's left-to-right intermediates).
   */
  node(opType: string, inputs: string[], shape: number[], attributes: Record<string, AttributeValue> = {}, extraElements = 0): GraphValue {
    const output = this.freshName(opType.toLowerCase());
    this.nodes.push({
      name: `${opType}_${this.nodes.length}`,
      opType,
      input: inputs,
      output: [output],
      attribute: Object.entries(attributes).map(([key, value]) => attribute(key, value)),
    });
    this.producedElements += elementCount(shape) + extraElements;
    return { name: output, shape };
  }

  output(value: GraphValue): void {
    this.outputs.push(valueInfo(value.name, value.shape));
  }

  get nodeCount(): number {
    return this.nodes.length;
  }

  /** Op types in node order, e.g. `['Transpose', 'MatMul']`. */
  get opTypes(): string[] {
    return this.nodes.map((n) => n.opType);
  }

  get allocatedElements(): number {
    return this.producedElements;
  }

  encode(docString: string): Uint8Array {
    return encodeModel(
      { name: this.name, node: this.nodes, initializer: this.initializers, input: this.inputs, output: this.outputs, docString },
      docString,
    );
  }

  private freshName(prefix: string): string {
    return `${prefix}_${this.nextValue++}`;
  }
}

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((product, d) => product * d, 1);
}

function valueInfo(name: string, shape: number[]): ValueInfoObject {
  return { name, type: { tensorType: { elemType: TensorDataType.FLOAT, shape: { dim: shape.map((d) => ({ dimValue: d })) } } } };
}

function attribute(name: string, value: AttributeValue): AttributeObject {
  if (typeof value === 'string') return { name, type: AttributeType.STRING, s: new TextEncoder().encode(value) };
  if (Array.isArray(value)) return { name, type: AttributeType.INTS, ints: value };
  if (Number.isInteger(value)) return { name, type: AttributeType.INT, i: value };
  return { name, type: AttributeType.FLOAT, f: value };
}
