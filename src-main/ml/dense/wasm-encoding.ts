// Just enough of the WebAssembly binary format to assemble small SIMD kernels from TypeScript:
// LEB128 numbers, sections, the instructions the kernels use, and a module of functions over
// one imported memory. Opcodes as in the WebAssembly 2.0 specification (SIMD: prefix 0xfd).

export function uleb(value: number): number[] {
  const bytes: number[] = [];
  let rest = value >>> 0;
  do {
    let byte = rest & 0x7f;
    rest >>>= 7;
    if (rest !== 0) byte |= 0x80;
    bytes.push(byte);
  } while (rest !== 0);
  return bytes;
}

export function sleb(value: number): number[] {
  const bytes: number[] = [];
  let rest = value | 0;
  for (;;) {
    const byte = rest & 0x7f;
    rest >>= 7;
    if ((rest === 0 && (byte & 0x40) === 0) || (rest === -1 && (byte & 0x40) !== 0)) {
      bytes.push(byte);
      return bytes;
    }
    bytes.push(byte | 0x80);
  }
}

export const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
export const vector = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
export const name = (text: string): number[] => [...uleb(text.length), ...Array.from(text, (char) => char.charCodeAt(0))];

export const I32 = 0x7f;
export const F32 = 0x7d;
export const V128 = 0x7b;

/** The handful of instructions the kernel needs. Alignment hints are 4 bytes (f32). */
export const op = {
  get: (index: number) => [0x20, ...uleb(index)],
  set: (index: number) => [0x21, ...uleb(index)],
  tee: (index: number) => [0x22, ...uleb(index)],
  i32: (value: number) => [0x41, ...sleb(value)],
  add: [0x6a],
  sub: [0x6b],
  mul: [0x6c],
  shl: [0x74],
  and: [0x71],
  gtS: [0x4a],
  geS: [0x4e],
  eqz: [0x45],
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  if: [0x04, 0x40],
  end: [0x0b],
  br: (depth: number) => [0x0c, ...uleb(depth)],
  brIf: (depth: number) => [0x0d, ...uleb(depth)],
  i32Load: (offset = 0) => [0x28, 2, ...uleb(offset)],
  f32Load: (offset = 0) => [0x2a, 2, ...uleb(offset)],
  f32Store: (offset = 0) => [0x38, 2, ...uleb(offset)],
  f32Add: [0x92],
  f32Max: [0x97],
  f32Gt: [0x5e],
  f32Mul: [0x94],
  f32Zero: [0x43, 0, 0, 0, 0],
  v128Load: (offset = 0) => [0xfd, ...uleb(0x00), 2, ...uleb(offset)],
  v128Store: (offset = 0) => [0xfd, ...uleb(0x0b), 2, ...uleb(offset)],
  loadSplat: (offset = 0) => [0xfd, ...uleb(0x09), 2, ...uleb(offset)],
  v128Zero: [0xfd, ...uleb(0x0c), ...new Array<number>(16).fill(0)],
  f32x4Add: [0xfd, ...uleb(0xe4)],
  f32x4Mul: [0xfd, ...uleb(0xe6)],
  f32x4Max: [0xfd, ...uleb(0xe9)],
  f32x4Gt: [0xfd, ...uleb(0x44)],
  f32x4Splat: [0xfd, ...uleb(0x13)],
  v128And: [0xfd, ...uleb(0x4e)],
  select: [0x1b],
};

export const flat = (...parts: number[][]): number[] => parts.flat();

export interface WasmFunction {
  name: string;
  params: number[];
  /** Local declarations after the parameters: [count, type]. */
  locals: Array<[number, number]>;
  body: number[];
}

/** A module importing env.memory and exporting `functions` by name. */
export function moduleBytes(functions: readonly WasmFunction[]): Uint8Array {
  const types = section(1, vector(functions.map((fn) => [0x60, ...vector(fn.params.map((type) => [type])), 0])));
  const imports = section(2, vector([[...name('env'), ...name('memory'), 0x02, 0x00, ...uleb(1)]]));
  const declared = section(3, vector(functions.map((_fn, index) => uleb(index))));
  const exports = section(7, vector(functions.map((fn, index) => [...name(fn.name), 0x00, ...uleb(index)])));
  const bodies = functions.map((fn) => {
    const body = [...vector(fn.locals.map(([count, type]) => [...uleb(count), type])), ...fn.body];
    return [...uleb(body.length), ...body];
  });
  const code = section(10, vector(bodies));
  return Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...types, ...imports, ...declared, ...exports, ...code]);
}
