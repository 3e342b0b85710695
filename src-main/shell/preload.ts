// Sandboxed preload: exposes named functions only, never ipcRenderer itself.
import { contextBridge } from 'electron';

contextBridge.exposeInMainWorld('cohort', {
  transport: 'electron' as const,
});
