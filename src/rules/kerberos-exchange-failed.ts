import { defineRule, notApplicable, unknown, type RuleResult } from './support/define.js';
import { exchangeLine, exchangeOf, klistGet, serverSkewMs } from './support/exchange.js';
import { setspn, w32tm } from '../fix/index.js';

/**
 * What the exchange showed when no more specific rule explains it: the KDC refused the ticket, the
 * server rejected it for a reason other than its keys (which keytab-key-version-mismatch and
 * server-cannot-decrypt report), or the exchange could not run. When a directory rule explains the
 * same failure (a missing or duplicated SPN, clock skew…), the verdict folds this finding into it
 * (src/rules/support/verdict.ts), which then carries the exchange as its proof.
 */
export default defineRule({
  id: 'kerberos-exchange-failed',
  title: 'A browser cannot authenticate to the site with Kerberos',
  severity: 'critical',
  why: 'krbops asked the KDC for the ticket a browser would ask for and presented it to the site, as the browser does; the failure below is what every user meets, whatever the directory looks like.',
  references: ['RFC 4559: SPNEGO-based Kerberos and NTLM HTTP authentication', 'RFC 4120 §7.5.9: Kerberos error codes'],
  checks: 'Kerberos exchange with the site',
  check(ev): RuleResult[] {
    const a = ev.authentication;
    if (!a) return notApplicable('the exchange was not collected');
    if (!a.attempted) {
      if (/addon/i.test(a.reason ?? '') || /KRB5_KEYTAB/.test(a.reason ?? '')) {
        return [unknown(['the result of a Kerberos exchange with the site'], [`Kerberos exchange: not attempted — ${a.reason}`], { summary: 'Make the probe work on the krbops host, then ask again.', commands: [] }, a.spn)];
      }
      return notApplicable(a.reason ?? 'the exchange was not attempted');
    }
    const x = exchangeOf(ev)!;
    const spn = x.spn ?? '';
    if (x.outcome === 'error') {
      return [unknown(['the result of a Kerberos exchange with the site'], [exchangeLine(x)], { summary: 'Fix what stopped the exchange (KDC reachable from the krbops host, probe identity valid, KRBOPS_PROBE_TIMEOUT_MS), then ask again.', commands: [] }, spn)];
    }
    if (x.outcome === 'authenticated' || x.outcome === 'not-offered') return [];
    const e = x.kerberosError;
    if (x.outcome === 'rejected' && e && [31, 35, 41, 44].includes(e.code)) return notApplicable(`${e.name}: ${e.code === 44 ? 'keytab-key-version-mismatch' : 'server-cannot-decrypt'} reports it`);
    const evidence = [exchangeLine(x)];
    let summary: string;
    if (x.outcome === 'no-ticket') {
      summary = e?.code === 7 ? `Make exactly one account hold ${spn} (the one the site decrypts with): register it if missing, remove the extra one if duplicated.` : `Fix what the KDC refused (${e?.name ?? 'no code'}) for ${spn}.`;
      if (e?.code === 7) evidence.push(`The KDC has no single account for ${spn}: it is missing, or (in AD) held by more than one account — LDAP tells which`);
    } else if (e?.code === 37) {
      const skew = serverSkewMs(x);
      summary = "Resynchronise the web server's clock with the domain (w32tm /resync on Windows, chrony or ntpd elsewhere).";
      if (skew !== undefined) evidence.push(`The server's clock (from its reject token) is ${Math.round(skew / 1000)} s off the krbops host; Kerberos allows 300 s`);
    } else if (!e) {
      // A 401 without a reject token: the server refused the ticket and did not say why.
      return [unknown([`why the server refused the ticket for ${spn} (it sent no reject token)`], evidence, { summary: 'Read the web server\'s own Kerberos errors: on IIS the System event log (sources Kerberos, LSA), elsewhere its error log; or paste its WWW-Authenticate header into `krb explain`.', commands: [] }, spn)];
    } else {
      summary = `Fix what the server refused: ${e.name} (${e.code}).`;
    }
    return [{ subject: spn, certainty: 0.95, evidence, fix: { summary, commands: x.outcome === 'no-ticket' && e?.code === 7 ? [setspn.query(spn)] : e?.code === 37 ? [w32tm.status(), w32tm.resync()] : klistGet(spn) } }];
  },
});
