import { AppEvent } from '../../../src-main/contract/api';
import type { CohortPreload, Transport } from './transport';

export function electronPreload(): CohortPreload | undefined {
  const candidate = (globalThis as { cohort?: CohortPreload }).cohort;
  return candidate?.transport === 'electron' ? candidate : undefined;
}

export function createElectronTransport(preload: CohortPreload): Transport {
  return {
    kind: 'electron',
    invoke: (command, input) => preload.invoke(command, input),
    subscribe(listener) {
      return preload.onEvent((raw) => {
        const parsed = AppEvent.safeParse(raw);
        if (parsed.success) listener(parsed.data);
      });
    },
  };
}
