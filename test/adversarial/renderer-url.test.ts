// The desktop app's window loads the Vite dev server only while developing: an installed
// (packaged) app ignores ELECTRON_RENDERER_URL, so an environment variable cannot point its
// window, and the IPC it is allowed, at someone else's page.
import { describe, expect, it } from 'vitest';
import { devRendererUrl } from '../../src-main/shell/renderer-url';

describe('the dev-server address', () => {
  it('is ignored in a packaged build, whatever the environment says', () => {
    for (const value of ['http://localhost:5173', 'http://127.0.0.1:5173/', 'https://evil.example', undefined]) {
      expect(devRendererUrl(true, { ELECTRON_RENDERER_URL: value })).toBeUndefined();
    }
  });

  it('is honoured in development at a loopback http(s) address, as its origin', () => {
    expect(devRendererUrl(false, { ELECTRON_RENDERER_URL: 'http://localhost:5173' })).toBe('http://localhost:5173');
    expect(devRendererUrl(false, { ELECTRON_RENDERER_URL: 'http://127.0.0.1:5173/index.html' })).toBe('http://127.0.0.1:5173');
    expect(devRendererUrl(false, { ELECTRON_RENDERER_URL: 'https://[::1]:5173/' })).toBe('https://[::1]:5173');
    expect(devRendererUrl(false, {})).toBeUndefined();
  });

  it('is refused in development too when it is not a loopback web address', () => {
    for (const value of ['https://evil.example', 'http://localhost.evil.example:5173', 'file:///tmp/page.html', 'javascript:alert(1)', 'not a url', '']) {
      expect(devRendererUrl(false, { ELECTRON_RENDERER_URL: value }), value).toBeUndefined();
    }
  });
});
