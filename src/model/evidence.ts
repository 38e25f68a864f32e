/**
 * Evidence: the plain data a Kerberos expert gathers before answering "why 401?". Collectors fill
 * it (I/O, each bounded by a timeout, failures recorded here instead of thrown); rules read it
 * (pure). A section that is absent was not collected (not configured, not given); a section with
 * `ok: false` was attempted and failed, and its `error` says why.
 */
import type { AccountFacts, DomainKeyFacts, SpnHolder } from './directory.js';
import type { AdfsCertificateSummary, AdfsFinding, SignatureStatus } from './adfs.js';

export type CollectorName = 'directory' | 'dns' | 'http' | 'clock' | 'iis' | 'kdc' | 'inventory' | 'adfs' | 'kerberos';

/** A collector failure, as recorded (never thrown). */
export interface CollectorError {
  collector: CollectorName;
  /** ErrorCode of a KrbopsError, or a system code such as ETIMEOUT, ENOTFOUND, ECONNREFUSED. */
  code: string;
  message: string;
}

/** The URL being diagnosed, and the names Kerberos clients derive from it. */
export interface TargetEvidence {
  /** Normalised URL (`new URL(...).href`). */
  url: string;
  scheme: 'http' | 'https';
  /** Host as typed in the URL, lower case. */
  urlHost: string;
  /** Explicit port in the URL (absent for the scheme's default port). */
  port?: number;
  /** The port actually used (explicit or 80/443). */
  effectivePort: number;
  path: string;
  /** The URL names an IP address: browsers never use Kerberos for it. */
  isIpAddress: boolean;
  /** The host after following CNAMEs (what the browser builds the SPN from). */
  canonicalHost: string;
  /** The canonical host as an FQDN, when known (typed, or short name + domain suffix). */
  fqdn?: string;
  /** The first label of the canonical host (the NetBIOS-style name, seed 003). */
  shortName?: string;
  /** DNS suffix used to qualify a short URL host (from the directory's naming context). */
  dnsSuffix?: string;
}

export interface ExpectedSpn {
  spn: string;
  /** fqdn: HTTP/<canonical FQDN>; short: HTTP/<first label>. */
  form: 'fqdn' | 'short';
  host: string;
}

/** What the engineer gave (or the inventory / IIS configuration said). */
export interface InputsEvidence {
  identity?: { query: string; source: 'option' | 'inventory' | 'iis-config' };
  user?: string;
  backends: { spn: string; source: 'option' | 'inventory' }[];
  nlbNodes: string[];
  /** IIS site name (inventory) used in appcmd fix commands. */
  site?: string;
  iisConfig: 'option' | 'file' | 'none';
}

/** Holders of one SPN: exact holders and HOST/ holders answering through sPNMappings. */
export interface SpnLookup {
  spn: string;
  /** Why it was looked up. */
  role: 'expected' | 'port-variant' | 'url-alias' | 'backend';
  /** The expected form it belongs to (for port variants and aliases). */
  form?: 'fqdn' | 'short';
  holders: SpnHolder[];
  error?: string;
}

export interface ResolvedAccount {
  query: string;
  source: 'option' | 'inventory' | 'iis-config' | 'spn-holder' | 'computer';
  /** DN of the account in `accounts`, when found. */
  dn?: string;
  /** Built-in IIS identity (ApplicationPoolIdentity, NetworkService, LocalSystem): the computer account decrypts. */
  builtin?: string;
  error?: string;
}

export interface HostComputer {
  host: string;
  /** How the host relates to the URL. */
  role: 'url-host' | 'ptr' | 'nlb-node' | 'backend-host';
  dn?: string;
  error?: string;
}

export interface DirectoryEvidence {
  ok: boolean;
  error?: CollectorError;
  server?: string;
  netbiosDomain?: string;
  /** DNS name of the domain, from defaultNamingContext (DC=contoso,DC=com → contoso.com). */
  dnsDomain?: string;
  /** sPNMappings as plain object: alias class (lower case) → host. */
  mappings: Record<string, string>;
  spns: SpnLookup[];
  /** Facts for every account referenced above (holders, identity, user, computers). */
  accounts: AccountFacts[];
  identity?: ResolvedAccount;
  user?: { query: string; dn?: string; error?: string };
  computers: HostComputer[];
  /** When the domain gained AES keys (domain head and RID-521 group whenCreated), for the encryption-type rule. */
  keyFacts?: DomainKeyFacts;
}

export interface DnsEvidence {
  ok: boolean;
  error?: CollectorError;
  /** Resolvers asked (empty: the system's). */
  servers: string[];
  /** The name queried (the URL host, qualified with the DNS suffix when short). */
  queried: string;
  /** Names followed, starting at `queried`: [alias, …, canonical]. Length 1 when there is no CNAME. */
  chain: string[];
  canonicalName: string;
  addresses: { address: string; family: 4 | 6 }[];
  /** Reverse lookups of each address (first 4). */
  ptr: { address: string; names: string[]; error?: string }[];
}

export interface TlsEvidence {
  subject?: string;
  issuer?: string;
  altNames: string[];
  validTo?: string;
  authorized: boolean;
  authorizationError?: string;
  /** The certificate names the URL host. */
  nameMatches?: boolean;
}

export interface HttpEvidence {
  ok: boolean;
  error?: CollectorError;
  /** Address connected to. */
  address?: string;
  status?: number;
  statusText?: string;
  httpVersion?: string;
  /** Every WWW-Authenticate value, as sent. */
  wwwAuthenticate: string[];
  /** Scheme names from them: Negotiate, NTLM, Basic, Bearer… */
  schemes: string[];
  connection?: string;
  keepAlive?: string;
  /** The server ended the connection after the response (Connection: close, or HTTP/1.0 without keep-alive). */
  closesConnection?: boolean;
  date?: string;
  persistentAuth?: string;
  server?: string;
  location?: string;
  /** Local time the response arrived (ISO-8601). */
  observedAt?: string;
  tls?: TlsEvidence;
  durationMs?: number;
}

export interface ClockReading {
  /** The remote clock (ISO-8601). */
  time: string;
  /** Local clock when it was read. */
  observedAt: string;
  /** remote − local, in milliseconds. */
  offsetMs: number;
}

export interface ClockEvidence {
  local: string;
  dc?: ClockReading;
  server?: ClockReading;
  errors: string[];
}

/** One windowsAuthentication section (one <location>, or the server level). */
export interface IisAuthSection {
  location?: string;
  enabled?: boolean;
  useKernelMode?: boolean;
  useAppPoolCredentials?: boolean;
  authPersistNonNTLM?: boolean;
  /** Providers in order; undefined when the config has no <providers> element. */
  providers?: string[];
}

export interface IisEvidence {
  ok: boolean;
  error?: CollectorError;
  source: 'option' | 'file';
  format: 'xml' | 'appcmd-text' | 'loose';
  sections: IisAuthSection[];
  /** The sections merged in order (later, more specific, wins); unset attributes stay undefined (IIS defaults apply). */
  effective: IisAuthSection;
  /** system.webServer/httpProtocol allowKeepAlive, when present. */
  allowKeepAlive?: boolean;
  appPools: { name: string; identityType?: string; userName?: string }[];
  warnings: string[];
}

export interface KdcAnswer {
  spn: string;
  outcome: 'ticket' | 'not-found' | 'etype' | 'error';
  kvno?: number;
  message?: string;
}

export interface KdcEvidence {
  ok: boolean;
  error?: CollectorError;
  principal: string;
  answers: KdcAnswer[];
}

/**
 * One ADFS metadata source as checked (src/adfs's toAdfsEvidence): its certificates and the ADFS
 * catalog's findings, or the error when it could not be read. What the ADFS watch returns and what
 * the why-401 rule `claims-auth-certificate-rollover` reads.
 */
export interface AdfsEvidence {
  ok: boolean;
  error?: CollectorError;
  /** The metadata URL or file (absent when the collector failed before knowing it). */
  source?: string;
  checkedAt?: string;
  entityId?: string;
  primaryThumbprint?: string;
  signature?: SignatureStatus;
  certificates: AdfsCertificateSummary[];
  findings: AdfsFinding[];
}

/** What the real SPNEGO exchange showed (src/collectors/spnego.ts): the browser's path, end to end. */
export type AuthenticationOutcome = 'authenticated' | 'rejected' | 'no-ticket' | 'not-offered' | 'error';

export interface AuthenticationEvidence {
  attempted: boolean;
  /** Why it was not attempted (no probe identity, IP address, host unresolvable, addon missing…). */
  reason?: string;
  /** The probe identity (client principal). */
  as?: string;
  /** The SPN asked for: HTTP/<host after CNAMEs>, no port, no reverse DNS (what Chrome/Edge on Windows ask). */
  spn?: string;
  outcome?: AuthenticationOutcome;
  /** Status of the authenticated request (or of the anonymous one for not-offered). */
  httpStatus?: number;
  /** The KDC's refusal (no-ticket) or the server's KRB-ERROR (rejected). */
  kerberosError?: {
    code: number;
    name: string;
    /** Who answered: the KDC (asking for the ticket) or the web server (reject token). */
    from: 'kdc' | 'server';
    /** KRB-ERROR stime: the server's clock. */
    serverTime?: string;
    /** KRB-ERROR sname/realm: the principal the server answered as. */
    serverName?: string;
    eText?: string;
    /** The library's message, when the code comes from it (KDC errors). */
    message?: string;
  };
  /** The ticket sent (from our own AP-REQ): the SPN holder's key type and version at the KDC. */
  ticket?: { etype: number; etypeName: string; kvno?: number };
  /** The user name the server returned (a response header), if any. */
  user?: string;
  /** Mutual authentication on success: verified from the server's AP-REP, failed, or the server sent no token. */
  mutual?: 'verified' | 'failed' | 'no-token';
  /** A 401 after our token carried no (decodable) reject token. */
  rejectToken?: 'none' | 'undecodable';
  /** Local clock when the reply arrived (ISO-8601), for the skew in KRB_AP_ERR_SKEW. */
  observedAt?: string;
  /** Details of an error outcome or of a failed mutual authentication. */
  message?: string;
  durationMs?: number;
}

export interface Evidence {
  collectedAt: string;
  target: TargetEvidence;
  expected: ExpectedSpn[];
  inputs: InputsEvidence;
  /** Everything krbops inferred, one line each (identity from SPN holder, computer from DNS…). */
  inferred: string[];
  directory?: DirectoryEvidence;
  dns?: DnsEvidence;
  http?: HttpEvidence;
  clock?: ClockEvidence;
  iis?: IisEvidence;
  kdc?: KdcEvidence;
  adfs?: AdfsEvidence;
  /** The SPNEGO exchange as a browser would do it (absent in evidence built before it existed). */
  authentication?: AuthenticationEvidence;
  collectorErrors: CollectorError[];
}
