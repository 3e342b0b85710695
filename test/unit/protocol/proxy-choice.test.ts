// Which proxy a hub connection goes through, and how proxy URLs are checked and shown.
import { describe, expect, it } from 'vitest';
import { maskProxyPassword, normaliseProxyUrl, ProxyUrl, proxyUrlProblem } from '../../../src-main/contract/proxy';
import { bypassedByNoProxy, chooseProxy, ProxyError } from '../../../src-main/protocol/proxy';

const HUB = 'wss://hub.example.org:7800';

describe('proxy URLs', () => {
  it('accepts http:// URLs with or without credentials, and reads a bare host:port as http://', () => {
    for (const text of ['http://proxy:3128', 'http://user:p%40ss@proxy.example.org:8080', 'proxy.local:3128', ' http://[::1]:3128/ ']) {
      expect(proxyUrlProblem(text), text).toBeNull();
    }
    expect(normaliseProxyUrl('proxy.local:3128')).toBe('http://proxy.local:3128');
    expect(normaliseProxyUrl(' http://[::1]:3128/ ')).toBe('http://[::1]:3128');
    expect(ProxyUrl.parse('Proxy.Local:3128')).toBe('http://proxy.local:3128');
  });

  it('refuses what is not a plain http:// proxy, saying why', () => {
    expect(proxyUrlProblem('')).toBe('the proxy URL is empty');
    expect(proxyUrlProblem('https://proxy:3128')).toMatch(/^https:\/\/ proxies are not supported/);
    expect(proxyUrlProblem('socks5://proxy:1080')).toBe('a proxy URL starts with http://, not socks5://');
    expect(proxyUrlProblem('http://proxy:3128/path')).toMatch(/^a proxy URL has no path, query or fragment/);
    expect(proxyUrlProblem('http://proxy:99999')).toMatch(/is not a URL/);
    expect(proxyUrlProblem('http://:secret@proxy:3128')).toBe('the proxy URL has a password but no user name');
    expect(ProxyUrl.safeParse('ftp://proxy').success).toBe(false);
  });

  it('masks the password wherever a URL is shown', () => {
    expect(maskProxyPassword('http://nurse:hunter2@proxy:3128')).toBe('http://nurse:***@proxy:3128');
    expect(maskProxyPassword('nurse:hunter2@proxy:3128')).toBe('nurse:***@proxy:3128');
    expect(maskProxyPassword('http://proxy:3128')).toBe('http://proxy:3128');
    expect(proxyUrlProblem('http://nurse:hunter2@proxy:3128/x')).not.toContain('hunter2');
  });
});

describe('choosing the proxy', () => {
  it("prefers the connection's own setting over the environment", () => {
    expect(chooseProxy(HUB, 'http://mine:3128', { HTTPS_PROXY: 'http://env:3128' })).toEqual({ url: 'http://mine:3128', from: 'setting' });
  });

  it('takes https_proxy, then HTTPS_PROXY, then ALL_PROXY from the environment', () => {
    expect(chooseProxy(HUB, undefined, { https_proxy: 'http://lower:1', HTTPS_PROXY: 'http://upper:2' })).toEqual({ url: 'http://lower:1', from: 'environment', variable: 'https_proxy' });
    expect(chooseProxy(HUB, undefined, { HTTPS_PROXY: 'upper:2' })).toEqual({ url: 'http://upper:2', from: 'environment', variable: 'HTTPS_PROXY' });
    expect(chooseProxy(HUB, undefined, { ALL_PROXY: 'http://all:3' })?.url).toBe('http://all:3');
    expect(chooseProxy(HUB, undefined, { HTTP_PROXY: 'http://plain-http-only:4' })).toBeUndefined();
    expect(chooseProxy(HUB, undefined, {})).toBeUndefined();
  });

  it('goes direct to the hosts NO_PROXY names, and to loopback addresses always', () => {
    const env = { HTTPS_PROXY: 'http://env:3128', NO_PROXY: 'intranet.local, .hospital.org,10.1.2.3:7800' };
    expect(chooseProxy('wss://hub.intranet.local:7800', undefined, env)).toBeUndefined();
    expect(chooseProxy('wss://intranet.local:7800', undefined, env)).toBeUndefined();
    expect(chooseProxy('wss://hub.hospital.org:7800', undefined, env)).toBeUndefined();
    expect(chooseProxy('wss://10.1.2.3:7800', undefined, env)).toBeUndefined();
    expect(chooseProxy('wss://10.1.2.3:7801', undefined, env)?.url).toBe('http://env:3128');
    expect(chooseProxy('wss://notintranet.local:7800', undefined, env)?.url).toBe('http://env:3128');
    for (const local of ['wss://127.0.0.1:7800', 'wss://localhost:7800', 'wss://[::1]:7800']) {
      expect(chooseProxy(local, undefined, { HTTPS_PROXY: 'http://env:3128' }), local).toBeUndefined();
    }
    // An explicit setting is explicit: it applies even where NO_PROXY would not.
    expect(chooseProxy('wss://127.0.0.1:7800', 'http://mine:3128', env)?.url).toBe('http://mine:3128');
    expect(bypassedByNoProxy('anything.example', 443, { no_proxy: '*' })).toBe(true);
    expect(bypassedByNoProxy('hub.example', 443, { no_proxy: '*.example' })).toBe(true);
  });

  it('refuses an unusable HTTPS_PROXY with a message naming the variable, password masked', () => {
    const attempt = () => chooseProxy(HUB, undefined, { HTTPS_PROXY: 'socks5://nurse:hunter2@proxy:1080' });
    expect(attempt).toThrow(ProxyError);
    expect(attempt).toThrow('HTTPS_PROXY=socks5://nurse:***@proxy:1080 is not a usable proxy: a proxy URL starts with http://, not socks5://');
  });
});
