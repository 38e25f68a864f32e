/**
 * The Samba AD lab: a real Active Directory domain controller (Samba 4, AD DC role) on a private
 * loopback address, provisioned in a temporary directory, seeded with the Contoso CRM scenario of
 * the seed documents (scenario.ldif, scenario-raw.ldif, DNS records below) and stopped by its PID.
 *
 *   const lab = await startLab();        // ~3 s: provision, seed, TLS, start, DNS
 *   lab.env()                            // LDAP_URL, LDAP_BIND_DN, ... for loadConfig()
 *   await lab.ldapsearch('(servicePrincipalName=HTTP/crm*)', ['sAMAccountName'])
 *   await lab.kvno('HTTP/reports.contoso.test')
 *   await lab.stop();
 *
 * Tests do not call startLab() themselves: they call `labEnv()` (test/helpers/lab-env.ts), which
 * shares ONE lab per vitest run. Test code may write to the lab (ldbmodify, samba-tool); product
 * code never writes to AD.
 *
 * CLI for manual use:  npx tsx test/lab/lab.ts start | stop | env | status
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { promises as fs, existsSync, readFileSync, readdirSync, openSync, closeSync, writeFileSync, unlinkSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import net from 'node:net';
import dns from 'node:dns';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { restoreSnapshot, saveSnapshot } from './snapshot.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));

export const REALM = 'CONTOSO.TEST';
export const DOMAIN = 'contoso.test';
export const NETBIOS = 'CONTOSO';
export const BASE_DN = 'DC=contoso,DC=test';
export const DC_HOSTNAME = 'dc1';
export const DC_FQDN = `${DC_HOSTNAME}.${DOMAIN}`;
/** Password of krbops-reader, the ordinary domain user every test binds as. */
export const READER_PASSWORD = 'Kr8ops-Reader!Lab';
/** Password of every other scenario account (users, service accounts, computers). */
export const USER_PASSWORD = 'Contoso-Lab-Pw1!';
export const ADMIN_PASSWORD = 'Adm1n-Lab-Pw1!';

/**
 * Last octet of each scenario host inside the lab's /24 (127.77.N.x). The DC is .1. Every name has
 * an A record in contoso.test and a PTR in the reverse zone; tests may serve HTTP on any of these
 * addresses (the whole of 127/8 is local on Linux, no `ip addr add` needed for a listener).
 */
export const HOST_OCTETS = {
  dc1: 1,
  crm: 2, // the NLB virtual name in front of NDCRMSrv1-3
  ndcrmsrv1: 11,
  ndcrmsrv2: 12,
  ndcrmsrv3: 13,
  ndsqlsrv1: 21,
  reports: 30, // the SSRS scale-out name in front of NDRPTSrv1-2
  ndrptsrv1: 31,
  ndrptsrv2: 32,
  crmport: 40,
  legacy: 50,
  oldapp: 60,
} as const;
export type LabHost = keyof typeof HOST_OCTETS;
/** CNAME records in contoso.test: alias → canonical name. */
export const CNAMES: Record<string, string> = { crmalias: `ndcrmsrv1.${DOMAIN}` };

export interface StartLabOptions {
  /** DC address. Default: a free 127.77.N.1 (added to lo, removed on stop); 127.0.0.1 (serialised by a lock) when that fails. */
  ip?: string;
  /** Extra LDIF change files loaded through sam.ldb (Samba's checks apply) after scenario.ldif. */
  ldif?: string[];
  /** Extra LDIF change files written straight into the domain partition file (no checks). */
  rawLdif?: string[];
  /** Load the Contoso scenario (default true). */
  scenario?: boolean;
  /** Keep running after this process exits (the CLI). Default false: Samba stops when its parent dies. */
  detached?: boolean;
  /** Samba stops itself after this many seconds whatever happens (default 4 h; a safety net). */
  maxRuntimeSeconds?: number;
  /** Progress lines (timings); default silent. */
  log?: (line: string) => void;
  /** Extra seeding before Samba starts (after the LDIF files), e.g. bulk writes into lab.domainPartition. */
  seed?: (lab: Lab) => Promise<void>;
  /**
   * A tar of the seeded, stopped DC folder (test/lab/snapshot.ts): restored instead of provisioning
   * and seeding when the file exists, written after seeding when it does not. Default: none.
   */
  snapshot?: string;
}

/** Everything a test needs, as plain JSON (it crosses process boundaries). */
export interface LabInfo {
  ip: string;
  realm: string;
  domain: string;
  netbios: string;
  baseDn: string;
  dcHostname: string;
  /** ldaps://<ip>:636 — simple binds need TLS. */
  ldapsUrl: string;
  /** ldap://<ip>:389 — use StartTLS; Samba refuses simple binds in clear text. */
  ldapUrl: string;
  /** Global Catalog, ldaps://<ip>:3269 (TLS). */
  gcUrl: string;
  /** Global Catalog without TLS, ldap://<ip>:3268. */
  gcPlainUrl: string;
  /** The lab CA (PEM) that signed the DC certificate (SAN: dc1.contoso.test, contoso.test, <ip>). */
  caFile: string;
  bindDn: string;
  bindUpn: string;
  bindSam: string;
  bindPassword: string;
  userPassword: string;
  adminUpn: string;
  adminPassword: string;
  dir: string;
  privateDir: string;
  samLdb: string;
  /** The domain partition file: writes here bypass Samba's checks (duplicate SPNs). */
  domainPartition: string;
  smbConf: string;
  krb5Conf: string;
  dnsServer: string;
  forwardZone: string;
  reverseZone: string;
  /** Scenario host name (short) → its address. */
  hosts: Record<LabHost, string>;
  pid: number;
  startMs: number;
  lockFile?: string;
  addedAddress: boolean;
}

export interface LdapEntry {
  dn: string;
  /** Attribute names as the server sends them; values as text (binary values as base64). */
  attrs: Record<string, string[]>;
}

export interface CommandResult {
  ok: boolean;
  exitCode: number;
  stdout: string;
  stderr: string;
  /** stdout + stderr, trimmed: what a person would read. */
  text: string;
}

export interface LdapSearchOptions {
  base?: string;
  scope?: 'base' | 'one' | 'sub';
  /** Default: the lab's ldaps URL. Pass lab.gcUrl for the Global Catalog. */
  url?: string;
  /** Default: krbops-reader. 'admin' binds as Administrator (test-only comparisons). */
  as?: 'reader' | 'admin';
}

export interface LdbChange {
  op: 'add' | 'replace' | 'delete';
  attr: string;
  values?: (string | number)[];
}

// ---------------------------------------------------------------------------------------------
// small process helpers

export function run(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {}): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      cmd,
      args,
      { env: opts.env ?? process.env, timeout: opts.timeoutMs ?? 60_000, maxBuffer: 256 * 1024 * 1024, encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (err && (err as NodeJS.ErrnoException).code === 'ENOENT') return reject(new Error(`${cmd} is not installed (${err.message})`));
        const exitCode = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
        const text = [stdout, stderr].map((s) => s.trim()).filter(Boolean).join('\n');
        resolve({ ok: !err, exitCode, stdout, stderr, text });
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

async function runOk(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {}): Promise<CommandResult> {
  const r = await run(cmd, args, opts);
  if (!r.ok) throw new Error(`${cmd} ${args.filter((a) => !a.startsWith('--password') && !a.startsWith('--adminpass')).join(' ')} failed (exit ${r.exitCode}): ${r.text.slice(-2000)}`);
  return r;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isSambaPid(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0].endsWith('samba');
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// tools

/** Binaries the lab runs, and the Debian package of each. */
export const REQUIRED_TOOLS: Record<string, string> = {
  samba: 'samba-ad-dc',
  'samba-tool': 'samba',
  ldbmodify: 'ldb-tools',
  ldbsearch: 'ldb-tools',
  ldapsearch: 'ldap-utils',
  kinit: 'krb5-user',
  kvno: 'krb5-user',
  openssl: 'openssl',
  ip: 'iproute2',
};

const TOOL_DIRS = ['/usr/sbin', '/usr/bin', '/sbin', '/bin', '/usr/local/sbin', '/usr/local/bin'];

export function missingTools(tools: Record<string, string> = REQUIRED_TOOLS): string[] {
  const dirs = [...new Set([...(process.env.PATH ?? '').split(':').filter(Boolean), ...TOOL_DIRS])];
  return Object.keys(tools).filter((t) => !dirs.some((d) => existsSync(path.join(d, t))));
}

/**
 * Make sure Samba and friends are installed. In CI (CI=true) a missing tool is a hard failure;
 * locally, as root on Debian, the missing packages are installed with apt-get.
 */
export async function ensureTools(log: (line: string) => void = () => {}, tools: Record<string, string> = REQUIRED_TOOLS): Promise<void> {
  const missing = missingTools(tools);
  if (!missing.length) return;
  const pkgs = [...new Set(missing.map((t) => tools[t]))];
  const hint = `apt-get install -y ${pkgs.join(' ')}`;
  if (process.env.CI === 'true' || process.env.CI === '1') {
    throw new Error(`Samba AD lab: ${missing.join(', ')} not installed. .ci/run installs them (${hint}); the integration tests cannot run without a real DC.`);
  }
  if (process.getuid?.() !== 0 || !existsSync('/usr/bin/apt-get')) {
    throw new Error(`Samba AD lab: ${missing.join(', ')} not installed and this is not root on Debian; run as root: ${hint}`);
  }
  log(`installing ${pkgs.join(' ')} (apt-get)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  // Keep apt from starting the distribution's samba daemons (they would grab the ports).
  const policy = '/usr/sbin/policy-rc.d';
  const hadPolicy = existsSync(policy);
  if (!hadPolicy) writeFileSync(policy, '#!/bin/sh\nexit 101\n', { mode: 0o755 });
  try {
    await runOk('apt-get', ['update', '-qq'], { env, timeoutMs: 600_000 });
    // With Recommends: samba-ad-dc only recommends samba-ad-provision (the provisioning data) and samba-dsdb-modules.
    const extra = pkgs.some((p) => p.startsWith('samba')) ? ['samba-ad-provision', 'samba-dsdb-modules'] : [];
    await runOk('apt-get', ['install', '-y', '-qq', ...pkgs, ...extra], { env, timeoutMs: 1_200_000 });
  } finally {
    if (!hadPolicy) unlinkSync(policy);
  }
  const still = missingTools(tools);
  if (still.length) throw new Error(`Samba AD lab: still missing after apt-get: ${still.join(', ')}`);
}

// ---------------------------------------------------------------------------------------------
// address allocation: one Samba per IP:port, so every lab gets its own loopback address

const LOCK_DIR = path.join(tmpdir(), 'krbops-lab-locks');

interface LockContent {
  pid: number;
  dir?: string;
  sambaPid?: number;
  addedAddress?: boolean;
}

function readLock(file: string): LockContent | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LockContent;
  } catch {
    return undefined;
  }
}

function writeLock(file: string, content: LockContent): void {
  writeFileSync(file, JSON.stringify(content));
}

async function loAddresses(): Promise<string[]> {
  const r = await run('ip', ['-4', '-o', 'addr', 'show', 'dev', 'lo']);
  return [...r.stdout.matchAll(/inet (\d+\.\d+\.\d+\.\d+)\//g)].map((m) => m[1]);
}

/** Clean up after a lab whose owner died without stopping it. */
async function reclaimStale(file: string, ip: string): Promise<boolean> {
  const lock = readLock(file);
  if (lock && pidAlive(lock.pid)) return false;
  if (!lock) {
    // being written by its creator right now, or garbage: only reclaim an old one
    const age = Date.now() - ((await fs.stat(file).catch(() => undefined))?.mtimeMs ?? 0);
    if (age < 30_000) return false;
  }
  if (lock?.sambaPid && pidAlive(lock.sambaPid) && isSambaPid(lock.sambaPid)) {
    try {
      process.kill(-lock.sambaPid, 'SIGKILL');
    } catch {
      try {
        process.kill(lock.sambaPid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  }
  if (lock?.addedAddress) await run('ip', ['addr', 'del', `${ip}/32`, 'dev', 'lo']);
  if (lock?.dir && lock.dir.startsWith(path.join(tmpdir(), 'krbops-lab-'))) await fs.rm(lock.dir, { recursive: true, force: true });
  try {
    unlinkSync(file);
  } catch {
    /* raced */
  }
  return true;
}

function tryCreateLock(file: string): boolean {
  try {
    const fd = openSync(file, 'wx');
    writeFileSync(fd, JSON.stringify({ pid: process.pid } satisfies LockContent));
    closeSync(fd);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
}

async function acquireAddress(wanted: string | undefined, log: (l: string) => void): Promise<{ ip: string; lockFile: string; addedAddress: boolean }> {
  mkdirSync(LOCK_DIR, { recursive: true });
  const lockFor = (ip: string) => path.join(LOCK_DIR, `${ip}.lock`);
  const claim = async (ip: string, waitMs: number): Promise<boolean> => {
    const file = lockFor(ip);
    const deadline = Date.now() + waitMs;
    for (;;) {
      if (tryCreateLock(file)) return true;
      if (await reclaimStale(file, ip)) continue;
      if (Date.now() >= deadline) return false;
      await sleep(250);
    }
  };
  const addAddress = async (ip: string): Promise<boolean> => {
    if ((await loAddresses()).includes(ip)) return false;
    const r = await run('ip', ['addr', 'add', `${ip}/32`, 'dev', 'lo']);
    if (!r.ok) throw new Error(`ip addr add ${ip}/32 dev lo: ${r.text}`);
    return true;
  };

  // Sweep labs whose owner died without stopping them (address on lo, directory, Samba).
  for (const f of await fs.readdir(LOCK_DIR).catch(() => [] as string[])) {
    if (f.endsWith('.lock')) await reclaimStale(path.join(LOCK_DIR, f), f.slice(0, -'.lock'.length));
  }

  if (wanted) {
    if (!(await claim(wanted, 120_000))) throw new Error(`Samba AD lab: ${wanted} is in use by another lab (lock ${lockFor(wanted)})`);
    try {
      return { ip: wanted, lockFile: lockFor(wanted), addedAddress: await addAddress(wanted) };
    } catch (e) {
      unlinkSync(lockFor(wanted));
      throw e;
    }
  }

  const canAdd = process.getuid?.() === 0;
  if (canAdd) {
    const onLo = new Set(await loAddresses());
    const start = 1 + ((process.pid * 7 + Date.now()) % 254);
    for (let i = 0; i < 254; i++) {
      const n = 1 + ((start + i) % 254);
      const ip = `127.77.${n}.1`;
      if (onLo.has(ip) && !existsSync(lockFor(ip))) continue; // someone else's address
      if (!(await claim(ip, 0))) continue;
      try {
        const added = await addAddress(ip);
        return { ip, lockFile: lockFor(ip), addedAddress: added };
      } catch (e) {
        unlinkSync(lockFor(ip));
        log(`cannot add a loopback address (${(e as Error).message}); falling back to 127.0.0.1`);
        break;
      }
    }
  }
  // Fallback: 127.0.0.1, one lab at a time on this machine.
  if (!(await claim('127.0.0.1', 300_000))) throw new Error('Samba AD lab: 127.0.0.1 stayed busy for 5 minutes (another lab holds it)');
  return { ip: '127.0.0.1', lockFile: lockFor('127.0.0.1'), addedAddress: false };
}

// ---------------------------------------------------------------------------------------------
// DNS record encoding (dnsp_DnssrvRpcRecord, MS-DNSP 2.3.2.2) for offline ldb writes

const DNS_TYPE = { A: 1, CNAME: 5, PTR: 12 } as const;
type DnsType = keyof typeof DNS_TYPE;

function dnspName(name: string): Buffer {
  const labels = name.replace(/\.$/, '').split('.');
  const parts: Buffer[] = [Buffer.from([name.replace(/\.$/, '').length + 2, labels.length])];
  for (const l of labels) parts.push(Buffer.from([l.length]), Buffer.from(l, 'ascii'));
  parts.push(Buffer.from([0]));
  return Buffer.concat(parts);
}

export function encodeDnsRecord(type: DnsType, value: string, ttl = 900, serial = 1): Buffer {
  const data = type === 'A' ? Buffer.from(value.split('.').map(Number)) : dnspName(value);
  const head = Buffer.alloc(24);
  head.writeUInt16LE(data.length, 0);
  head.writeUInt16LE(DNS_TYPE[type], 2);
  head.writeUInt8(5, 4); // version
  head.writeUInt8(0xf0, 5); // DNS_RANK_ZONE
  head.writeUInt16LE(0, 6); // flags
  head.writeUInt32LE(serial, 8);
  head.writeUInt32BE(ttl, 12);
  head.writeUInt32LE(0, 16); // reserved
  head.writeUInt32LE(0, 20); // timestamp 0 = static record
  return Buffer.concat([head, data]);
}

// ---------------------------------------------------------------------------------------------
// LDIF helpers

function ldifValue(attr: string, value: string): string {
  // RFC 2849: base64 when the value is not SAFE-STRING
  // eslint-disable-next-line no-control-regex -- RFC 2849's SAFE-STRING is defined by control-character ranges
  if (/^[\x01-\x09\x0b\x0c\x0e-\x1f\x21-\x39\x3b\x3d-\x7f][\x01-\x09\x0b\x0c\x0e-\x7f]*$/.test(value) && !value.endsWith(' ')) return `${attr}: ${value}`;
  return `${attr}:: ${Buffer.from(value, 'utf8').toString('base64')}`;
}

export function ldifModify(dn: string, changes: LdbChange[]): string {
  const lines = [ldifValue('dn', dn), 'changetype: modify'];
  for (const c of changes) {
    lines.push(`${c.op}: ${c.attr}`);
    for (const v of c.values ?? []) lines.push(ldifValue(c.attr, String(v)));
    lines.push('-');
  }
  return lines.join('\n') + '\n\n';
}

/** Parse `ldapsearch -LLL -o ldif-wrap=no` / `ldbsearch` output. */
export function parseLdif(text: string): LdapEntry[] {
  const entries: LdapEntry[] = [];
  // unfold continuation lines in case wrapping was on
  const lines = text.replace(/\r\n/g, '\n').replace(/\n /g, '').split('\n');
  let cur: LdapEntry | undefined;
  for (const line of lines) {
    if (line === '') {
      if (cur) entries.push(cur);
      cur = undefined;
      continue;
    }
    if (line.startsWith('#')) continue;
    const m = /^([^:]+)(::?|:<)\s?(.*)$/.exec(line);
    if (!m) continue;
    const [, name, sep, raw] = m;
    let value = raw;
    if (sep === '::') {
      const buf = Buffer.from(raw, 'base64');
      try {
        value = new TextDecoder('utf-8', { fatal: true }).decode(buf);
        // eslint-disable-next-line no-control-regex -- binary values are the ones with control characters
        if (/[\x00-\x08\x0e-\x1f]/.test(value)) value = raw;
      } catch {
        value = raw;
      }
    }
    if (name === 'dn') {
      if (cur) entries.push(cur);
      cur = { dn: value, attrs: {} };
      continue;
    }
    if (!cur) continue;
    (cur.attrs[name] ??= []).push(value);
  }
  if (cur) entries.push(cur);
  return entries.filter((e) => !e.dn.startsWith('ref'));
}

/** Case-insensitive attribute lookup on a parsed entry. */
export function attr(entry: LdapEntry, name: string): string[] {
  const key = Object.keys(entry.attrs).find((k) => k.toLowerCase() === name.toLowerCase());
  return key ? entry.attrs[key] : [];
}

// ---------------------------------------------------------------------------------------------
// the lab

export class Lab implements LabInfo {
  ip!: string;
  realm!: string;
  domain!: string;
  netbios!: string;
  baseDn!: string;
  dcHostname!: string;
  ldapsUrl!: string;
  ldapUrl!: string;
  gcUrl!: string;
  gcPlainUrl!: string;
  caFile!: string;
  bindDn!: string;
  bindUpn!: string;
  bindSam!: string;
  bindPassword!: string;
  userPassword!: string;
  adminUpn!: string;
  adminPassword!: string;
  dir!: string;
  privateDir!: string;
  samLdb!: string;
  domainPartition!: string;
  smbConf!: string;
  krb5Conf!: string;
  dnsServer!: string;
  forwardZone!: string;
  reverseZone!: string;
  hosts!: Record<LabHost, string>;
  pid!: number;
  startMs!: number;
  lockFile?: string;
  addedAddress!: boolean;

  /** Set only in the process that started Samba. */
  private child?: ChildProcess;
  private ccaches = new Map<string, Promise<string>>();

  constructor(info: LabInfo, child?: ChildProcess) {
    Object.assign(this, info);
    this.child = child;
  }

  /** The plain data, for JSON / vitest provide. */
  info(): LabInfo {
    const { child: _c, ccaches: _k, ...rest } = this as unknown as Record<string, unknown>;
    return JSON.parse(JSON.stringify(rest)) as LabInfo;
  }

  /** Environment for krbops (src/config.ts) pointing at this lab, bound as krbops-reader. */
  env(): Record<string, string> {
    return {
      LDAP_URL: this.ldapsUrl,
      LDAP_BIND_DN: this.bindDn,
      LDAP_BIND_PASSWORD: this.bindPassword,
      LDAP_CA_FILE: this.caFile,
      LDAP_GC_URL: this.gcUrl,
      KRBOPS_DNS_SERVERS: this.dnsServer,
      KRB5_CONFIG: this.krb5Conf,
      KRBOPS_KERBEROS_PRINCIPAL: `krbops-reader@${this.realm}`,
      KRBOPS_KERBEROS_PASSWORD: this.bindPassword,
      // The lab's hosts live on loopback addresses, which chat users may not probe unless allowed (issue 11, SSRF).
      KRBOPS_PROBE_ALLOW: `${this.ip.split('.').slice(0, 3).join('.')}.0/24`,
    };
  }

  private ldbArgs(): string[] {
    return [`--configfile=${this.smbConf}`];
  }

  // ----- reading (for comparisons)

  /** ldapsearch over LDAPS with CA verification, bound as krbops-reader (or admin); paged. */
  async ldapsearch(filter: string, attrs: string[] = [], opts: LdapSearchOptions = {}): Promise<LdapEntry[]> {
    const admin = opts.as === 'admin';
    const args = [
      '-LLL', '-o', 'ldif-wrap=no', '-x',
      '-H', opts.url ?? this.ldapsUrl,
      '-D', admin ? this.adminUpn : this.bindUpn,
      '-w', admin ? this.adminPassword : this.bindPassword,
      '-b', opts.base ?? this.baseDn,
      '-s', opts.scope ?? 'sub',
      '-E', 'pr=500/noprompt',
      filter,
      ...attrs,
    ];
    const r = await run('ldapsearch', args, { env: { ...process.env, LDAPTLS_CACERT: this.caFile, LDAPTLS_REQCERT: 'demand' } });
    // 32 = noSuchObject: an empty answer, not a failure
    if (!r.ok && r.exitCode !== 32) throw new Error(`ldapsearch ${filter} failed (exit ${r.exitCode}): ${r.stderr.trim()}`);
    return parseLdif(r.stdout);
  }

  /** ldbsearch on sam.ldb as the system (sees everything, no LDAP). */
  async ldbsearch(filter: string, attrs: string[] = [], base?: string): Promise<LdapEntry[]> {
    const args = ['-H', this.samLdb, ...this.ldbArgs(), ...(base ? ['-b', base] : []), filter, ...attrs];
    const r = await runOk('ldbsearch', args);
    return parseLdif(r.stdout);
  }

  /** samba-tool with this lab's smb.conf. Local database commands: add `-H`, lab.samLdb. */
  async sambaTool(args: string[]): Promise<CommandResult> {
    return run('samba-tool', [...args, '-s', this.smbConf]);
  }

  /** Samba's own `samba-tool spn list <account>` answer, as an array. */
  async spnList(account: string): Promise<string[]> {
    const r = await this.sambaTool(['spn', 'list', account, '-H', this.samLdb]);
    if (!r.ok) throw new Error(`samba-tool spn list ${account}: ${r.text}`);
    return r.stdout.split('\n').filter((l) => /^\s+\S/.test(l) && l.startsWith('\t')).map((l) => l.trim());
  }

  /** DN of an account given its sAMAccountName (with or without $) or its DN. */
  async resolveDn(account: string): Promise<string> {
    if (/=/.test(account)) return account;
    const esc = (s: string) => s.replace(/[\\*()\0]/g, (c) => `\\${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
    const found = await this.ldbsearch(`(|(sAMAccountName=${esc(account)})(sAMAccountName=${esc(account)}$))`, ['dn']);
    if (found.length !== 1) throw new Error(`lab: account ${account} not found (${found.length} matches)`);
    return found[0].dn;
  }

  // ----- writing (test code only)

  /**
   * Apply LDIF change records through sam.ldb (Samba's checks apply) or, raw, to the domain
   * partition file. A raw write bypasses Samba's bookkeeping, so each object it touched then gets a
   * real change through sam.ldb (adminDescription) and its uSNChanged/whenChanged move, as they
   * would on a DC where the write had been accepted.
   */
  async ldbModify(ldif: string, opts: { raw?: boolean } = {}): Promise<void> {
    await runOk('ldbmodify', ['-H', opts.raw ? this.domainPartition : this.samLdb, ...this.ldbArgs()], { input: ldif });
    if (!opts.raw) return;
    const touched = [...new Set(parseLdif(ldif.replace(/^(?!dn:).*$/gm, '')).map((e) => e.dn))];
    const stamp = `krbops lab: raw write ${new Date().toISOString()}`;
    await runOk('ldbmodify', ['-H', this.samLdb, ...this.ldbArgs()], {
      input: touched.map((dn) => ldifModify(dn, [{ op: 'replace', attr: 'adminDescription', values: [stamp] }])).join(''),
    });
  }

  async modify(account: string, changes: LdbChange[], opts: { raw?: boolean } = {}): Promise<void> {
    await this.ldbModify(ldifModify(await this.resolveDn(account), changes), opts);
  }

  /** Add an SPN that another account already holds (Samba refuses this over LDAP). */
  async addDuplicateSpn(account: string, spn: string): Promise<void> {
    await this.modify(account, [{ op: 'add', attr: 'servicePrincipalName', values: [spn] }], { raw: true });
  }

  async addSpn(account: string, spn: string): Promise<void> {
    await this.modify(account, [{ op: 'add', attr: 'servicePrincipalName', values: [spn] }]);
  }

  async removeSpn(account: string, spn: string, opts: { raw?: boolean } = {}): Promise<void> {
    await this.modify(account, [{ op: 'delete', attr: 'servicePrincipalName', values: [spn] }], opts);
  }

  async setUac(account: string, uac: number): Promise<void> {
    await this.modify(account, [{ op: 'replace', attr: 'userAccountControl', values: [uac] }]);
  }

  /**
   * Add a user (service account) with a password. Names must be unique per test file: the lab is
   * shared by every test of the run.
   */
  async addUser(sam: string, o: { ou?: string; spns?: string[]; uac?: number; password?: string; extra?: Record<string, (string | number)[]> } = {}): Promise<string> {
    const dn = `CN=${sam.replace(/([,+"\\<>;=#])/g, '\\$1')},${o.ou ?? `CN=Users,${this.baseDn}`}`;
    const pwd = Buffer.from(`"${o.password ?? this.userPassword}"`, 'utf16le').toString('base64');
    const lines = [ldifValue('dn', dn), 'changetype: add', 'objectClass: user', ldifValue('sAMAccountName', sam), ldifValue('userPrincipalName', `${sam}@${this.domain}`), `userAccountControl: ${o.uac ?? 512}`];
    for (const s of o.spns ?? []) lines.push(ldifValue('servicePrincipalName', s));
    for (const [k, vs] of Object.entries(o.extra ?? {})) for (const v of vs) lines.push(ldifValue(k, String(v)));
    lines.push(`unicodePwd:: ${pwd}`);
    await this.ldbModify(lines.join('\n') + '\n\n');
    return dn;
  }

  async deleteObject(dnOrAccount: string): Promise<void> {
    const dn = await this.resolveDn(dnOrAccount);
    await runOk('ldbdel', ['-H', this.samLdb, ...this.ldbArgs(), dn]);
  }

  // ----- DNS

  private dnsTarget(name: string, type: 'A' | 'CNAME' | 'PTR'): { zone: string; node: string } {
    if (type === 'PTR' && /^\d+\.\d+\.\d+\.\d+$/.test(name)) {
      const o = name.split('.');
      const zone = `${o[2]}.${o[1]}.${o[0]}.in-addr.arpa`;
      if (zone !== this.reverseZone) throw new Error(`lab: no reverse zone for ${name} (the lab has ${this.reverseZone})`);
      return { zone, node: o[3] };
    }
    const n = name.replace(/\.$/, '').toLowerCase();
    if (n === this.forwardZone) return { zone: this.forwardZone, node: '@' };
    if (n.endsWith(`.${this.forwardZone}`)) return { zone: this.forwardZone, node: n.slice(0, -this.forwardZone.length - 1) };
    if (n.endsWith(`.${this.reverseZone}`)) return { zone: this.reverseZone, node: n.slice(0, -this.reverseZone.length - 1) };
    return { zone: this.forwardZone, node: n };
  }

  /**
   * Add a DNS record through Samba's DNS management RPC (samba-tool dns add, as Administrator).
   * name: short (crm2), FQDN (crm2.contoso.test) or, for PTR, an IPv4 address.
   */
  async addDnsRecord(name: string, type: 'A' | 'CNAME' | 'PTR', value: string): Promise<void> {
    const { zone, node } = this.dnsTarget(name, type);
    const r = await this.sambaTool(['dns', 'add', this.ip, zone, node, type, value, '-U', 'Administrator', `--password=${this.adminPassword}`]);
    if (!r.ok) throw new Error(`samba-tool dns add ${zone} ${node} ${type} ${value}: ${r.text}`);
  }

  async deleteDnsRecord(name: string, type: 'A' | 'CNAME' | 'PTR', value: string): Promise<void> {
    const { zone, node } = this.dnsTarget(name, type);
    const r = await this.sambaTool(['dns', 'delete', this.ip, zone, node, type, value, '-U', 'Administrator', `--password=${this.adminPassword}`]);
    if (!r.ok) throw new Error(`samba-tool dns delete ${zone} ${node} ${type} ${value}: ${r.text}`);
  }

  /** A node.js resolver that asks the lab DNS only. */
  resolver(): dns.promises.Resolver {
    const r = new dns.promises.Resolver({ timeout: 2000, tries: 2 });
    r.setServers([this.dnsServer]);
    return r;
  }

  // ----- Kerberos

  /** KRB5_CONFIG / KRB5CCNAME for a credential cache of `principal` in this lab. */
  krbEnv(ccache: string): NodeJS.ProcessEnv {
    return { ...process.env, KRB5_CONFIG: this.krb5Conf, KRB5CCNAME: `FILE:${ccache}`, KRB5_TRACE: undefined };
  }

  /** kinit (password on stdin) into a private cache; returns the cache path. Cached per principal and process. */
  kinit(principal = 'krbops-reader', password?: string): Promise<string> {
    const key = `${principal}\0${password ?? ''}`;
    let p = this.ccaches.get(key);
    if (!p) {
      p = (async () => {
        const dir = path.join(this.dir, 'ccache');
        await fs.mkdir(dir, { recursive: true });
        const cc = path.join(dir, `${principal.replace(/[^A-Za-z0-9.-]/g, '_')}-${process.pid}-${this.ccaches.size}`);
        const full = principal.includes('@') ? principal : `${principal}@${this.realm}`;
        const pw = password ?? (principal.replace(/@.*/, '') === 'krbops-reader' ? this.bindPassword : principal.replace(/@.*/, '') === 'Administrator' ? this.adminPassword : this.userPassword);
        const r = await run('kinit', [full], { env: this.krbEnv(cc), input: `${pw}\n` });
        if (!r.ok) throw new Error(`kinit ${full}: ${r.text}`);
        return cc;
      })();
      this.ccaches.set(key, p);
      p.catch(() => this.ccaches.delete(key));
    }
    return p;
  }

  /**
   * `kvno <spn>` with a TGT of `principal` (default krbops-reader). Never throws for a KDC refusal:
   * the result's text is what the why-401 KDC collector parses, e.g.
   *   ok:        "HTTP/reports.contoso.test@CONTOSO.TEST: kvno = 1"
   *   not found: "kvno: Server not found in Kerberos database while getting credentials for HTTP/x@CONTOSO.TEST"
   */
  async kvno(spn: string, opts: { principal?: string; password?: string } = {}): Promise<CommandResult> {
    const cc = await this.kinit(opts.principal, opts.password);
    return run('kvno', [spn], { env: this.krbEnv(cc) });
  }

  // ----- lifecycle

  /** Stop Samba (by PID, whole process group), wait, remove the address, the lock and the directory. */
  async stop(): Promise<void> {
    await stopSamba(this.pid);
    if (this.addedAddress) await run('ip', ['addr', 'del', `${this.ip}/32`, 'dev', 'lo']);
    if (this.lockFile) {
      try {
        unlinkSync(this.lockFile);
      } catch {
        /* already gone */
      }
    }
    if (!process.env.KRBOPS_LAB_KEEP) await fs.rm(this.dir, { recursive: true, force: true });
  }
}

async function stopSamba(pid: number): Promise<void> {
  if (!pid || !pidAlive(pid)) return;
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pid, sig); // samba leads its own process group
    } catch {
      try {
        process.kill(pid, sig);
      } catch {
        /* gone */
      }
    }
  };
  // Members of the group that are still running (zombies hold no ports; init reaps them late).
  const groupAlive = () => {
    for (const d of readdirSync('/proc')) {
      if (!/^\d+$/.test(d)) continue;
      try {
        const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // state ppid pgrp ...
        if (Number(f[2]) === pid && f[0] !== 'Z' && f[0] !== 'X') return true;
      } catch {
        /* exited meanwhile */
      }
    }
    return false;
  };
  // The lab's state is thrown away, so there is nothing to shut down cleanly: a polite SIGTERM
  // costs ~2 s of Samba tearing down its prefork workers. Kill the whole group.
  signal('SIGKILL');
  const deadline = Date.now() + 10_000;
  while (groupAlive() && Date.now() < deadline) await sleep(20);
  if (groupAlive()) throw new Error(`Samba AD lab: samba (pid ${pid}) survived SIGKILL`);
}

/** Rebuild a Lab (with its helpers) from the plain data, e.g. in a vitest worker. */
export function attachLab(info: LabInfo): Lab {
  return new Lab(info);
}

// ---------------------------------------------------------------------------------------------
// start

function smbConfExtras(dir: string, tls: { key: string; cert: string; ca: string }): string {
  return [
    // only what the tests use: LDAP/GC, CLDAP, Kerberos, DNS, and RPC for samba-tool dns
    '\tserver services = ldap, cldap, kdc, rpc, dns',
    '\tprefork children = 2',
    `\tpid directory = ${dir}/run`,
    `\tlog file = ${dir}/log/samba.log`,
    '\tlogging = file',
    '\tlog level = 1',
    '\tmax log size = 10000',
    '\ttls enabled = yes',
    `\ttls keyfile = ${tls.key}`,
    `\ttls certfile = ${tls.cert}`,
    `\ttls cafile = ${tls.ca}`,
    '\ttls crlfile = ',
    '\tdns forwarder = ',
    '\tpanic action = ',
    `\tntp signd socket directory = ${dir}/ntp_signd`,
    `\twinbindd socket directory = ${dir}/winbindd`,
  ].join('\n');
}

async function makeTls(dir: string, ip: string): Promise<{ key: string; cert: string; ca: string; caKey: string }> {
  const t = path.join(dir, 'tls');
  await fs.mkdir(t, { recursive: true });
  const f = (n: string) => path.join(t, n);
  const days = '30';
  await runOk('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', f('ca.key'), '-out', f('ca.pem'), '-days', days, '-subj', '/O=krbops lab/CN=krbops lab CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  await runOk('openssl', ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', f('dc.key'), '-out', f('dc.csr'), '-subj', `/O=krbops lab/CN=${DC_FQDN}`]);
  await fs.writeFile(f('ext.cnf'), `subjectAltName=DNS:${DC_FQDN},DNS:${DOMAIN},IP:${ip}\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\nbasicConstraints=CA:FALSE\n`);
  await runOk('openssl', ['x509', '-req', '-in', f('dc.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f('dc.pem'), '-days', days, '-extfile', f('ext.cnf')]);
  await fs.chmod(f('dc.key'), 0o600);
  await fs.chmod(f('ca.key'), 0o600);
  return { key: f('dc.key'), cert: f('dc.pem'), ca: f('ca.pem'), caKey: f('ca.key') };
}

function krb5ConfText(ip: string): string {
  return `[libdefaults]
	default_realm = ${REALM}
	dns_lookup_realm = false
	dns_lookup_kdc = false
	rdns = false
	dns_canonicalize_hostname = false
	udp_preference_limit = 0

[realms]
	${REALM} = {
		kdc = ${ip}
		admin_server = ${ip}
		kpasswd_server = ${ip}
	}

[domain_realm]
	.${DOMAIN} = ${REALM}
	${DOMAIN} = ${REALM}
`;
}

function dnsSeedLdif(hosts: Record<LabHost, string>, forwardZone: string, reverseZone: string): string {
  const zoneDn = (z: string) => `DC=${z},CN=MicrosoftDNS,DC=DomainDnsZones,${BASE_DN}`;
  const node = (zone: string, name: string, recs: Buffer[]) =>
    [`dn: DC=${name},${zoneDn(zone)}`, 'changetype: add', 'objectClass: dnsNode', ...recs.map((b) => `dnsRecord:: ${b.toString('base64')}`)].join('\n') + '\n\n';
  let out = '';
  for (const [name, ip] of Object.entries(hosts)) {
    if (name === 'dc1') continue; // provision created it
    out += node(forwardZone, name, [encodeDnsRecord('A', ip)]);
  }
  for (const [alias, target] of Object.entries(CNAMES)) out += node(forwardZone, alias, [encodeDnsRecord('CNAME', target)]);
  for (const [name, ip] of Object.entries(hosts)) out += node(reverseZone, ip.split('.')[3], [encodeDnsRecord('PTR', `${name}.${DOMAIN}`)]);
  return out;
}

async function waitReady(lab: Lab, child: ChildProcess | undefined, sambaOut: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited: string | undefined;
  child?.once('exit', (code, sig) => (exited = `samba exited (${sig ?? code})`));
  const portOpen = (port: number) =>
    new Promise<boolean>((res) => {
      const s = net.connect({ host: lab.ip, port });
      s.once('connect', () => (s.destroy(), res(true)));
      s.once('error', () => res(false));
    });
  for (;;) {
    if (exited || (!child && !pidAlive(lab.pid))) {
      const out = await fs.readFile(sambaOut, 'utf8').catch(() => '');
      throw new Error(`Samba AD lab: ${exited ?? 'samba exited'} during start-up. Last output:\n${out.split('\n').slice(-25).join('\n')}`);
    }
    if ((await portOpen(636)) && (await portOpen(88)) && (await portOpen(53)) && (await portOpen(135))) {
      const r = await run('ldapsearch', ['-LLL', '-x', '-H', lab.ldapsUrl, '-D', lab.bindUpn, '-w', lab.bindPassword, '-b', '', '-s', 'base', 'defaultNamingContext'], {
        env: { ...process.env, LDAPTLS_CACERT: lab.caFile, LDAPTLS_REQCERT: 'demand' },
        timeoutMs: 5000,
      });
      if (r.ok) return;
      if (Date.now() > deadline) throw new Error(`Samba AD lab: LDAPS bind as ${lab.bindUpn} still failing: ${r.text}`);
    }
    if (Date.now() > deadline) throw new Error(`Samba AD lab: ports 636/88/53/135 on ${lab.ip} not open after ${timeoutMs} ms`);
    await sleep(100);
  }
}

/** Provision, seed and start a Samba AD DC. Typically 2.5–4 s. */
export async function startLab(options: StartLabOptions = {}): Promise<Lab> {
  const t0 = Date.now();
  const log = options.log ?? (() => {});
  const step = (what: string) => log(`[lab] ${what} (+${Date.now() - t0} ms)`);
  await ensureTools(log);
  if (process.getuid?.() !== 0) throw new Error('Samba AD lab: must run as root (samba binds ports 53, 88, 389, 636)');

  const { ip, lockFile, addedAddress } = await acquireAddress(options.ip, log);
  step(`address ${ip}${addedAddress ? ' (added to lo)' : ''}`);
  const dir = await fs.mkdtemp(path.join(tmpdir(), 'krbops-lab-'));
  writeLock(lockFile, { pid: process.pid, dir, addedAddress });
  let sambaPid = 0;
  try {
    const prefix = ip.split('.').slice(0, 3).join('.');
    const hosts = Object.fromEntries(Object.entries(HOST_OCTETS).map(([h, o]) => [h, h === 'dc1' ? ip : `${prefix}.${o}`])) as Record<LabHost, string>;
    const reverseZone = `${ip.split('.').slice(0, 3).reverse().join('.')}.in-addr.arpa`;

    const restoring = options.snapshot !== undefined && existsSync(options.snapshot);
    if (restoring) {
      await restoreSnapshot(options.snapshot!, dir, ip);
      step(`snapshot ${options.snapshot} restored`);
    } else {
      const prov = await run(
        'samba-tool',
        [
          'domain', 'provision',
          `--realm=${REALM}`, `--domain=${NETBIOS}`, '--server-role=dc', '--dns-backend=SAMBA_INTERNAL',
          `--host-ip=${ip}`, `--host-name=${DC_HOSTNAME}`, `--targetdir=${dir}`,
          `--option=interfaces=${ip}`, '--option=bind interfaces only=yes',
          `--adminpass=${ADMIN_PASSWORD}`,
        ],
        { timeoutMs: 180_000 },
      );
      if (!prov.ok) throw new Error(`samba-tool domain provision failed (exit ${prov.exitCode}): ${prov.text.slice(-3000)}`);
      step('provisioned');
    }

    const smbConf = path.join(dir, 'etc', 'smb.conf');
    const privateDir = path.join(dir, 'private');
    const partDir = path.join(privateDir, 'sam.ldb.d');
    const domainPartition = path.join(partDir, (await fs.readdir(partDir)).find((f) => f.toUpperCase() === `${BASE_DN.toUpperCase()}.LDB`) ?? `${BASE_DN.toUpperCase()}.ldb`);
    for (const d of ['run', 'log', 'ntp_signd', 'winbindd', 'ccache']) await fs.mkdir(path.join(dir, d), { recursive: true });

    const tls = await makeTls(dir, ip);
    step('TLS certificate issued');
    // Rewrite [global]: drop the lines we replace, add ours (a snapshot has them already).
    if (!restoring) {
      const conf = await fs.readFile(smbConf, 'utf8');
      const dropped = /^\s*(log file|logging|max log size|dns forwarder|panic action|server services|tls .*|pid directory)\s*=.*$\n?/gim;
      await fs.writeFile(smbConf, conf.replace(dropped, '').replace(/^\[global\]$/m, `[global]\n${smbConfExtras(dir, tls)}`));
    }
    const krb5Conf = path.join(dir, 'krb5.conf');
    await fs.writeFile(krb5Conf, krb5ConfText(ip));

    const info: LabInfo = {
      ip,
      realm: REALM,
      domain: DOMAIN,
      netbios: NETBIOS,
      baseDn: BASE_DN,
      dcHostname: DC_FQDN,
      ldapsUrl: `ldaps://${ip}:636`,
      ldapUrl: `ldap://${ip}:389`,
      gcUrl: `ldaps://${ip}:3269`,
      gcPlainUrl: `ldap://${ip}:3268`,
      caFile: tls.ca,
      bindDn: `CN=krbops-reader,CN=Users,${BASE_DN}`,
      bindUpn: `krbops-reader@${DOMAIN}`,
      bindSam: `${NETBIOS}\\krbops-reader`,
      bindPassword: READER_PASSWORD,
      userPassword: USER_PASSWORD,
      adminUpn: `Administrator@${DOMAIN}`,
      adminPassword: ADMIN_PASSWORD,
      dir,
      privateDir,
      samLdb: path.join(privateDir, 'sam.ldb'),
      domainPartition,
      smbConf,
      krb5Conf,
      dnsServer: ip,
      forwardZone: DOMAIN,
      reverseZone,
      hosts,
      pid: 0,
      startMs: 0,
      lockFile,
      addedAddress,
    };
    const lab = new Lab(info);

    if (!restoring) {
      // Seed before start: through sam.ldb (checked), then raw into the partition (duplicates).
      const ldif = [...(options.scenario === false ? [] : [path.join(HERE, 'scenario.ldif')]), ...(options.ldif ?? [])];
      const raw = [...(options.scenario === false ? [] : [path.join(HERE, 'scenario-raw.ldif')]), ...(options.rawLdif ?? [])];
      // Bench labs load tens of thousands of accounts: far more than the default 60 s per command on a busy machine.
      const seedTimeoutMs = 30 * 60_000;
      for (const f of ldif) await runOk('ldbmodify', ['-H', info.samLdb, `--configfile=${smbConf}`, f], { timeoutMs: seedTimeoutMs });
      for (const f of raw) await runOk('ldbmodify', ['-H', domainPartition, `--configfile=${smbConf}`, f], { timeoutMs: seedTimeoutMs });
      if (options.scenario !== false) {
        // Resource-based constrained delegation: NDSQLSRV1$ accepts delegated tickets from rptservice.
        const sid = attr((await lab.ldbsearch('(sAMAccountName=rptservice)', ['objectSid']))[0], 'objectSid')[0];
        await lab.modify('NDSQLSRV1$', [{ op: 'replace', attr: 'msDS-AllowedToActOnBehalfOfOtherIdentity', values: [`O:BAD:(A;;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;${sid})`] }]);
      }
      step('scenario loaded');
      if (options.seed) {
        await options.seed(lab);
        step('extra seed loaded');
      }
      if (options.snapshot) {
        await saveSnapshot(dir, ip, options.snapshot);
        step(`snapshot ${options.snapshot} saved`);
      }
    }

    // Start. Interactive mode (-i) ties Samba to our stdin: if this process dies, Samba exits.
    const sambaOut = path.join(dir, 'log', 'samba.out');
    const outFd = openSync(sambaOut, 'a');
    const maxRuntime = String(options.maxRuntimeSeconds ?? 4 * 3600);
    const child = spawn('samba', ['-s', smbConf, options.detached ? '-F' : '-i', '-M', 'prefork', `--maximum-runtime=${maxRuntime}`], {
      stdio: [options.detached ? 'ignore' : 'pipe', outFd, outFd],
      detached: Boolean(options.detached),
    });
    closeSync(outFd);
    if (!child.pid) throw new Error('Samba AD lab: could not spawn samba');
    sambaPid = child.pid;
    lab.pid = child.pid;
    writeLock(lockFile, { pid: options.detached ? child.pid : process.pid, dir, sambaPid: child.pid, addedAddress });
    child.unref();
    (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    await waitReady(lab, child, sambaOut, 60_000);
    step('samba serving');

    // DNS: the reverse zone through RPC, then every record in one ldb transaction.
    const zc = await lab.sambaTool(['dns', 'zonecreate', ip, reverseZone, '-U', 'Administrator', `--password=${ADMIN_PASSWORD}`]);
    if (!zc.ok) throw new Error(`samba-tool dns zonecreate ${reverseZone}: ${zc.text}`);
    await lab.ldbModify(dnsSeedLdif(hosts, DOMAIN, reverseZone));
    step('DNS records added');

    lab.startMs = Date.now() - t0;
    return new Lab(lab.info(), options.detached ? undefined : child);
  } catch (e) {
    if (sambaPid) await stopSamba(sambaPid);
    if (addedAddress) await run('ip', ['addr', 'del', `${ip}/32`, 'dev', 'lo']);
    try {
      unlinkSync(lockFile);
    } catch {
      /* gone */
    }
    if (!process.env.KRBOPS_LAB_KEEP) await fs.rm(dir, { recursive: true, force: true });
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------
// CLI: npx tsx test/lab/lab.ts start|stop|env|status

const STATE_FILE = path.join(HERE, '..', '..', '.lab', 'lab.json');

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function printEnv(info: LabInfo): void {
  const lab = attachLab(info);
  for (const [k, v] of Object.entries(lab.env())) process.stdout.write(`export ${k}=${shellQuote(v)}\n`);
  process.stdout.write(`export KRBOPS_LAB_JSON=${shellQuote(STATE_FILE)}\n`);
}

async function cli(argv: string[]): Promise<number> {
  const cmd = argv[0];
  const state = (): LabInfo | undefined => (existsSync(STATE_FILE) ? (JSON.parse(readFileSync(STATE_FILE, 'utf8')) as LabInfo) : undefined);
  if (cmd === 'start') {
    const old = state();
    if (old && pidAlive(old.pid)) {
      process.stderr.write(`lab already running (pid ${old.pid}, ${old.ip}); \`stop\` it first\n`);
      printEnv(old);
      return 0;
    }
    const ipIdx = argv.indexOf('--ip');
    const lab = await startLab({ detached: true, ip: ipIdx > 0 ? argv[ipIdx + 1] : undefined, maxRuntimeSeconds: 24 * 3600, log: (l) => process.stderr.write(`${l}\n`) });
    mkdirSync(path.dirname(STATE_FILE), { recursive: true });
    writeFileSync(STATE_FILE, JSON.stringify(lab.info(), null, 2));
    process.stderr.write(`lab up in ${lab.startMs} ms: DC ${lab.ip} (pid ${lab.pid}), state in ${STATE_FILE}\n`);
    printEnv(lab.info());
    return 0;
  }
  if (cmd === 'stop') {
    const info = state();
    if (!info) {
      process.stderr.write('no lab state (.lab/lab.json); nothing to stop\n');
      return 0;
    }
    await attachLab(info).stop();
    unlinkSync(STATE_FILE);
    process.stderr.write(`lab ${info.ip} stopped\n`);
    return 0;
  }
  if (cmd === 'env' || cmd === 'status') {
    const info = state();
    if (!info || !pidAlive(info.pid)) {
      process.stderr.write('no lab running\n');
      return 1;
    }
    if (cmd === 'env') printEnv(info);
    else process.stdout.write(`running: pid ${info.pid}, DC ${info.ip}, dir ${info.dir}\n`);
    return 0;
  }
  process.stderr.write('usage: npx tsx test/lab/lab.ts start [--ip 127.77.N.1] | stop | env | status\n');
  return 2;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  cli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: Error) => {
      process.stderr.write(`${e.message}\n`);
      process.exit(1);
    },
  );
}
