// Sandboxed preload: exposes named functions only, never ipcRenderer itself. The main process
// checks that every call comes from the Cohort page.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { ChoosePath } from '../contract/bridge';

contextBridge.exposeInMainWorld('cohort', {
  transport: 'electron' as const,
  invoke: (command: string, input: unknown): Promise<unknown> => ipcRenderer.invoke('cohort:invoke', command, input),
  onEvent(listener: (event: unknown) => void): () => void {
    const forward = (_event: IpcRendererEvent, payload: unknown) => listener(payload);
    ipcRenderer.on('cohort:event', forward);
    return () => ipcRenderer.removeListener('cohort:event', forward);
  },
  /** A native dialog: a file to open or save (of the types asked for), or a folder. The main process validates the request. */
  choosePath: ((request) => ipcRenderer.invoke('cohort:choose-path', request)) satisfies ChoosePath,
});
