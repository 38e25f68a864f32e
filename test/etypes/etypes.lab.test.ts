/**
 * `krb etypes` against a Samba AD DC of its own (the classes planted by scenario-etypes*.ldif would
 * change forest-wide answers other files assert on the shared lab), and the KDC side for real: with
 * a client that permits only AES, an RC4-only account gets KDC_ERR_ETYPE_NOSUPP from Samba's KDC.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { loadConfig } from '../../src/config.js';
import { LdapConnection } from '../../src/directory/ldap-client.js';
import { openDirectory } from '../../src/directory/ldap-directory.js';
import { silentLogger } from '../../src/log.js';
import { requireLdap } from '../../src/config.js';
import { etypesStateKey, etypesWatchJob, type EtypesWatchState, type EtypesWatchSummary } from '../../src/jobs/etypes-watch.js';
import { Scheduler, type TickResult } from '../../src/jobs/scheduler.js';
import { RecordingNotifier } from '../helpers/recording-notifier.js';
import { openStore } from '../../src/store/index.js';
import { attr, run, startLab, type Lab } from '../lab/lab.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const LAB_DIR = path.join(HERE, '..', 'lab');

let lab: Lab;
const saved = { ...process.env };

beforeAll(async () => {
  lab = await startLab({ ldif: [path.join(LAB_DIR, 'scenario-etypes.ldif')], rawLdif: [path.join(LAB_DIR, 'scenario-etypes-raw.ldif')] });
  Object.assign(process.env, lab.env());
}, 120_000);
afterAll(async () => {
  process.env = saved;
  await lab?.stop();
});

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

interface AccountDoc {
  sAMAccountName: string;
  kind: string;
  spns: string[];
  supportedEncryptionTypes: { value: number | null; names: string[] };
  effectiveEncryptionTypes: string[];
  aesKeysLikely: boolean | null;
  pwdLastSet: string | null;
  risk: string;
  reasons: string[];
  fix: { summary: string; commands: string[] };
}

describe('krb etypes --json on a lab with every class planted', () => {
  let doc: { aesSince: string; krbtgt: AccountDoc; accounts: AccountDoc[] };
  const acct = (sam: string) => {
    const a = doc.accounts.find((x) => x.sAMAccountName.toLowerCase() === sam.toLowerCase());
    if (!a) throw new Error(`${sam} not in the report`);
    return a;
  };

  beforeAll(async () => {
    const r = await cli('krb', 'etypes', '--json');
    expect(r.code, r.err).toBe(0);
    doc = JSON.parse(r.out);
  });

  it('prints exactly aesSince, krbtgt and accounts', () => {
    expect(Object.keys(doc).sort()).toEqual(['accounts', 'aesSince', 'krbtgt']);
    expect(Object.keys(doc.accounts[0]).sort()).toEqual(['aesKeysLikely', 'effectiveEncryptionTypes', 'fix', 'kind', 'pwdLastSet', 'reasons', 'risk', 'sAMAccountName', 'spns', 'supportedEncryptionTypes'].sort());
  });

  it('takes aesSince from the RID-521 group (created with the domain in a Samba provision)', async () => {
    const [group] = await lab.ldapsearch('(sAMAccountName=Read-only Domain Controllers)', ['whenCreated']);
    const w = attr(group, 'whenCreated')[0];
    const groupIso = `${w.slice(0, 4)}-${w.slice(4, 6)}-${w.slice(6, 8)}T${w.slice(8, 10)}:${w.slice(10, 12)}:${w.slice(12, 14)}`;
    expect(Math.abs(Date.parse(doc.aesSince) - Date.parse(`${groupIso}Z`))).toBeLessThan(3_600_000);
  });

  it.each([
    ['et-rc4only', 'at-risk', /RC4 only/],
    ['et-desonly', 'fails-now', /DES only/],
    ['et-deskeyonly', 'fails-now', /USE_DES_KEY_ONLY/],
    ['et-aesonly', 'ok', /AES keys likely/],
    ['et-aesonly-old', 'fails-now', /no AES key/],
    ['et-notset', 'ok', /AES only \(0x18\)/],
    ['et-notset-old', 'fails-now', /before the domain could make AES keys/],
    ['et-rc4aes-old', 'at-risk', /RC4 is still allowed explicitly/],
    ['et-roast', 'kerberoastable', /Kerberoastable.*password last set/],
    ['ET-WEB1$', 'ok', /AES keys likely/],
    ['ET-OLD1$', 'fails-now', /before the domain could make AES keys/],
    ['et-gmsa$', 'fails-now', /managed password was never set/],
    ['et-msa$', 'ok', /AES keys likely/],
    ['svc-rc4', 'at-risk', /RC4 only/],
  ])('%s is %s', (sam, risk, reason) => {
    const a = acct(sam);
    expect(a.risk).toBe(risk);
    expect(a.reasons.join('\n')).toMatch(reason);
    if (risk === 'ok') expect(a.fix.commands).toEqual([]);
    else expect(a.fix.commands.length).toBeGreaterThan(0);
  });

  it('decodes the attribute and the types the KDC will use', () => {
    expect(acct('et-rc4only')).toMatchObject({ kind: 'user', supportedEncryptionTypes: { value: 4, names: ['RC4-HMAC'] }, effectiveEncryptionTypes: ['RC4-HMAC'], aesKeysLikely: true });
    expect(acct('et-notset-old')).toMatchObject({ supportedEncryptionTypes: { value: null }, effectiveEncryptionTypes: ['AES128-CTS-HMAC-SHA1-96', 'AES256-CTS-HMAC-SHA1-96'], aesKeysLikely: false, pwdLastSet: '2005-03-01T00:00:00.000Z' });
    expect(acct('ET-OLD1$').kind).toBe('computer');
    expect(acct('et-gmsa$').kind).toBe('gmsa');
    expect(acct('et-msa$').kind).toBe('msa');
  });

  it('gives each account its exact fix', () => {
    expect(acct('et-notset-old').fix.commands).toEqual([
      'Set-ADUser -Identity et-notset-old -KerberosEncryptionType AES128,AES256',
      'Set-ADAccountPassword -Identity et-notset-old -Reset',
      'ktpass /princ HTTP/et-notset-old.contoso.test@CONTOSO.TEST /mapuser CONTOSO\\et-notset-old /crypto AES256-SHA1 /ptype KRB5_NT_PRINCIPAL /pass * /out et-notset-old.keytab',
      'ktutil',
      'addent -password -p HTTP/et-notset-old.contoso.test@CONTOSO.TEST -k <kvno> -e aes256-cts-hmac-sha1-96 -s CONTOSO.TESTet-notset-old',
      'wkt et-notset-old.keytab',
      'quit',
    ]);
    expect(acct('ET-OLD1$').fix.commands).toEqual(["Set-ADComputer -Identity 'ET-OLD1$' -KerberosEncryptionType AES128,AES256", 'Reset-ComputerMachinePassword']);
    expect(acct('et-roast').fix.commands).toEqual(['Set-ADUser -Identity et-roast -KerberosEncryptionType AES128,AES256']);
  });

  it('lists every SPN holder of the domain once, krbtgt apart', async () => {
    const holders = await lab.ldapsearch('(servicePrincipalName=*)', ['sAMAccountName']);
    const names = holders.map((h) => attr(h, 'sAMAccountName')[0].toLowerCase()).filter((n) => n !== 'krbtgt');
    expect(doc.accounts.map((a) => a.sAMAccountName.toLowerCase()).sort()).toEqual(names.sort());
    expect(doc.krbtgt).toMatchObject({ sAMAccountName: 'krbtgt', risk: 'ok', aesKeysLikely: true });
  });

  it('reads like a report in text mode', async () => {
    const r = await cli('krb', 'etypes');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Encryption types in DC=contoso,DC=test under the 2026 AES-only default: \d+ accounts with SPNs — 7 fails now, 3 at risk, 1 kerberoastable, \d+ ok/);
    expect(r.out).toContain('Fails now (7):');
    expect(r.out).toContain('> Set-ADAccountPassword -Identity et-aesonly-old -Reset');
  });

  it('reads the domain with ONE paged search, plus a few fixed lookups whatever the number of accounts', async () => {
    const calls = { search: 0, searchPages: 0 };
    // eslint-disable-next-line @typescript-eslint/unbound-method -- the originals are called with .apply(this) below
    const { search, searchPages } = LdapConnection.prototype;
    LdapConnection.prototype.search = function (this: LdapConnection, ...a: Parameters<typeof search>) {
      calls.search++;
      return search.apply(this, a);
    };
    LdapConnection.prototype.searchPages = function (this: LdapConnection, ...a: Parameters<typeof searchPages>) {
      calls.searchPages++;
      return searchPages.apply(this, a);
    };
    try {
      expect((await cli('krb', 'etypes', '--json')).code).toBe(0);
    } finally {
      Object.assign(LdapConnection.prototype, { search, searchPages });
    }
    expect(calls.searchPages).toBe(1);
    // rootDSE, partitions (NetBIOS name), NTDS settings, domain head, RID-521 group.
    expect(calls.search).toBeLessThanOrEqual(5);
    expect(doc.accounts.length).toBeGreaterThan(25);
  });

  it('streams the same accounts through the directory API as one scan', async () => {
    const dir = await openDirectory(loadConfig(lab.env()).ldap!, silentLogger);
    try {
      const rows = [];
      for await (const a of dir.scanEncryptionTypes()) rows.push(a);
      expect(rows.length).toBe(doc.accounts.length + 1);
      expect((await dir.domainKeyFacts()).rodcGroupDn).toMatch(/^CN=Read-only Domain Controllers,CN=Users,DC=contoso,DC=test$/i);
    } finally {
      await dir.close();
    }
  });
});

describe('the KDC side (Samba KDC, MIT client)', () => {
  let aesOnlyConf: string;
  beforeAll(async () => {
    aesOnlyConf = path.join(lab.dir, 'krb5-aes-only.conf');
    const aes = 'aes256-cts-hmac-sha1-96 aes128-cts-hmac-sha1-96';
    writeFileSync(aesOnlyConf, readFileSync(lab.krb5Conf, 'utf8').replace('[libdefaults]', `[libdefaults]\n\tdefault_tgs_enctypes = ${aes}\n\tdefault_tkt_enctypes = ${aes}\n\tpermitted_enctypes = ${aes}`));
  });

  let traces = 0;
  async function kvno(spn: string, conf: string) {
    const cc = await lab.kinit();
    const trace = path.join(lab.dir, `kvno-trace-${traces++}`);
    const r = await run('kvno', [spn], { env: { ...lab.krbEnv(cc), KRB5_CONFIG: conf, KRB5_TRACE: trace } });
    return { ...r, trace: readFileSync(trace, 'utf8') };
  }

  it('an RC4-only account yields KDC_ERR_ETYPE_NOSUPP (14) when the client permits only AES', async () => {
    const r = await kvno('HTTP/et-rc4only.contoso.test', aesOnlyConf);
    expect(r.ok).toBe(false);
    expect(r.text).toContain('KDC has no support for encryption type while getting credentials for HTTP/et-rc4only.contoso.test@CONTOSO.TEST');
    // MIT's com_err code: ERROR_TABLE_BASE_krb5 (-1765328384) + 14 = KDC_ERR_ETYPE_NOSUPP.
    expect(r.trace).toContain(`TGS request result: ${-1765328384 + 14}/KDC has no support for encryption type`);
  });

  it('the ktutil lines of a fix make a keytab that decrypts the KDC\'s ticket (the AD salt, REALM + sAMAccountName)', async () => {
    // et-aesonly-old allows AES only, so Samba's KDC encrypts its service tickets with the AES256 key.
    const doc = JSON.parse((await cli('krb', 'etypes', '--json')).out) as { accounts: AccountDoc[] };
    const lines = doc.accounts.find((a) => a.sAMAccountName === 'et-aesonly-old')?.fix.commands ?? [];
    const session = lines.slice(lines.indexOf('ktutil') + 1);
    expect(session).toEqual(['addent -password -p HTTP/et-aesonly-old.contoso.test@CONTOSO.TEST -k <kvno> -e aes256-cts-hmac-sha1-96 -s CONTOSO.TESTet-aesonly-old', 'wkt et-aesonly-old.keytab', 'quit']);
    const env = lab.krbEnv(await lab.kinit());
    const kvnoNow = /kvno = (\d+)/.exec((await run('kvno', ['HTTP/et-aesonly-old.contoso.test'], { env })).text)?.[1];
    expect(kvnoNow).toBeDefined();
    const keytab = path.join(lab.dir, 'et-aesonly-old.keytab');
    // Typed at the ktutil prompt: addent (ktutil then asks for the password), wkt (here into the lab's directory), quit.
    const typed = [session[0]!.replace('<kvno>', kvnoNow!), lab.userPassword, `wkt ${keytab}`, 'quit'].join('\n');
    expect((await run('ktutil', [], { env, input: `${typed}\n` })).ok).toBe(true);
    const verified = await run('kvno', ['-k', keytab, 'HTTP/et-aesonly-old.contoso.test'], { env });
    expect(verified.text).toContain('keytab entry valid');
  });

  it('the same client gets a ticket for an AES account, and the default client one for the RC4 account', async () => {
    expect((await kvno('HTTP/et-aesonly.contoso.test', aesOnlyConf)).ok).toBe(true);
    expect((await kvno('HTTP/et-rc4only.contoso.test', lab.krb5Conf)).ok).toBe(true);
  });
});

describe('etypes-watch (scheduler, SQLite store, the same delivery path as the other watchers)', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'krbops-etypes-'));
  const SCOPE = 'DC=contoso,DC=test';
  let clock = new Date('2026-12-01T10:07:00.000Z'); // a Tuesday, ISO week 2026-W49
  const advance = (ms: number) => (clock = new Date(clock.getTime() + ms));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  async function replica() {
    const config = loadConfig({ ...lab.env(), KRBOPS_DB: path.join(root, 'krbops.db') });
    const store = await openStore(config.dbUrl);
    const chat = new RecordingNotifier('chat');
    const scheduler = new Scheduler({ config, store, jobs: [etypesWatchJob(config)], log: silentLogger, notifiers: [chat], openDirectory: () => openDirectory(requireLdap(config), silentLogger), now: () => clock });
    return { store, chat, scheduler, close: async () => (await scheduler.stop(), await store.close()) };
  }
  const ran = (r: TickResult): EtypesWatchSummary => {
    if (r.status !== 'ran' || r.outcome !== 'ok') throw new Error(`tick: ${JSON.stringify(r)}`);
    return r.summary as EtypesWatchSummary;
  };
  let r: Awaited<ReturnType<typeof replica>>;

  it('first run: one baseline summary with the counts per class', async () => {
    r = await replica();
    const s = ran(await r.scheduler.runTick('etypes-watch', clock));
    expect(s).toMatchObject({ scope: SCOPE, counts: { 'fails-now': 7, 'at-risk': 3, kerberoastable: 1 }, krbtgt: 'ok', entered: 0, alertsPosted: 1 });
    expect(r.chat.alerts).toHaveLength(1);
    expect(r.chat.alerts[0]).toMatchObject({ key: `etypes:${SCOPE}:baseline`, job: 'etypes-watch', source: 'encryption-type watch' });
    expect(r.chat.alerts[0].title).toMatch(/^Encryption-type watch started: 7 fail now, 3 at risk, 1 Kerberoastable, \d+ OK; krbtgt OK$/);
    expect(r.chat.alerts[0].text).toContain('et-notset-old: fails now');
  });

  it('a run without changes posts nothing', async () => {
    r.chat.clear();
    advance(3_600_000);
    expect(ran(await r.scheduler.runTick('etypes-watch', clock))).toMatchObject({ entered: 0, alertsPosted: 0 });
    expect(r.chat.alerts).toEqual([]);
  });

  it('an account that newly fails now is posted once, with its reasons and fix', async () => {
    await lab.modify('et-notset', [{ op: 'replace', attr: 'msDS-SupportedEncryptionTypes', values: [3] }]);
    r.chat.clear();
    advance(3_600_000);
    expect(ran(await r.scheduler.runTick('etypes-watch', clock))).toMatchObject({ entered: 1, alertsPosted: 1, counts: { 'fails-now': 8 } });
    expect(r.chat.alerts).toHaveLength(1);
    const [a] = r.chat.alerts;
    expect(a).toMatchObject({ key: `etypes:${SCOPE}:fails-now:et-notset#0`, title: 'Kerberos encryption types: et-notset fails now', severity: 'high' });
    expect(a.findings?.[0].fix.commands).toContain('Set-ADUser -Identity et-notset -KerberosEncryptionType AES128,AES256');
    expect(a.text).toMatch(/DES only/);
    r.chat.clear();
    advance(3_600_000);
    ran(await r.scheduler.runTick('etypes-watch', clock));
    expect(r.chat.alerts).toEqual([]);
  });

  it('after a restart nothing is posted again; leaving and coming back is a new alert', async () => {
    await r.close();
    r = await replica();
    advance(3_600_000);
    ran(await r.scheduler.runTick('etypes-watch', clock));
    expect(r.chat.alerts).toEqual([]);
    await lab.modify('et-notset', [{ op: 'delete', attr: 'msDS-SupportedEncryptionTypes' }]);
    advance(3_600_000);
    expect(ran(await r.scheduler.runTick('etypes-watch', clock))).toMatchObject({ left: 1, alertsPosted: 0 });
    await lab.modify('et-notset', [{ op: 'replace', attr: 'msDS-SupportedEncryptionTypes', values: [4] }]);
    advance(3_600_000);
    ran(await r.scheduler.runTick('etypes-watch', clock));
    expect(r.chat.alerts.map((x) => x.key)).toEqual([`etypes:${SCOPE}:at-risk:et-notset#0`]);
    const state = await r.store.getState<EtypesWatchState>(etypesStateKey(SCOPE));
    expect(state?.episodes['fails-now|et-notset']).toBe(1);
  });

  it('posts one weekly summary with the counts per class in the next ISO week', async () => {
    r.chat.clear();
    advance(7 * 86_400_000);
    expect(ran(await r.scheduler.runTick('etypes-watch', clock))).toMatchObject({ summaryPosted: true, alertsPosted: 1 });
    expect(r.chat.alerts).toHaveLength(1);
    expect(r.chat.alerts[0]).toMatchObject({ key: `etypes:${SCOPE}:summary:2026-W50` });
    expect(r.chat.alerts[0].title).toMatch(/^Encryption types, week 2026-W50: 7 fail now, 4 at risk, 1 Kerberoastable, \d+ OK; krbtgt OK$/);
    r.chat.clear();
    advance(3_600_000);
    ran(await r.scheduler.runTick('etypes-watch', clock));
    expect(r.chat.alerts).toEqual([]);
    await r.close();
  });
});
