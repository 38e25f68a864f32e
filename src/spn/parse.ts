/**
 * The SPN model: `serviceclass/host[:port][/servicename]`, compared case-insensitively.
 * https://learn.microsoft.com/windows/win32/ad/name-formats-for-unique-spns
 */
import { InvalidInputError, truncate } from '../errors.js';

export interface Spn {
  serviceClass: string;
  host: string;
  port?: number;
  serviceName?: string;
  /** The text as given (trimmed). */
  text: string;
}

/** Longest SPN AD stores is bounded by the attribute's rangeUpper; anything longer is not an SPN. */
const MAX_SPN_LENGTH = 2048;

export function parseSpn(input: string): Spn {
  const text = input.trim();
  // Declared with its type so that a call narrows like a `throw` (TypeScript's assertion-function rule).
  const bad: (reason: string) => never = (reason) => {
    throw new InvalidInputError(`"${truncate(text, 80)}" is not a valid SPN: ${reason}. Expected serviceclass/host[:port][/servicename], e.g. HTTP/crm.contoso.com`, { spn: truncate(text, 200) });
  };
  if (!text) bad('it is empty');
  if (text.length > MAX_SPN_LENGTH) bad(`it is ${text.length} characters long`);
  if (/[\s\0]/.test(text)) bad('it contains white space or control characters');
  // A tool would read it as an option (`kvno -c/tmp/x`, `setspn -D …`): no SPN starts with "-".
  if (text.startsWith('-')) bad('it starts with "-"');
  const parts = text.split('/');
  if (parts.length < 2) bad('there is no "/" between the service class and the host');
  if (parts.length > 3) bad('it has more than three "/"-separated parts');
  const [serviceClass, hostPort, serviceName] = parts;
  if (!serviceClass) bad('the service class is empty');
  if (!/^[A-Za-z0-9._-]+$/.test(serviceClass)) bad('the service class may only contain letters, digits, ".", "_" and "-"');
  if (!hostPort) bad('the host is empty');
  const m = /^([^:]+)(?::(\d*))?$/.exec(hostPort);
  if (!m) bad('the host part has more than one ":"');
  const host = m[1] ?? ''; // ([^:]+) always captures when the pattern matched
  if (!/^[A-Za-z0-9._$-]+$/.test(host)) bad(`the host "${truncate(host, 60)}" contains characters not allowed in a host name`);
  let port: number | undefined;
  if (m[2] !== undefined) {
    if (m[2] === '') bad('the port after ":" is empty');
    port = Number(m[2]);
    if (!Number.isInteger(port) || port < 1 || port > 65535) bad(`the port ${m[2]} is outside 1–65535`);
  }
  if (serviceName !== undefined && serviceName === '') bad('the service name after the last "/" is empty');
  return { serviceClass, host, port, serviceName, text };
}

/** Canonical form for comparisons: lower case, as the KDC compares SPNs. */
export function normaliseSpn(spn: string): string {
  return spn.trim().toLowerCase();
}

export function spnEquals(a: string, b: string): boolean {
  return normaliseSpn(a) === normaliseSpn(b);
}

export function formatSpn(s: Omit<Spn, 'text'>): string {
  return `${s.serviceClass}/${s.host}${s.port ? `:${s.port}` : ''}${s.serviceName ? `/${s.serviceName}` : ''}`;
}

/** True when the host part is a fully qualified name (contains a dot and is not an IP address). */
export function isFqdn(host: string): boolean {
  return host.includes('.') && !/^\d+\.\d+\.\d+\.\d+$/.test(host);
}

/** The short (NetBIOS-style) form of a host: its first label. */
export function shortHost(host: string): string {
  return host.split('.', 1)[0]!;
}

/**
 * The HOST/ SPN that answers for a service SPN through the forest's sPNMappings
 * (by default http, cifs, rpcss… → host). Returns undefined when the class is not mapped.
 */
export function aliasHostSpn(spn: string, mappings: Map<string, string>): string | undefined {
  const slash = spn.indexOf('/');
  if (slash < 1) return undefined;
  const cls = spn.slice(0, slash).toLowerCase();
  const target = mappings.get(cls);
  return target ? `${target}/${spn.slice(slash + 1)}` : undefined;
}
