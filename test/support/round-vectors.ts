// A worker's per-round state in memory, for engine tests without files.
import type { RoundVectors } from '../../src-main/engines/ports';

export function memoryRoundVectors(): RoundVectors {
  const saved = new Map<string, Map<number, Float32Array>>();
  return {
    save: async (name, round, values) => {
      if (!saved.has(name)) saved.set(name, new Map());
      saved.get(name)!.set(round, Float32Array.from(values));
    },
    latestBefore: async (name, round) => {
      const rounds = [...(saved.get(name)?.keys() ?? [])].filter((saved) => saved < round).sort((a, b) => a - b);
      const last = rounds.at(-1);
      return last === undefined ? null : Float32Array.from(saved.get(name)!.get(last)!);
    },
  };
}
