// Dialling a hub through an HTTP CONNECT proxy, as hospital networks require.
//
// Which proxy: the connection's own setting (a membership's, or `cohort worker --proxy`), else
// the environment's HTTPS_PROXY / https_proxy (ALL_PROXY as a last resort) unless NO_PROXY names
// the hub; loopback addresses are always reached directly. The tunnel itself is opened by
// https-proxy-agent (CONNECT, Proxy-Authorization: Basic from the URL's user:password), and the
// TLS to the hub runs inside it end to end, so the pinned certificate is checked exactly as on
// a direct connection. What goes wrong at the proxy is told as the proxy's problem.
import type { Agent } from 'node:http';
import { isIP } from 'node:net';
import { maskProxyPassword, normaliseProxyUrl, proxyUrlProblem } from '../contract/proxy';

export interface ProxyChoice {
  /** The proxy's URL, normalised (it may hold a user and password). */
  url: string;
  /** setting: the connection's own setting; environment: HTTPS_PROXY and its kin. */
  from: 'setting' | 'environment';
  /** The environment variable it came from. */
  variable?: string;
}

type Environment = Readonly<Record<string, string | undefined>>;

/** Checked in this order, lower case first as curl does. */
const PROXY_VARIABLES = ['https_proxy', 'HTTPS_PROXY', 'all_proxy', 'ALL_PROXY'];

/**
 * The proxy for a connection to `target` (ws:// or wss://), or undefined to connect directly.
 * `setting` wins over the environment. Throws a ProxyError when the environment's proxy URL is
 * unusable (an explicit setting was checked when it was given).
 */
export function chooseProxy(target: string, setting?: string, env: Environment = process.env): ProxyChoice | undefined {
  if (setting) return { url: normaliseProxyUrl(setting), from: 'setting' };
  const { hostname, port } = hostAndPort(target);
  if (isLoopback(hostname) || bypassedByNoProxy(hostname, port, env)) return undefined;
  for (const variable of PROXY_VARIABLES) {
    const value = env[variable]?.trim();
    if (!value) continue;
    const problem = proxyUrlProblem(value);
    if (problem) throw new ProxyError(`${variable}=${maskProxyPassword(value)} is not a usable proxy: ${problem}`, maskProxyPassword(value), { permanent: true });
    return { url: normaliseProxyUrl(value), from: 'environment', variable };
  }
  return undefined;
}

function hostAndPort(target: string): { hostname: string; port: number } {
  const url = new URL(target);
  const secure = url.protocol === 'wss:' || url.protocol === 'https:';
  return { hostname: url.hostname.replace(/^\[|\]$/g, '').toLowerCase(), port: Number(url.port) || (secure ? 443 : 80) };
}

function isLoopback(hostname: string): boolean {
  if (hostname === 'localhost' || hostname.endsWith('.localhost')) return true;
  if (isIP(hostname) === 4) return hostname.startsWith('127.');
  return hostname === '::1';
}

/**
 * NO_PROXY / no_proxy: comma- or space-separated host names (a name also covers its
 * subdomains; a leading "." or "*." says the same), optionally with ":port"; "*" bypasses all.
 */
export function bypassedByNoProxy(hostname: string, port: number, env: Environment = process.env): boolean {
  const list = (env['no_proxy'] ?? env['NO_PROXY'] ?? '').trim().toLowerCase();
  if (!list) return false;
  return list.split(/[\s,]+/).some((entry) => {
    if (!entry) return false;
    if (entry === '*') return true;
    const match = /^(.*?)(?::(\d+))?$/.exec(entry)!;
    const [, rawHost = '', rawPort] = match;
    if (rawPort !== undefined && Number(rawPort) !== port) return false;
    const host = rawHost.replace(/^\[|\]$/g, '').replace(/^\*?\./, '');
    return hostname === host || hostname.endsWith(`.${host}`);
  });
}

/** The proxy refused or could not open the tunnel; `permanent` when retrying cannot help. */
export class ProxyError extends Error {
  readonly status: number | undefined;
  readonly permanent: boolean;
  constructor(
    message: string,
    /** The proxy's URL, password masked. */
    readonly proxy: string,
    options: { status?: number; permanent?: boolean } = {},
  ) {
    super(message);
    this.name = 'ProxyError';
    this.status = options.status;
    this.permanent = options.permanent ?? false;
  }
}

/** The proxy's answer to CONNECT, as https-proxy-agent reports it. */
export interface ConnectAnswer {
  statusCode: number;
  statusText: string;
  headers: Record<string, string | string[] | undefined>;
}

/** Why the proxy said no, in words a hospital's IT staff can act on. */
export function proxyRefusal(choice: ProxyChoice, target: string, answer: ConnectAnswer): ProxyError {
  const shown = showProxy(choice);
  const status = `${answer.statusCode}${answer.statusText ? ` ${answer.statusText}` : ''}`;
  const { hostname, port } = hostAndPort(target);
  const destination = `${hostname.includes(':') ? `[${hostname}]` : hostname}:${port}`;
  const options = { status: answer.statusCode };
  // 407 is the proxy's "who are you"; some proxies (tinyproxy) answer wrong credentials with 401.
  if (answer.statusCode === 407 || answer.statusCode === 401) {
    const schemes = [answer.headers['proxy-authenticate'] ?? []].flat().map((challenge) => challenge.split(/\s/)[0]!.trim()).filter(Boolean);
    const basic = schemes.length === 0 || schemes.some((scheme) => scheme.toLowerCase() === 'basic');
    if (!basic) {
      return new ProxyError(
        `the proxy at ${shown} asks for ${schemes.join(' or ')} authentication (${status}); Cohort can give it a user name and password (Basic) only: ask your network administrators to allow Basic authentication or this hub's address`,
        shown,
        { ...options, permanent: true },
      );
    }
    const credentials = new URL(choice.url).username !== '';
    return new ProxyError(
      credentials
        ? `the proxy at ${shown} refused the credentials (${status}): check the user name and password in the proxy setting`
        : `the proxy at ${shown} asks for credentials (${status}): give them in the proxy setting, as http://user:password@host:port`,
      shown,
      { ...options, permanent: true },
    );
  }
  if (answer.statusCode === 403) {
    return new ProxyError(`the proxy at ${shown} refused to open a tunnel to ${destination} (${status}): its rules do not allow this address or port; ask your network administrators to allow it`, shown, { ...options, permanent: true });
  }
  if (answer.statusCode === 502 || answer.statusCode === 503 || answer.statusCode === 504) {
    return new ProxyError(`the proxy at ${shown} could not reach the hub at ${destination} (${status})`, shown, options);
  }
  return new ProxyError(`the proxy at ${shown} refused to open a tunnel to ${destination} (${status})`, shown, options);
}

/** The proxy could not be reached at all, or said nothing in time. */
export function proxyUnreachable(choice: ProxyChoice, error: Error & { code?: string }): ProxyError {
  const shown = showProxy(choice);
  const reason =
    error.code === 'ECONNREFUSED'
      ? 'nothing accepts connections there'
      : error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN'
        ? 'its host name does not resolve'
        : error.code === 'ECONNRESET' || /socket hang up|closed/i.test(error.message)
          ? 'it closed the connection without answering'
          : error.message;
  return new ProxyError(`could not reach the proxy at ${shown}: ${reason}`, shown);
}

export function proxyTimeout(choice: ProxyChoice, ms: number): ProxyError {
  const shown = showProxy(choice);
  return new ProxyError(`the proxy at ${shown} did not open the tunnel within ${(ms / 1000).toFixed(0)} s`, shown);
}

/** The proxy as people see it: password masked, and where it came from when not set here. */
export function showProxy(choice: ProxyChoice): string {
  const masked = maskProxyPassword(choice.url);
  return choice.variable ? `${masked} (from ${choice.variable})` : masked;
}

/**
 * An http.Agent that opens a CONNECT tunnel through the proxy for each connection (TLS to the
 * target inside it, with the options ws gives). `onAnswer` hears the proxy's reply to CONNECT.
 * The library loads on first use: most parties never need it, and every command would pay.
 */
export async function tunnelAgent(choice: ProxyChoice, onAnswer: (answer: ConnectAnswer) => void): Promise<Agent> {
  const { HttpsProxyAgent } = await import('https-proxy-agent');
  const agent = new HttpsProxyAgent(choice.url, { keepAlive: false });
  agent.on('proxyConnect', (answer: ConnectAnswer) => onAnswer(answer));
  return agent;
}
