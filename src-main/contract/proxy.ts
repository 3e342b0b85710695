// The HTTP proxy a participant reaches its hubs through: how a proxy URL is written, checked and
// shown. Shared with the UI (which checks what a person types, and shows a stored proxy without
// its password). Only plain http:// proxies that speak CONNECT: the TLS to the hub runs end to
// end inside the tunnel, so the proxy sees neither the traffic nor the hub's certificate pin.
import { z } from 'zod';

export const PROXY_EXAMPLE = 'http://proxy.example.org:3128';

/**
 * Why `text` is not a usable proxy URL, or null. A URL without a scheme ("proxy:3128") is read
 * as http://, as curl and most tools do.
 */
export function proxyUrlProblem(text: string): string | null {
  const trimmed = text.trim();
  if (!trimmed) return 'the proxy URL is empty';
  if (trimmed.length > 2000) return 'the proxy URL is longer than 2000 characters';
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `http://${trimmed}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return `"${maskProxyPassword(trimmed)}" is not a URL: write it as ${PROXY_EXAMPLE} (or http://user:password@host:port)`;
  }
  if (url.protocol === 'https:') {
    return 'https:// proxies are not supported: give the proxy as http://host:port (the connection to the hub is TLS inside the tunnel either way)';
  }
  if (url.protocol !== 'http:') return `a proxy URL starts with http://, not ${url.protocol}//`;
  if (!url.hostname) return 'the proxy URL names no host';
  if (url.pathname !== '/' || url.search || url.hash) return `a proxy URL has no path, query or fragment: write it as ${PROXY_EXAMPLE}`;
  if (url.password && !url.username) return 'the proxy URL has a password but no user name';
  return null;
}

/** The canonical form of a proxy URL that passed proxyUrlProblem(): with its scheme, without a trailing slash. */
export function normaliseProxyUrl(text: string): string {
  const trimmed = text.trim();
  const url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `http://${trimmed}`);
  return url.href.replace(/\/$/, '');
}

/** The URL as it may be shown or logged: the password replaced by "***". */
export function maskProxyPassword(text: string): string {
  return text.replace(/^((?:[a-z][a-z0-9+.-]*:\/\/)?[^/@:]*):[^/@]*@/i, '$1:***@');
}

/** A proxy URL as the store keeps it and as commands accept it (checked, then normalised). */
export const ProxyUrl = z
  .string()
  .max(2000)
  .superRefine((value, context) => {
    const problem = proxyUrlProblem(value);
    if (problem) context.addIssue({ code: 'custom', message: problem });
  })
  .transform(normaliseProxyUrl);

/** How a hub connection goes out, as the UI shows it: directly, or through which proxy (password masked). */
export const ProxyView = z.strictObject({
  /** The proxy URL with its password masked. */
  url: z.string(),
  /** setting: this membership's own setting (or `cohort worker --proxy`); environment: HTTPS_PROXY. */
  from: z.enum(['setting', 'environment']),
});
export type ProxyView = z.infer<typeof ProxyView>;
