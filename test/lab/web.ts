/**
 * The Kerberos web lab: web sites that authenticate with Kerberos the way IIS does, each one broken
 * in one way of issue 10, plus a healthy one. Apache 2.4 with mod_auth_gssapi (MIT krb5 acceptor),
 * keytabs exported from the lab's Samba DC, one Apache under faketime for clock skew.
 *
 *   const web = await startWebLab();          // its own Samba DC (it resets passwords and moves SPNs)
 *   web.sites.helpdesk.url                     // http://helpdesk.contoso.test/ (A record on the lab DNS)
 *   web.lab.env()                              // LDAP + KDC + DNS of that DC, probe identity krbops-reader
 *   await web.stop();
 *
 * The web lab runs on its own DC (a second `startLab()`): its duplicate SPN, password reset and moved
 * SPN would otherwise show up in the answers the shared lab's tests compare against. Sites listen on
 * port 80 of addresses in that DC's /24 (127.77.N.101…); names resolve only through the lab DNS.
 * Test code only: product code never writes to AD.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { promises as fs, readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { BASE_DN, DOMAIN, REALM, attachLab, encodeDnsRecord, ensureTools, run, startLab, type Lab, type LabInfo } from './lab.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const MODULES = '/usr/lib/apache2/modules';
/** The password web.ts sets on websvc-helpdesk after its keytab was exported. */
export const RESET_PASSWORD = 'Web-websvc-helpdesk-Pw2!';
/** The password of every web lab account (web-scenario.ldif). */
export const webPassword = (sam: string): string => `Web-${sam}-Pw1!`;
/** How far ahead the skewed server's clock runs (Kerberos allows 5 minutes). */
export const SKEW_MINUTES = 10;

export type WebOutcome = 'authenticated' | 'rejected' | 'no-ticket' | 'not-offered';

export interface WebSiteSpec {
  /** Last octet of the site's address in the lab's /24. */
  octet: number;
  /** How the server authenticates. */
  auth: 'kerberos' | 'basic';
  /** Principal whose keys the server's keytab holds (sAMAccountName, or an SPN: RC4 only in Samba 4.17). */
  keytab?: string;
  /** Runs in the Apache under faketime. */
  skewed?: boolean;
  /** The URL's host is a CNAME to this name (which gets the A record). */
  cnameTo?: string;
  /** What a browser meets (issue 10's table). */
  expect: { outcome: WebOutcome; code?: number; spn: string };
  /** One line for humans. */
  about: string;
}

export const WEB_SITES = {
  intranet: { octet: 101, auth: 'kerberos', keytab: 'websvc-intranet', expect: { outcome: 'authenticated', spn: 'HTTP/intranet.contoso.test' }, about: 'healthy' },
  newapp: { octet: 102, auth: 'kerberos', keytab: 'websvc-intranet', expect: { outcome: 'no-ticket', code: 7, spn: 'HTTP/newapp.contoso.test' }, about: 'no account holds the SPN' },
  projects: { octet: 103, auth: 'kerberos', keytab: 'websvc-projects', expect: { outcome: 'no-ticket', code: 7, spn: 'HTTP/projects.contoso.test' }, about: 'the SPN is on two accounts' },
  timesheets: { octet: 104, auth: 'kerberos', keytab: 'websvc-payroll', expect: { outcome: 'rejected', code: 35, spn: 'HTTP/timesheets.contoso.test' }, about: 'the SPN is on websvc-timesheets, the server runs with websvc-payroll\'s keytab' },
  wiki: { octet: 105, auth: 'kerberos', keytab: 'HTTP/wiki.contoso.test', expect: { outcome: 'rejected', code: 31, spn: 'HTTP/wiki.contoso.test' }, about: 'the SPN moved to websvc-wiki after the keytab (websvc-wiki-old, same kvno) was made' },
  helpdesk: { octet: 106, auth: 'kerberos', keytab: 'HTTP/helpdesk.contoso.test', expect: { outcome: 'rejected', code: 44, spn: 'HTTP/helpdesk.contoso.test' }, about: 'the keytab is older than the password reset (kvno 1 vs 2)' },
  expenses: { octet: 107, auth: 'kerberos', keytab: 'websvc-expenses', skewed: true, expect: { outcome: 'rejected', code: 37, spn: 'HTTP/expenses.contoso.test' }, about: `the server's clock is ${SKEW_MINUTES} minutes ahead` },
  portal: { octet: 108, auth: 'kerberos', keytab: 'websvc-portal', cnameTo: 'webfarm1', expect: { outcome: 'no-ticket', code: 7, spn: 'HTTP/webfarm1.contoso.test' }, about: 'a CNAME to webfarm1; the SPN is only on the alias' },
  legacyapp: { octet: 109, auth: 'basic', expect: { outcome: 'not-offered', spn: 'HTTP/legacyapp.contoso.test' }, about: 'Basic authentication only' },
} as const satisfies Record<string, WebSiteSpec>;
export type WebSiteName = keyof typeof WEB_SITES;

export interface WebSite {
  name: WebSiteName;
  url: string;
  host: string;
  /** Address the site (or its CNAME target) listens on. */
  address: string;
  expect: WebSiteSpec['expect'];
  about: string;
}

export interface WebLabInfo {
  lab: LabInfo;
  dir: string;
  sites: Record<WebSiteName, WebSite>;
  apachePids: number[];
  startMs: number;
}

export class WebLab implements WebLabInfo {
  lab: Lab;
  dir: string;
  sites: Record<WebSiteName, WebSite>;
  apachePids: number[];
  startMs: number;

  constructor(info: WebLabInfo, lab?: Lab) {
    this.lab = lab ?? attachLab(info.lab);
    this.dir = info.dir;
    this.sites = info.sites;
    this.apachePids = info.apachePids;
    this.startMs = info.startMs;
  }

  info(): WebLabInfo {
    return { lab: this.lab.info(), dir: this.dir, sites: this.sites, apachePids: this.apachePids, startMs: this.startMs };
  }

  /** Kills both Apaches (process groups), then the DC. */
  async stop(): Promise<void> {
    for (const pid of this.apachePids) await killGroup(pid);
    if (!process.env.KRBOPS_LAB_KEEP) await fs.rm(this.dir, { recursive: true, force: true });
    await this.lab.stop();
  }
}

export const attachWebLab = (info: WebLabInfo): WebLab => new WebLab(info);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function groupMembers(pgid: number): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(f[2]) === pgid && f[0] !== 'Z' && f[0] !== 'X') out.push(Number(d));
    } catch {
      /* exited */
    }
  }
  return out;
}

async function killGroup(pgid: number): Promise<void> {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    return;
  }
  const deadline = Date.now() + 5000;
  while (groupMembers(pgid).length && Date.now() < deadline) await sleep(20);
}

function apacheConf(dir: string, name: string, sites: [WebSiteName, WebSiteSpec][], prefix: string): string {
  const lines = [
    `ServerRoot ${dir}`,
    `PidFile ${dir}/${name}.pid`,
    `DefaultRuntimeDir ${dir}/run-${name}`,
    `ErrorLog ${dir}/${name}-error.log`,
    'LogLevel warn auth_gssapi:info',
    'ServerName localhost',
    'User www-data',
    'Group www-data',
    ...['mpm_prefork', 'authn_core', 'authz_core', 'authz_user', 'auth_basic', 'authn_file', 'headers', 'dir', 'auth_gssapi'].map((m) => `LoadModule ${m}_module ${MODULES}/mod_${m}.so`),
    'StartServers 1',
    'MinSpareServers 1',
    'MaxSpareServers 2',
    'KeepAlive On',
    `DocumentRoot ${dir}/htdocs`,
  ];
  for (const [site, spec] of sites) {
    const address = `${prefix}.${spec.octet}`;
    const host = `${'cnameTo' in spec && spec.cnameTo ? spec.cnameTo : site}.${DOMAIN}`;
    lines.push(`Listen ${address}:80`, `<VirtualHost ${address}:80>`, `  ServerName ${host}`, `  ServerAlias ${site}.${DOMAIN} ${site}`, `  DocumentRoot ${dir}/htdocs`, '  <Location />');
    if (spec.auth === 'basic') {
      lines.push('    AuthType Basic', `    AuthName "${site}"`, `    AuthUserFile ${dir}/htpasswd`);
    } else {
      lines.push('    AuthType GSSAPI', `    AuthName "${site}"`, `    GssapiCredStore keytab:${dir}/${site}.keytab`, '    GssapiAllowedMech krb5', '    GssapiBasicAuth Off', '    GssapiSSLonly Off');
      // The authenticated user, as IIS-hosted apps often echo it: the probe reports it.
      lines.push('    Header set X-Remote-User "expr=%{REMOTE_USER}"');
    }
    lines.push('    Require valid-user', '  </Location>', '</VirtualHost>');
  }
  return `${lines.join('\n')}\n`;
}

function dnsLdif(prefix: string, reverseZone: string): string {
  const zoneDn = (z: string) => `DC=${z},CN=MicrosoftDNS,DC=DomainDnsZones,${BASE_DN}`;
  const node = (zone: string, name: string, rec: Buffer) => [`dn: DC=${name},${zoneDn(zone)}`, 'changetype: add', 'objectClass: dnsNode', `dnsRecord:: ${rec.toString('base64')}`].join('\n') + '\n\n';
  let out = '';
  for (const [site, spec] of Object.entries(WEB_SITES) as [WebSiteName, WebSiteSpec][]) {
    const host = spec.cnameTo ?? site;
    out += node(DOMAIN, host, encodeDnsRecord('A', `${prefix}.${spec.octet}`));
    out += node(reverseZone, String(spec.octet), encodeDnsRecord('PTR', `${host}.${DOMAIN}`));
    if (spec.cnameTo) out += node(DOMAIN, site, encodeDnsRecord('CNAME', `${spec.cnameTo}.${DOMAIN}`));
  }
  return out;
}

async function exportKeytab(lab: Lab, principal: string, file: string): Promise<void> {
  const r = await lab.sambaTool(['domain', 'exportkeytab', file, `--principal=${principal}`]);
  if (!r.ok) throw new Error(`samba-tool domain exportkeytab --principal=${principal}: ${r.text.slice(-1000)}`);
  await fs.chmod(file, 0o644); // Apache's children run as www-data (test keys of a throwaway domain)
}

function waitListening(address: string, port: number, child: ChildProcess, log: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      if (child.exitCode !== null) {
        let tail = '';
        try {
          tail = readFileSync(log, 'utf8').slice(-1500);
        } catch {
          /* no log */
        }
        return reject(new Error(`Kerberos web lab: apache2 exited with ${child.exitCode} before listening on ${address}:${port}. ${tail}`));
      }
      const s = net.connect({ host: address, port }, () => {
        s.destroy();
        resolve();
      });
      s.on('error', () => {
        s.destroy();
        if (Date.now() > deadline) reject(new Error(`Kerberos web lab: nothing listens on ${address}:${port} after ${timeoutMs} ms (see ${log})`));
        else setTimeout(attempt, 25);
      });
    };
    attempt();
  });
}

function startApache(dir: string, name: string, env: NodeJS.ProcessEnv, skewed: boolean): ChildProcess {
  const args = ['-f', path.join(dir, `${name}.conf`), '-DFOREGROUND'];
  const [cmd, argv] = skewed ? ['faketime', ['-f', `+${SKEW_MINUTES}m`, 'apache2', ...args]] : ['apache2', args];
  const child = spawn(cmd, argv as string[], { env, stdio: 'ignore', detached: true });
  child.unref();
  return child;
}

/** Starts a DC with the web scenario, exports the keytabs, breaks what each site needs broken, starts both Apaches. */
export async function startWebLab(options: { log?: (line: string) => void } = {}): Promise<WebLab> {
  const t0 = Date.now();
  const log = options.log ?? (() => {});
  const step = (what: string) => log(`[web-lab] ${what} (+${Date.now() - t0} ms)`);
  // CI fails here with the apt command when a package is missing; locally, as root, it installs them.
  await ensureTools(log, { apache2: 'apache2', faketime: 'faketime' });
  if (!existsSync(path.join(MODULES, 'mod_auth_gssapi.so'))) throw new Error('Kerberos web lab: mod_auth_gssapi is not installed. .ci/run installs it (apt-get install -y libapache2-mod-auth-gssapi).');
  const lab = await startLab({ log, ldif: [path.join(HERE, 'web-scenario.ldif')], rawLdif: [path.join(HERE, 'web-scenario-raw.ldif')] });
  step('DC up');
  const pids: number[] = [];
  const dir = await fs.mkdtemp(path.join(tmpdir(), 'krbops-web-'));
  try {
    await fs.chmod(dir, 0o755);
    await fs.mkdir(path.join(dir, 'htdocs'));
    await fs.writeFile(path.join(dir, 'htdocs', 'index.html'), 'krbops web lab: authenticated\n');
    await fs.writeFile(path.join(dir, 'htpasswd'), '');
    const prefix = lab.ip.split('.').slice(0, 3).join('.');
    const entries = Object.entries(WEB_SITES) as [WebSiteName, WebSiteSpec][];
    // Keytabs first (one samba-tool each, in parallel), DNS meanwhile.
    const byPrincipal = new Map<string, WebSiteName[]>();
    for (const [site, spec] of entries) if (spec.keytab) byPrincipal.set(spec.keytab, [...(byPrincipal.get(spec.keytab) ?? []), site]);
    await Promise.all([
      ...[...byPrincipal].map(async ([principal, sites]) => {
        const first = path.join(dir, `${sites[0]}.keytab`);
        await exportKeytab(lab, principal, first);
        for (const other of sites.slice(1)) await fs.copyFile(first, path.join(dir, `${other}.keytab`));
      }),
      lab.ldbModify(dnsLdif(prefix, lab.reverseZone)),
    ]);
    step('keytabs exported, DNS records added');
    // Now break what the table needs broken: a password reset after the export, an SPN moved.
    const pwd = Buffer.from(`"${RESET_PASSWORD}"`, 'utf16le').toString('base64');
    await lab.ldbModify(
      [
        `dn: CN=websvc-helpdesk,OU=Web Services,${BASE_DN}\nchangetype: modify\nreplace: unicodePwd\nunicodePwd:: ${pwd}\n-\n`,
        `dn: CN=websvc-wiki-old,OU=Web Services,${BASE_DN}\nchangetype: modify\ndelete: servicePrincipalName\nservicePrincipalName: HTTP/wiki.contoso.test\n-\n`,
        `dn: CN=websvc-wiki,OU=Web Services,${BASE_DN}\nchangetype: modify\nadd: servicePrincipalName\nservicePrincipalName: HTTP/wiki.contoso.test\n-\n`,
      ].join('\n'),
    );
    step('password reset, SPN moved');

    const normal = entries.filter(([, s]) => !s.skewed);
    const skewed = entries.filter(([, s]) => s.skewed);
    await fs.writeFile(path.join(dir, 'main.conf'), apacheConf(dir, 'main', normal, prefix));
    await fs.writeFile(path.join(dir, 'skewed.conf'), apacheConf(dir, 'skewed', skewed, prefix));
    for (const n of ['main', 'skewed']) await fs.mkdir(path.join(dir, `run-${n}`));
    // The lab's krb5.conf sits in a 0700 directory: Apache's www-data children need their own copy.
    const krb5Conf = path.join(dir, 'krb5.conf');
    await fs.copyFile(lab.krb5Conf, krb5Conf);
    await fs.chmod(krb5Conf, 0o644);
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, LANG: 'C', KRB5_CONFIG: krb5Conf, KRB5RCACHETYPE: 'none', FAKETIME_DONT_FAKE_MONOTONIC: '1' };
    const main = startApache(dir, 'main', env, false);
    const skew = startApache(dir, 'skewed', env, true);
    for (const c of [main, skew]) if (c.pid) pids.push(c.pid);
    await Promise.all([
      ...normal.map(([, s]) => waitListening(`${prefix}.${s.octet}`, 80, main, path.join(dir, 'main-error.log'), 20_000)),
      ...skewed.map(([, s]) => waitListening(`${prefix}.${s.octet}`, 80, skew, path.join(dir, 'skewed-error.log'), 20_000)),
    ]);
    step('Apache serving');

    const sites = Object.fromEntries(
      entries.map(([name, spec]) => [
        name,
        { name, url: `http://${name}.${DOMAIN}/`, host: `${name}.${DOMAIN}`, address: `${prefix}.${spec.octet}`, expect: spec.expect, about: spec.about } satisfies WebSite,
      ]),
    ) as Record<WebSiteName, WebSite>;
    return new WebLab({ lab: lab.info(), dir, sites, apachePids: pids, startMs: Date.now() - t0 }, lab);
  } catch (e) {
    for (const pid of pids) await killGroup(pid);
    await fs.rm(dir, { recursive: true, force: true });
    await lab.stop();
    throw e;
  }
}

export { REALM, run };
