// A party's update (trained minus global) as the named tensors of its compression, and back:
// the hub adds the decoded update to the global weights, so every strategy sees weights as usual.
import type { Compression } from '../../contract/records';
import { floatTensor, int8Tensor, TENSOR, TensorError, tensorOf, uint16Tensor, uintTensor, type Tensors } from '../../contract/tensors';
import { decodeFloat16, encodeFloat16 } from './float16';
import { decodeInt8, encodeInt8 } from './int8';
import { decodeTopk, encodeTopk } from './topk';

export interface CompressionSetting {
  method: Exclude<Compression, 'none'>;
  topkFraction: number;
}

/** What the party keeps between rounds: top-k's residual (what was not sent yet). */
export interface CompressionMemory {
  residual: Float64Array | null;
}

/** The update's tensors; `seed` drives 8-bit rounding; `memory` is updated in place (top-k). */
export function encodeUpdate(update: ArrayLike<number>, setting: CompressionSetting, seed: number, memory: CompressionMemory): Tensors {
  switch (setting.method) {
    case 'float16':
      return { [TENSOR.updateHalf]: tensorOf(encodeFloat16(update)) };
    case 'int8': {
      const { codes, scale } = encodeInt8(update, seed);
      return { [TENSOR.updateCodes]: tensorOf(codes), [TENSOR.updateScale]: tensorOf(Float32Array.of(scale)) };
    }
    case 'topk': {
      const { encoded, residual } = encodeTopk(update, setting.topkFraction, memory.residual);
      memory.residual = residual;
      return { [TENSOR.updateIndices]: tensorOf(encoded.indices), [TENSOR.updateValues]: tensorOf(encoded.values) };
    }
  }
}

/** The party's weights (global + decoded update); throws TensorError for tensors that do not fit. */
export function decodeUpdate(tensors: Tensors, method: CompressionSetting['method'], global: Float32Array): Float32Array {
  let update: Float32Array;
  try {
    update = decodeOnly(tensors, method, global.length);
  } catch (error) {
    if (error instanceof TensorError) throw error;
    throw new TensorError((error as Error).message);
  }
  for (let index = 0; index < update.length; index += 1) update[index] = global[index]! + update[index]!;
  return update;
}

function decodeOnly(tensors: Tensors, method: CompressionSetting['method'], length: number): Float32Array {
  switch (method) {
    case 'float16':
      return decodeFloat16(uint16Tensor(tensors, TENSOR.updateHalf, length));
    case 'int8':
      return decodeInt8({ codes: int8Tensor(tensors, TENSOR.updateCodes, length), scale: floatTensor(tensors, TENSOR.updateScale, 1)[0]! });
    case 'topk': {
      const indices = uintTensor(tensors, TENSOR.updateIndices);
      return decodeTopk({ indices, values: floatTensor(tensors, TENSOR.updateValues, indices.length) }, length);
    }
  }
}
