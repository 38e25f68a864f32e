/**
 * Environment → validated, typed Config, read once at start. Every error names its variable.
 * Secrets (passwords, tokens) are kept here and never logged; see `redactedConfig`.
 */
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { parseProbeAllow } from './collectors/probe-policy.js';
import { ConfigError } from './errors.js';
import { loadAccessPolicy } from './policy/config.js';
import type { AccessPolicy } from './policy/types.js';

const csv = (v: string | undefined) => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);

export interface LdapConfig {
  /** DCs tried in order on failure: `ldaps://host:636`, or `ldap://` upgraded with StartTLS. */
  urls: string[];
  /** Global Catalog (`ldaps://gc:3269`) for forest-wide searches; optional. */
  gcUrl?: string;
  /** DN, UPN or `DOMAIN\user`. */
  bindDn: string;
  bindPassword: string;
  /** Default: the rootDSE `defaultNamingContext`. */
  baseDn?: string;
  /** PEM bundle of CAs trusted for the DCs' certificates; default: Node's trust store. */
  caFile?: string;
  /** Default true; `LDAP_TLS_REJECT_UNAUTHORIZED=false` is an explicit, logged opt-out. */
  tlsRejectUnauthorized: boolean;
  /** Per-operation timeout and per-DC connect timeout, default 5000 ms. */
  timeoutMs: number;
  /**
   * How long the FIRST page of a directory-wide paged scan may take (LDAP_SCAN_TIMEOUT_MS, default
   * 300 000 ms): a DC builds the whole result set before it sends page one, which on a large forest
   * takes far longer than any single lookup. Later pages get timeoutMs each.
   */
  scanTimeoutMs?: number;
  /** Paged-search page size, default 500 (AD caps unpaged results at 1000). */
  pageSize: number;
  /** The server's connection pool (`krbops serve`; the CLI opens one connection): LDAP_POOL_SIZE, LDAP_POOL_IDLE_MS, LDAP_POOL_WAIT_MS. */
  pool?: { size: number; idleMs: number; waitMs: number };
}

/** The pool when LDAP_POOL_* are not set: 4 connections, closed after 30 s unused, a request waits up to 10 s for one. */
export const DEFAULT_LDAP_POOL = { size: 4, idleMs: 30_000, waitMs: 10_000 } as const;

export interface Config {
  ldap?: LdapConfig;
  /** An LDIF export read instead of a DC (`LDAP_URL=file:<path>`, or `--ldif <path>` on the CLI). */
  ldifFile?: string;
  /** Threads that index a large export (KRBOPS_LDIF_THREADS, 1–16; 1: no worker thread); default 1 (src/directory/ldif-parallel.ts). */
  ldifThreads?: number;
  /** The local playground page on `/` (KRBOPS_PLAYGROUND=true, or demo mode). Loopback only. */
  playground: boolean;
  /** Started with nothing configured: the demo domain (see src/demo.ts). */
  demo?: boolean;
  /** SPNs ignored by `spn dupes` (case-insensitive); default `kadmin/changepw`. */
  dupesAllowList: string[];
  /** Standing duplicates' accounts the watch reads again per incremental run (in turn); default 500. */
  dupesRecheckPerRun: number;
  dnsServers: string[];
  inventoryFile?: string;
  kerberos?: { keytab?: string; principal: string; password?: string; krb5Config?: string };
  probeTimeoutMs: number;
  /** KRBOPS_PROBE_ALLOW: hosts, `*.domain` patterns, addresses and CIDR ranges chat users may probe besides the forest's domains (src/collectors/probe-policy.ts). */
  probeAllow: string[];
  slack?: { signingSecret?: string; botToken?: string; appToken?: string; apiUrl?: string; alertChannel?: string };
  teams?: {
    appId: string;
    appPassword?: string;
    appType: 'SingleTenant' | 'MultiTenant' | 'UserAssignedMSI';
    tenantId?: string;
    /** The Bot Framework cloud, in the SDK's own names (BOT_FRAMEWORK_CLOUD_VARIABLES); empty: the public Azure cloud. */
    cloud: Record<string, string>;
  };
  adfs: { metadataUrls: string[]; caFile?: string; warnDays: number[]; expectedThumbprints: Record<string, string[]> };
  schedules: { adfs: string; dupes: string; etypes: string; timezone?: string };
  dbUrl: string;
  /** Who may run which command where in chat (src/policy): KRBOPS_ALLOW_*, the `access:` section of krbops.yaml. */
  access: AccessPolicy;
  /** Accounts (Slack user IDs or Teams AAD object IDs) allowed to approve SPN change requests. */
  admins: string[];
  /** Members of this AD group (matched by chat e-mail address) approve too (KRBOPS_APPROVER_GROUP_DN). */
  approverGroupDn?: string;
  /** An undecided change request expires after this (KRBOPS_APPROVAL_TTL, default 24 h). */
  approvalTtlMs: number;
  /** Where approval cards go: Slack channel (default KRBOPS_ALERT_SLACK_CHANNEL), Teams conversation ID. */
  approverChannels: { slack?: string; teams?: string };
  server: { port: number; host: string };
  logLevel: string;
}

/** LDAP_SCAN_TIMEOUT_MS when unset: the first page of a forest-wide scan. */
export const DEFAULT_SCAN_TIMEOUT_MS = 300_000;

/**
 * A variable's reader: the value, or a message saying what is wrong (plain checks, no schema
 * library: configuration is read on every CLI start, and zod alone would cost more than node's
 * own start-up; issue 15).
 */
type Reader<T> = (raw: string) => { ok: true; value: T } | { ok: false; message: string };
const ok = <T>(value: T) => ({ ok: true as const, value });
const bad = (message: string) => ({ ok: false as const, message });

const intVar =
  (name: string, min: number, max: number): Reader<number> =>
  (raw) => {
    if (!/^\d+$/.test(raw)) return bad(`${name} must be a whole number`);
    const n = Number(raw);
    return n >= min && n <= max ? ok(n) : bad(`${name} must be between ${min} and ${max}`);
  };

/** `90m`, `24h`, `7d` → milliseconds (1 minute to 90 days). */
const duration =
  (name: string): Reader<number> =>
  (raw) => {
    if (!/^\d{1,6}[mhd]$/i.test(raw)) return bad(`${name} must be a duration such as 90m, 24h or 7d`);
    const ms = Number(raw.slice(0, -1)) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[raw.slice(-1).toLowerCase() as 'm' | 'h' | 'd'];
    return ms >= 60_000 && ms <= 90 * 86_400_000 ? ok(ms) : bad(`${name} must be between 1m and 90d`);
  };

const boolVar =
  (name: string): Reader<boolean> =>
  (raw) =>
    raw === 'true' || raw === 'false' ? ok(raw === 'true') : bad(`${name} must be true or false`);

/** A group DN as far as configuration can check: `CN=…` pairs, no filter characters. */
function groupDnVar(name: string, dn: string): string {
  if (!/^[A-Za-z][A-Za-z0-9-]*=[^=()*\\\0]+(?:,\s*[A-Za-z][A-Za-z0-9-]*=[^=()*\\\0]+)*$/.test(dn)) fail(name, `"${dn.slice(0, 80)}" is not a group DN (CN=SPN Approvers,OU=Groups,DC=contoso,DC=com)`);
  return dn;
}

function fail(variable: string, message: string): never {
  throw new ConfigError(variable, message);
}

function parseVar<T>(env: NodeJS.ProcessEnv, name: string, read: Reader<T>, fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const r = read(raw);
  if (!r.ok) fail(name, r.message);
  return r.value;
}

function ldapUrl(name: string, u: string): string {
  let parsed: URL;
  try {
    parsed = new URL(u);
  } catch {
    fail(name, `"${u}" is not a URL (expected ldaps://host:636 or ldap://host)`);
  }
  if (parsed.protocol !== 'ldaps:' && parsed.protocol !== 'ldap:') fail(name, `"${u}" must start with ldaps:// or ldap://`);
  return u;
}

/**
 * The variables botbuilder's ConfigurationBotFrameworkAuthentication reads to select a Bot Framework
 * cloud (Azure Government, GCC High, DoD, a private cloud), read from the environment under the
 * same names and handed to it unchanged.
 */
export const BOT_FRAMEWORK_CLOUD_VARIABLES = [
  'ChannelService',
  'ToChannelFromBotLoginUrl',
  'ToChannelFromBotOAuthScope',
  'ToBotFromChannelTokenIssuer',
  'ToBotFromChannelOpenIdMetadataUrl',
  'ToBotFromEmulatorOpenIdMetadataUrl',
  'OAuthUrl',
  'OAuthApiEndpoint',
  'BotOpenIdMetadata',
  'ValidateAuthority',
  'CallerId',
] as const;

function botFrameworkCloud(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of BOT_FRAMEWORK_CLOUD_VARIABLES) {
    const v = env[name]?.trim();
    if (!v) continue;
    if (/Url$|Endpoint$|Metadata$/.test(name)) {
      let u: URL;
      try {
        u = new URL(v);
      } catch {
        fail(name, `"${v.slice(0, 80)}" is not a URL`);
      }
      if (u.protocol !== 'https:' && u.protocol !== 'http:') fail(name, 'must be an https:// URL');
    }
    if (name === 'ValidateAuthority' && !['true', 'false'].includes(v.toLowerCase())) fail(name, 'must be true or false');
    out[name] = v;
  }
  return out;
}

/** `file:/x.ldif`, `file:./x.ldif`, `file:x.ldif`, `file:///x.ldif` → the path; the file must be readable. */
export function ldifPath(url: string, variable = 'LDAP_URL'): string {
  const fail = (_: string, message: string): never => {
    throw new ConfigError(variable, message);
  };
  const file = url.replace(/^file:(\/\/(?=\/))?/i, '');
  if (!file) fail(variable, 'file: needs a path, e.g. file:./contoso.ldif');
  try {
    accessSync(file, constants.R_OK);
    if (!statSync(file).isFile()) fail(variable, `the export ${file} is not a file`);
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    fail(variable, `the export ${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  return file;
}

/** Reads and validates the environment. Throws ConfigError naming the variable. */
/** KRBOPS_DB: a SQLite path (`sqlite:` optional) or postgres://; any other scheme (mysql://…) is refused, not taken for a file name. */
function storeUrl(v: string | undefined): string {
  const url = v || './data/krbops.db';
  const scheme = /^([a-z][a-z0-9+.-]+):/i.exec(url)?.[1]?.toLowerCase();
  if (scheme && !['sqlite', 'postgres', 'postgresql'].includes(scheme)) {
    fail('KRBOPS_DB', `${scheme}:// is not supported: use a SQLite file path (./data/krbops.db) or postgres://user@host/db`);
  }
  return url;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  let ldap: LdapConfig | undefined;
  let ldifFile: string | undefined;
  if (env.LDAP_URL && /^file:/i.test(env.LDAP_URL.trim())) {
    ldifFile = ldifPath(env.LDAP_URL.trim());
  } else if (env.LDAP_URL) {
    const urls = csv(env.LDAP_URL).map((u) => ldapUrl('LDAP_URL', u));
    if (!urls.length) fail('LDAP_URL', 'no URL given');
    if (!env.LDAP_BIND_DN) fail('LDAP_BIND_DN', 'is required when LDAP_URL is set (a domain user; DN, UPN or DOMAIN\\user)');
    let bindPassword = env.LDAP_BIND_PASSWORD ?? '';
    if (env.LDAP_BIND_PASSWORD_FILE) {
      try {
        bindPassword = readFileSync(env.LDAP_BIND_PASSWORD_FILE, 'utf8').replace(/\r?\n$/, '');
      } catch (e) {
        fail('LDAP_BIND_PASSWORD_FILE', `cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
      }
    }
    if (!bindPassword) fail('LDAP_BIND_PASSWORD', 'is required (or LDAP_BIND_PASSWORD_FILE); anonymous binds cannot read SPNs');
    const rejectRaw = env.LDAP_TLS_REJECT_UNAUTHORIZED;
    if (rejectRaw !== undefined && !['true', 'false', ''].includes(rejectRaw)) fail('LDAP_TLS_REJECT_UNAUTHORIZED', 'must be true or false');
    if (env.LDAP_CA_FILE) {
      try {
        readFileSync(env.LDAP_CA_FILE);
      } catch {
        fail('LDAP_CA_FILE', `cannot read ${env.LDAP_CA_FILE}`);
      }
    }
    ldap = {
      urls,
      gcUrl: env.LDAP_GC_URL ? ldapUrl('LDAP_GC_URL', env.LDAP_GC_URL) : undefined,
      bindDn: env.LDAP_BIND_DN,
      bindPassword,
      baseDn: env.LDAP_BASE_DN || undefined,
      caFile: env.LDAP_CA_FILE || undefined,
      tlsRejectUnauthorized: rejectRaw !== 'false',
      timeoutMs: parseVar(env, 'LDAP_TIMEOUT_MS', intVar('LDAP_TIMEOUT_MS', 100, 600_000), 5000),
      pageSize: parseVar(env, 'LDAP_PAGE_SIZE', intVar('LDAP_PAGE_SIZE', 1, 1000), 500),
      scanTimeoutMs: parseVar(env, 'LDAP_SCAN_TIMEOUT_MS', intVar('LDAP_SCAN_TIMEOUT_MS', 100, 3_600_000), DEFAULT_SCAN_TIMEOUT_MS),
      pool: {
        size: parseVar(env, 'LDAP_POOL_SIZE', intVar('LDAP_POOL_SIZE', 1, 64), DEFAULT_LDAP_POOL.size),
        idleMs: parseVar(env, 'LDAP_POOL_IDLE_MS', intVar('LDAP_POOL_IDLE_MS', 1000, 3_600_000), DEFAULT_LDAP_POOL.idleMs),
        waitMs: parseVar(env, 'LDAP_POOL_WAIT_MS', intVar('LDAP_POOL_WAIT_MS', 100, 600_000), DEFAULT_LDAP_POOL.waitMs),
      },
    };
  }

  const kerberosPrincipal = env.KRBOPS_KERBEROS_PRINCIPAL;
  const teamsAppId = env.MicrosoftAppId;
  const appType = env.MicrosoftAppType || 'MultiTenant';
  if (!['SingleTenant', 'MultiTenant', 'UserAssignedMSI'].includes(appType)) fail('MicrosoftAppType', 'must be SingleTenant, MultiTenant or UserAssignedMSI');
  if (appType === 'SingleTenant' && teamsAppId && !env.MicrosoftAppTenantId) fail('MicrosoftAppTenantId', 'is required when MicrosoftAppType is SingleTenant');

  const expectedThumbprints: Record<string, string[]> = {};
  if (env.KRBOPS_ADFS_EXPECTED_THUMBPRINTS) {
    // Format: "crm=AB12…,CD34…;portal=EF56…" (relying party = thumbprints it trusts).
    for (const part of env.KRBOPS_ADFS_EXPECTED_THUMBPRINTS.split(';').map((s) => s.trim()).filter(Boolean)) {
      const [rp = '', list = ''] = part.includes('=') ? part.split('=', 2) : ['default', part];
      const prints = csv(list).map((t) => t.replace(/[\s:]/g, '').toUpperCase());
      if (!prints.every((t) => /^[0-9A-F]{40}$/.test(t))) fail('KRBOPS_ADFS_EXPECTED_THUMBPRINTS', 'thumbprints must be 40 hex digits (SHA-1), as "rp=THUMB1,THUMB2;rp2=..."');
      expectedThumbprints[rp.trim()] = prints;
    }
  }

  const warnDays = parseVar(
    env,
    'KRBOPS_ADFS_WARN_DAYS',
    (raw) => {
      const days = csv(raw).map(Number);
      return days.length > 0 && days.every((n) => Number.isInteger(n) && n >= 0) ? ok(days) : bad('must be comma-separated whole numbers of days');
    },
    [30, 14, 7, 1],
  ).sort((a, b) => b - a);

  return {
    ldap,
    ...(ldifFile ? { ldifFile } : {}),
    ...(env.KRBOPS_LDIF_THREADS ? { ldifThreads: parseVar(env, 'KRBOPS_LDIF_THREADS', intVar('KRBOPS_LDIF_THREADS', 1, 16), 1) } : {}),
    playground: parseVar(env, 'KRBOPS_PLAYGROUND', boolVar('KRBOPS_PLAYGROUND'), false),
    ...(env.KRBOPS_DEMO === 'true' ? { demo: true } : {}),
    dupesAllowList: env.KRBOPS_DUPES_ALLOW ? csv(env.KRBOPS_DUPES_ALLOW) : ['kadmin/changepw'],
    dupesRecheckPerRun: parseVar(env, 'KRBOPS_DUPES_RECHECK_PER_RUN', intVar('KRBOPS_DUPES_RECHECK_PER_RUN', 1, 1_000_000), 500),
    dnsServers: csv(env.KRBOPS_DNS_SERVERS),
    inventoryFile: env.KRBOPS_INVENTORY || undefined,
    kerberos: kerberosPrincipal
      ? { principal: kerberosPrincipal, keytab: env.KRB5_KEYTAB || undefined, password: env.KRBOPS_KERBEROS_PASSWORD || undefined, krb5Config: env.KRB5_CONFIG || undefined }
      : undefined,
    probeTimeoutMs: parseVar(env, 'KRBOPS_PROBE_TIMEOUT_MS', intVar('KRBOPS_PROBE_TIMEOUT_MS', 100, 120_000), 4000),
    probeAllow: parseProbeAllow(env.KRBOPS_PROBE_ALLOW).entries,
    slack:
      env.SLACK_BOT_TOKEN || env.SLACK_SIGNING_SECRET || env.SLACK_APP_TOKEN
        ? {
            signingSecret: env.SLACK_SIGNING_SECRET || undefined,
            botToken: env.SLACK_BOT_TOKEN || undefined,
            appToken: env.SLACK_APP_TOKEN || undefined,
            apiUrl: env.SLACK_API_URL || undefined,
            alertChannel: env.KRBOPS_ALERT_SLACK_CHANNEL || undefined,
          }
        : undefined,
    teams: teamsAppId
      ? { appId: teamsAppId, appPassword: env.MicrosoftAppPassword || undefined, appType: appType as 'SingleTenant', tenantId: env.MicrosoftAppTenantId || undefined, cloud: botFrameworkCloud(env) }
      : undefined,
    adfs: { metadataUrls: csv(env.KRBOPS_ADFS_METADATA_URLS), caFile: env.KRBOPS_ADFS_CA_FILE || undefined, warnDays, expectedThumbprints },
    schedules: {
      adfs: env.KRBOPS_SCHEDULE_ADFS || '0 */6 * * *',
      dupes: env.KRBOPS_SCHEDULE_DUPES || '*/15 * * * *',
      etypes: env.KRBOPS_SCHEDULE_ETYPES || '7 * * * *',
      timezone: env.KRBOPS_TIMEZONE || env.TZ || undefined,
    },
    dbUrl: storeUrl(env.KRBOPS_DB),
    access: loadAccessPolicy(env),
    admins: csv(env.KRBOPS_ADMINS),
    approverGroupDn: env.KRBOPS_APPROVER_GROUP_DN?.trim() ? groupDnVar('KRBOPS_APPROVER_GROUP_DN', env.KRBOPS_APPROVER_GROUP_DN.trim()) : undefined,
    approvalTtlMs: parseVar(env, 'KRBOPS_APPROVAL_TTL', duration('KRBOPS_APPROVAL_TTL'), 24 * 3_600_000),
    approverChannels: {
      slack: env.KRBOPS_APPROVER_SLACK_CHANNEL?.trim() || env.KRBOPS_ALERT_SLACK_CHANNEL?.trim() || undefined,
      teams: env.KRBOPS_APPROVER_TEAMS_CHANNEL?.trim() || undefined,
    },
    server: { port: parseVar(env, 'PORT', intVar('PORT', 0, 65535), 3978), host: env.HOST || '127.0.0.1' },
    logLevel: env.LOG_LEVEL || 'info',
  };
}

/** The directory settings, or a ConfigError naming the missing variable. */
export function requireLdap(config: Config): LdapConfig {
  if (!config.ldap) throw new ConfigError('LDAP_URL', 'is not set: krbops needs a domain controller (ldaps://dc.example.com:636) or an export (file:./contoso.ldif)');
  return config.ldap;
}

/** What `krbops config` and the start banner print: every setting, secrets replaced. */
export function redactedConfig(config: Config): unknown {
  return JSON.parse(
    JSON.stringify(config, (k, v: unknown) =>
      /password|secret|token/i.test(k) && typeof v === 'string' && v ? '[redacted]' : v,
    ),
  ) as unknown;
}
