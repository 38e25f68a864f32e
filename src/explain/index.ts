/**
 * `krb explain`: pasted error text (event log entry, IIS error page, netmon KRB_ERROR, ADFS
 * exception) → what it means, which rules can cause it and what to check next. Pure.
 */
import { truncate, UnsafeCommandValueError } from '../errors.js';
import { ad, adfs, appcmd, buildCommands, check, curl, IIS_SECTION, iisreset, kdc, klistWindows, krbops, nslookup, setspn, w32tm } from '../fix/index.js';
import { catalogs, ruleById } from '../rules/index.js';
import type { ExplainMatch, ExplainResult } from '../model/index.js';
import { spnHostOf } from '../rules/support/evidence-view.js';
import { explainNegotiateHeader } from './negotiate.js';
import { MAX_EXPLAIN_LENGTH } from './limits.js';

interface Entry {
  code: string;
  patterns: RegExp[];
  meaning: string;
  rules: string[];
  /** What to check next, built by src/fix from what the text mentions (`v`: SPN, URL, host, or placeholders). */
  next: (v: NextValues) => string[];
}

/** Most specific first: the order decides the verdict when several match. */
const CATALOG: Entry[] = [
  {
    code: 'ID4175',
    patterns: [/\bID4175\b/i, /not recognized by the IssuerNameRegistry/i],
    meaning: 'The claims-based site rejected a token signed by a certificate it does not know: ADFS rolled its token-signing certificate over and the relying party still trusts the old one (seed 004).',
    rules: ['claims-auth-certificate-rollover'],
    next: () => [krbops.adfsCheck(), adfs.getCertificate('Token-Signing'), adfs.updateRelyingPartyTrust('<relying party>'), iisreset],
  },
  {
    code: 'KRB_AP_ERR_SKEW',
    patterns: [/\bKRB_AP_ERR_SKEW\b/i, /clock skew too great/i, /\b0x25\b/],
    meaning: 'The server rejected the ticket because its clock and the client\'s (or the DC\'s) differ by more than 5 minutes.',
    rules: ['clock-skew'],
    next: (v) => [w32tm.status(), w32tm.stripchart('<dc>'), krbops.why401(v.url)],
  },
  {
    code: 'KRB_AP_ERR_MODIFIED',
    patterns: [/\bKRB_AP_ERR_MODIFIED\b/i, /password used to encrypt the kerberos service ticket is different/i, /\b0x29\b/],
    meaning: 'The server could not decrypt the service ticket: the KDC encrypted it for a different account than the one the server decrypts with (SPN on the wrong account, duplicate SPN, port on the FQDN SPN, or IIS kernel mode without useAppPoolCredentials).',
    rules: ['spn-wrong-account', 'spn-duplicate', 'kernel-mode-without-app-pool-credentials', 'spn-port-mismatch'],
    next: (v) => [setspn.query(v.spn), krbops.spnQuery(v.spn), krbops.why401(v.url, { identity: '<app pool account>' }), appcmd.listConfig(undefined, IIS_SECTION.windowsAuthentication)],
  },
  {
    code: 'KDC_ERR_S_PRINCIPAL_UNKNOWN',
    patterns: [/\bKDC_ERR_S_PRINCIPAL_UNKNOWN\b/i, /server not found in Kerberos database/i, /\b0x7\b(?![\d.])/],
    meaning: 'The KDC found no single account for the requested SPN: it is not registered (or only with a port, or only for the CNAME alias), or it is registered twice.',
    rules: ['spn-missing-fqdn', 'spn-missing-short-name', 'spn-port-mismatch', 'dns-cname-target', 'spn-duplicate', 'backend-spn-missing'],
    next: (v) => [setspn.query(v.spn), krbops.spnQuery(v.spn), nslookup(v.host), krbops.why401(v.url)],
  },
  {
    code: 'RC4DefaultDisablementPhase',
    patterns: [/\bRC4DefaultDisablementPhase\b/i],
    meaning: 'The registry switch (HKLM\\SYSTEM\\CurrentControlSet\\Services\\Kdc) of the CVE-2026-20833 hardening: the January 2026 updates added it with the audit events; from the April 2026 updates the KDC assumes AES only (0x18) for accounts without msDS-SupportedEncryptionTypes unless it rolls that back, and from July 2026 it is gone. Accounts without AES keys then get no ticket.',
    rules: ['encryption-types-mismatch'],
    next: () => [krbops.etypes(), kdc.rc4DefaultDisablementPhase(), kdc.rc4AuditEvents()],
  },
  {
    code: 'KDCSVC 201–209',
    patterns: [/\bKDCSVC\b.{0,200}?\b20[1-9]\b/is, /\bevent\s*id\s*[:#]?\s*20[1-9]\b/i, /\bKerberos-Key-Distribution-Center\b.{0,200}?\b20[1-9]\b/is],
    meaning: 'KDCSVC events 201–209 (System log, since the January 2026 updates) flag accounts and clients that still depend on RC4: the service account lacks AES keys or allows only RC4, or the client asked only for RC4. Under the April 2026 AES-only default these requests fail (KDC_ERR_ETYPE_NOSUPP).',
    rules: ['encryption-types-mismatch'],
    next: () => [krbops.etypes(), ad.getUser('<service account>', ['msDS-SupportedEncryptionTypes', 'pwdLastSet']), ad.setAesEncryptionTypes('ADUser', '<service account>')],
  },
  {
    code: 'event 4769 Available Keys',
    patterns: [/\bAvailable Keys\b/i, /\bevent\s*id\s*[:#]?\s*4769\b/i, /\b4769\b.{0,200}?A Kerberos service ticket was requested/is],
    meaning: 'Security event 4769 (a service ticket was requested). On Windows Server 2019+ DCs with the 2026 updates it lists "Available Keys" of the service account and the ticket encryption type: no AES256/AES128 among the keys means the password predates the domain\'s AES support and must be reset; ticket type 0x17 is RC4.',
    rules: ['encryption-types-mismatch'],
    next: (v) => [krbops.etypes(), ad.resetPassword('<service account>'), klistWindows.get(v.spn)],
  },
  {
    code: 'KDC_ERR_ETYPE_NOSUPP',
    patterns: [/\bKDC_ERR_ETYPE_NO(?:T)?SUPP\b/i, /KDC has no support for encryption type/i, /\b0xe\b/i, /\b-1765328370\b/],
    meaning: 'KDC_ERR_ETYPE_NOSUPP (14): the KDC and the service account share no encryption type. Since the April 2026 updates the KDC assumes AES only for accounts without msDS-SupportedEncryptionTypes, so an account whose password predates AES keys, one limited to RC4 where RC4 is refused, or one limited to DES gets no ticket.',
    rules: ['encryption-types-mismatch'],
    next: (v) => [krbops.etypes(), ad.getUser('<service account>', ['msDS-SupportedEncryptionTypes', 'pwdLastSet']), krbops.spnQuery(v.spn), krbops.why401(v.url)],
  },
  {
    code: 'KDC_ERR_BADOPTION',
    patterns: [/\bKDC_ERR_BADOPTION\b/i, /\b0xd\b/i],
    meaning: 'The KDC refused a delegation request: the front-end account may not delegate to that backend SPN, or the user cannot be delegated.',
    rules: ['delegation-target-missing', 'user-not-delegatable', 'delegation-not-trusted'],
    next: (v) => [ad.getUser('<app pool account>', ['TrustedForDelegation', 'msDS-AllowedToDelegateTo']), krbops.why401(v.url, { backend: '<backend SPN>', user: '<affected user>' })],
  },
  {
    code: 'event 11',
    patterns: [/\bevent\s*id\s*[:#]?\s*11\b/i, /multiple accounts with name/i, /DS_SERVICE_PRINCIPAL_NAME/i],
    meaning: 'KDC event 11: the same SPN is registered on more than one account, so the KDC cannot issue a ticket for it (seed 001).',
    rules: ['spn-duplicate'],
    next: (v) => [setspn.duplicates(), setspn.query(v.spn), krbops.spnDupes()],
  },
  {
    code: 'event 4',
    patterns: [/\bevent\s*id\s*[:#]?\s*4\b(?!\d)/i],
    meaning: 'Kerberos event 4 is KRB_AP_ERR_MODIFIED: the server could not decrypt the ticket. Seed 001: it often means a port on the FQDN SPN rather than the duplicate it suggests.',
    rules: ['spn-port-mismatch', 'spn-wrong-account', 'spn-duplicate', 'kernel-mode-without-app-pool-credentials'],
    next: (v) => [setspn.list('<app pool account>'), setspn.query(v.spn), krbops.why401(v.url, { identity: '<app pool account>' })],
  },
  {
    code: '401.2',
    patterns: [/\b401\.2\b/, /denied due to server configuration/i],
    meaning: 'HTTP 401.2: the site offers no authentication scheme the browser can use — Windows authentication is disabled or Negotiate/NTLM are not among its providers.',
    rules: ['negotiate-not-offered'],
    next: (v) => [curl.head(v.url), appcmd.listConfig(undefined, IIS_SECTION.windowsAuthentication), krbops.why401(v.url)],
  },
  {
    code: '401.1',
    patterns: [/\b401\.1\b/, /denied due to invalid credentials/i],
    meaning: 'HTTP 401.1: the server received credentials but rejected them — with Windows authentication almost always a Kerberos failure (SPN, kernel mode, keep-alive, clock), seed 001; rarely a bad password.',
    rules: ['spn-missing-fqdn', 'spn-duplicate', 'spn-wrong-account', 'kernel-mode-without-app-pool-credentials', 'spn-port-mismatch', 'keepalive-disabled', 'clock-skew', 'user-account-disabled'],
    next: (v) => [krbops.why401(v.url, { identity: '<app pool account>' })],
  },
  {
    code: 'ANONYMOUS LOGON',
    patterns: [/NT AUTHORITY\\ANONYMOUS LOGON/i],
    meaning: 'The backend saw an anonymous logon: the double hop failed, the web server could not delegate the user\'s identity (seed 002).',
    rules: ['delegation-not-trusted', 'backend-spn-missing', 'delegation-target-missing', 'user-not-delegatable'],
    next: (v) => [krbops.why401(v.url, { backend: '<backend SPN>', user: '<affected user>' }), setspn.query('MSSQLSvc/<sql host>:1433')],
  },
  {
    code: '401',
    patterns: [/\b401\b(?!\.\d)/, /\bunauthori[sz]ed\b/i],
    meaning: 'HTTP 401 Unauthorized: the browser did not authenticate. The URL is the starting point.',
    rules: [],
    next: (v) => [krbops.why401(v.url)],
  },
];

const SPN_RE = /\b(?:HTTP|HOST|MSSQLSvc|CIFS|LDAP|RestrictedKrbHost|WSMAN|TERMSRV|MSOLAPSvc(?:\.3)?|MSCRMSandboxService)\/[A-Za-z0-9][A-Za-z0-9._-]*(?::\d{1,5})?(?:@[A-Za-z0-9.-]+)?/gi;
const URL_RE = /\bhttps?:\/\/[^\s"'<>()]+/gi;

export { MAX_EXPLAIN_LENGTH };

export function mentioned(text: string): ExplainResult['mentioned'] {
  const spns = [...new Set([...text.matchAll(SPN_RE)].map((m) => m[0].replace(/@.*$/, '').replace(/[.-]+$/, '')))].slice(0, 10);
  const urls = [...new Set([...text.matchAll(URL_RE)].map((m) => m[0].replace(/[.,;]+$/, '')))].slice(0, 5);
  const hosts = new Set<string>();
  for (const s of spns) hosts.add(spnHostOf(s));
  for (const u of urls) {
    try {
      hosts.add(new URL(u).hostname.toLowerCase());
    } catch {
      /* not a URL after all */
    }
  }
  return { spns, hosts: [...hosts].slice(0, 10), urls };
}

/** What the next-check commands are filled in with: values the text mentions, checked as src/fix checks them. */
export interface NextValues {
  spn: string;
  url: string;
  host: string;
}

/** A mentioned value the builder accepts, else the placeholder (pasted text never reaches a command unchecked). */
function accepted(value: string | undefined, checkValue: (v: string) => string, placeholder: string): string {
  if (value === undefined) return placeholder;
  try {
    return checkValue(value);
  } catch (e) {
    if (e instanceof UnsafeCommandValueError) return placeholder;
    throw e;
  }
}

function nextValues(m: ExplainResult['mentioned']): NextValues {
  const http = m.spns.find((s) => /^http\//i.test(s));
  const host = accepted(m.hosts[0], check.host, '<host>');
  const httpHost = http?.split('/')[1]?.split(':')[0];
  const url = accepted(m.urls[0] ?? (httpHost ? `http://${httpHost}/` : m.hosts[0] ? `http://${m.hosts[0]}/` : undefined), check.url, '<url>');
  const spn = accepted(http ?? m.spns[0] ?? (m.hosts[0] ? `HTTP/${m.hosts[0]}` : undefined), check.spn, 'HTTP/<host>');
  return { spn, url, host };
}

/** The next checks of one entry, built by src/fix (placeholders where the text named nothing usable). */
function nextChecks(next: (v: NextValues) => string[], v: NextValues): string[] {
  return [...new Set(buildCommands(() => next(v)).commands)];
}

/** `krb explain spn-duplicate`: a rule id of any catalog → the rule, what it checks and the command that runs it. */
function explainRuleId(text: string): ExplainMatch | undefined {
  const id = text.trim().toLowerCase();
  if (!/^[a-z0-9]+(?:-[a-z0-9]+)+$/.test(id)) return undefined;
  const rule = ruleById(id);
  if (!rule) return undefined;
  const commands = catalogs.filter((c) => c.rules.some((r) => r.id === id)).map((c) => c.command);
  return {
    code: rule.id,
    matched: rule.id,
    meaning: `krbops rule (${rule.severity}): ${rule.title}. ${rule.why} What it checks: ${rule.checks}. Shown by ${commands.map((c) => `\`${c}\``).join(' and ')}.`,
    rules: [{ ruleId: rule.id, title: rule.title }],
    nextChecks: commands,
  };
}

export function explainText(input: string, now?: Date): ExplainResult {
  const pasted = input.slice(0, MAX_EXPLAIN_LENGTH);
  const asRule = explainRuleId(pasted);
  if (asRule) {
    return { kind: 'explain', input: truncate(pasted.trim(), 300), matches: [asRule], mentioned: { spns: [], hosts: [], urls: [] }, verdict: `${asRule.code}: ${asRule.rules[0]?.title ?? asRule.code}.` };
  }
  // A pasted Negotiate header is decoded first; its SPN then counts as mentioned.
  const token = explainNegotiateHeader(pasted, now);
  const text = token?.spn ? `${pasted}\n${token.spn}` : pasted;
  const m = mentioned(text);
  const v = nextValues(m);
  const matches: ExplainMatch[] = [];
  if (token) {
    matches.push({
      code: token.code,
      matched: truncate(/(?:(?:WWW-Authenticate|Authorization)\s*:\s*)?Negotiate\s+\S{0,24}/i.exec(pasted)?.[0] ?? 'Negotiate', 80),
      meaning: token.meaning,
      rules: token.rules.map((id) => ({ ruleId: id, title: ruleById(id)?.title ?? id })),
      nextChecks: nextChecks(token.next, v),
    });
  }
  for (const e of CATALOG) {
    let hit: RegExpExecArray | null = null;
    for (const p of e.patterns) {
      hit = p.exec(text);
      if (hit) break;
    }
    if (!hit) continue;
    // A bare "401"/"Unauthorized" adds nothing when a more specific code was recognised.
    if (e.code === '401' && matches.length) continue;
    if (matches.some((x) => x.code === e.code)) continue;
    matches.push({
      code: e.code,
      matched: truncate(hit[0], 80),
      meaning: e.meaning,
      rules: e.rules.map((id) => ({ ruleId: id, title: ruleById(id)?.title ?? id })),
      nextChecks: nextChecks(e.next, v),
    });
  }
  const [first] = matches;
  const verdict = first
    ? `${first.code}: ${first.meaning.split(/(?<=\.)\s/)[0]}`
    : 'No Kerberos, IIS or ADFS error code recognised. Paste the event text (KRB_AP_ERR_…, KDC_ERR_…, event ID 4/11, 401.1/401.2, ID4175), or run krb why-401 <url>.';
  return { kind: 'explain', input: truncate(pasted.replace(/\s+/g, ' ').trim(), 300), matches, mentioned: m, verdict, ...(token ? { decoded: token.decoded } : {}) };
}
