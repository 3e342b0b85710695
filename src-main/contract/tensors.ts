// Named tensors: what travels beside a message's body, any number of them, each with a name, a
// dtype and a shape (model weights, a control variate, a masked vector, a table of counts).
// On the wire each is one binary frame of its raw little-endian bytes (protocol/frames.ts).
import { z } from 'zod';

// uint16 and int8 carry compressed updates (half-precision bits, 8-bit codes: core/compression).
// float64 carries the exact regression solver's sums, whose precision decides the fit's.
export const DTYPES = ['float32', 'int32', 'uint32', 'uint16', 'int8', 'float64'] as const;
export type Dtype = (typeof DTYPES)[number];
export type TensorData = Float32Array | Int32Array | Uint32Array | Uint16Array | Int8Array | Float64Array;

export interface Tensor {
  readonly dtype: Dtype;
  readonly shape: readonly number[];
  readonly data: TensorData;
}

export type Tensors = Readonly<Record<string, Tensor>>;

export const TensorName = z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]{0,63}$/, 'a tensor name is a letter, then up to 63 letters, digits, ".", "_" or "-"');
export const TensorDescriptor = z.strictObject({
  name: TensorName,
  dtype: z.enum(DTYPES),
  shape: z.array(z.int().min(0).max(2 ** 31)).max(8),
});
export type TensorDescriptor = z.infer<typeof TensorDescriptor>;

/** The names of the tensors of the grid's messages. */
export const TENSOR = {
  /** The global model's weights (to a party), or its local weights (from it). */
  weights: 'weights',
  /** SCAFFOLD: the server's control variate (to a party), and a party's change of its own (from it). */
  control: 'control',
  controlDelta: 'controlDelta',
  /** Secure aggregation: a party's masked vector, in Z_2^32. */
  masked: 'masked',
  /** Compressed updates (trained minus global, core/compression), in place of the weights. */
  updateHalf: 'update.f16',
  updateCodes: 'update.q8',
  updateScale: 'update.scale',
  updateIndices: 'update.idx',
  updateValues: 'update.val',
  /** Exact regression: the coefficients (to a party) and its sums at them (from it). */
  coefficients: 'coefficients',
  sums: 'sums',
} as const;

export const BYTES_PER_ELEMENT: Record<Dtype, number> = { float32: 4, int32: 4, uint32: 4, uint16: 2, int8: 1, float64: 8 };

export function elementsOf(shape: readonly number[]): number {
  return shape.reduce((product, size) => product * size, 1);
}

export function dtypeOf(data: TensorData): Dtype {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof Uint16Array) return 'uint16';
  if (data instanceof Int8Array) return 'int8';
  if (data instanceof Float64Array) return 'float64';
  return 'uint32';
}

/** A flat tensor of this data (its shape is its length). */
export function tensorOf(data: TensorData, shape: readonly number[] = [data.length]): Tensor {
  if (elementsOf(shape) !== data.length) throw new RangeError(`a shape of [${shape.join(', ')}] does not hold ${data.length} values`);
  return { dtype: dtypeOf(data), shape: [...shape], data };
}

/** The tensor `name` as float32 values: present, of that dtype, and (when given) of this length. */
export function floatTensor(tensors: Tensors, name: string, length?: number): Float32Array {
  return typed(tensors, name, 'float32', length) as Float32Array;
}

/** The tensor `name` as float64 values (the exact solver's coefficients and sums). */
export function float64Tensor(tensors: Tensors, name: string, length?: number): Float64Array {
  return typed(tensors, name, 'float64', length) as Float64Array;
}

/** The tensor `name` as uint32 values (masked vectors). */
export function uintTensor(tensors: Tensors, name: string, length?: number): Uint32Array {
  return typed(tensors, name, 'uint32', length) as Uint32Array;
}

/** The tensor `name` as uint16 values (half-precision bits). */
export function uint16Tensor(tensors: Tensors, name: string, length?: number): Uint16Array {
  return typed(tensors, name, 'uint16', length) as Uint16Array;
}

/** The tensor `name` as int8 values (8-bit codes). */
export function int8Tensor(tensors: Tensors, name: string, length?: number): Int8Array {
  return typed(tensors, name, 'int8', length) as Int8Array;
}

function typed(tensors: Tensors, name: string, dtype: Dtype, length: number | undefined): TensorData {
  const tensor = tensors[name];
  if (!tensor) throw new TensorError(`the "${name}" tensor is missing`);
  if (tensor.dtype !== dtype) throw new TensorError(`the "${name}" tensor is ${tensor.dtype}, not ${dtype}`);
  if (length !== undefined && tensor.data.length !== length) throw new TensorError(`the "${name}" tensor holds ${tensor.data.length} values, not ${length}`);
  return tensor.data;
}

export class TensorError extends Error {
  readonly code = 'BAD_TENSORS';
  constructor(message: string) {
    super(message);
    this.name = 'TensorError';
  }
}
