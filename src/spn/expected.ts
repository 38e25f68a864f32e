/**
 * The SPNs a browser requests for a URL. Windows clients build `HTTP/<host>` from the canonical
 * host name after following CNAMEs (seed 002, "Check DNS"), for both http and https, and add no
 * port unless the client is configured to (seed 001: the port belongs on no form by default;
 * IE/Edge only add it with the FEATURE_INCLUDE_PORT_IN_SPN_KB908209 setting).
 */
import { InvalidInputError, truncate } from '../errors.js';
import { hostProblem, stripUserinfo } from './host.js';
import { isFqdn, shortHost } from './parse.js';

export interface ExpectedSpnOptions {
  /** The host after CNAMEs (from DNS); default: the URL's host. */
  canonicalHost?: string;
  /** DNS suffix to build the FQDN from a short URL host (http://crm → crm.contoso.com). */
  dnsSuffix?: string;
  /** Client adds the port (IE FEATURE_INCLUDE_PORT_IN_SPN); default false. */
  includePort?: boolean;
}

export interface ExpectedSpns {
  url: URL;
  /** The host as typed in the URL. */
  urlHost: string;
  /** The host the SPN is built from. */
  canonicalHost: string;
  port?: number;
  /** The SPN the browser requests for this URL (first) and the other forms that should exist. */
  primary: string;
  fqdn?: string;
  short?: string;
  all: string[];
}

/**
 * Parses the URL a person typed (`crm.contoso.com` gets `http://`). The host must be a DNS name or
 * an IP literal (src/spn/host.ts); a user name or password is removed (`userinfoRemoved` says so)
 * and never echoed, even in the error for a URL that does not parse.
 */
export function parseTargetUrl(input: string): { url: URL; userinfoRemoved: boolean } {
  let url: URL;
  const text = input.trim();
  const shown = () => truncate(stripUserinfo(text), 80);
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`);
  } catch {
    throw new InvalidInputError(`"${shown()}" is not a URL. Example: http://crm.contoso.com/`);
  }
  const userinfoRemoved = !!(url.username || url.password);
  url.username = '';
  url.password = '';
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InvalidInputError(`Only http:// and https:// URLs can be diagnosed, not ${url.protocol}//`);
  if (!url.hostname) throw new InvalidInputError(`"${shown()}" has no host name.`);
  const problem = hostProblem(url.hostname);
  if (problem) throw new InvalidInputError(`"${truncate(url.hostname, 80)}" is not a host name: ${problem}. Example: http://crm.contoso.com/`);
  return { url, userinfoRemoved };
}

/** parseTargetUrl without the flag: the URL, validated, without user name or password. */
export function parseHttpUrl(input: string): URL {
  return parseTargetUrl(input).url;
}

export function expectedSpnsForUrl(input: string | URL, options: ExpectedSpnOptions = {}): ExpectedSpns {
  const url = typeof input === 'string' ? parseHttpUrl(input) : input;
  const urlHost = url.hostname.toLowerCase().replace(/\.$/, '');
  const canonicalHost = (options.canonicalHost ?? urlHost).toLowerCase().replace(/\.$/, '');
  const port = url.port ? Number(url.port) : undefined;
  const suffix = options.includePort && port ? `:${port}` : '';
  let fqdn: string | undefined;
  let short: string | undefined;
  if (isFqdn(canonicalHost)) {
    fqdn = `HTTP/${canonicalHost}${suffix}`;
    short = `HTTP/${shortHost(canonicalHost)}${suffix}`;
  } else if (!/^\d+\.\d+\.\d+\.\d+$/.test(canonicalHost)) {
    short = `HTTP/${canonicalHost}${suffix}`;
    if (options.dnsSuffix) fqdn = `HTTP/${canonicalHost}.${options.dnsSuffix.replace(/^\./, '')}${suffix}`;
  }
  const primary = `HTTP/${canonicalHost}${suffix}`;
  const all = [...new Set([primary, fqdn, short].filter((s): s is string => !!s))];
  return { url, urlHost, canonicalHost, port, primary, fqdn, short, all };
}
