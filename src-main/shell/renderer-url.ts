// Where the window's page comes from. In development electron-vite serves the renderer with hot
// reload and names its address in ELECTRON_RENDERER_URL; an installed app must never honour
// that variable (anyone who can set an environment variable for the app could point its window,
// and its IPC, at a page of their own), so a packaged build always loads its own app:// files.
// The dev server is honoured only at a loopback http(s) address.
export function devRendererUrl(isPackaged: boolean, env: Readonly<Record<string, string | undefined>>): string | undefined {
  if (isPackaged) return undefined;
  const value = env['ELECTRON_RENDERER_URL'];
  if (!value) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  const loopback = url.hostname === 'localhost' || url.hostname === '127.0.0.1' || url.hostname === '[::1]';
  return (url.protocol === 'http:' || url.protocol === 'https:') && loopback ? url.origin : undefined;
}
