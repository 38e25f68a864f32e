import type { AccountFacts, EncryptionScanAccount, EtypeAccountReport } from '../model/index.js';
import { classifyAccount, HEURISTIC_NOTE, RISK_LABEL } from '../etypes/classify.js';
import { accountFix } from '../etypes/fix.js';
import { aesSinceOf, realmOf } from '../etypes/report.js';
import { defineRule, notApplicable, unknown, type RuleResult } from './support/define.js';
import { backendSpns, domainAccount, expectedOf, kdcAnswer, kdcTarget, norm } from './support/evidence-view.js';
import { setspn } from '../fix/index.js';
import { exchangeOf } from './support/exchange.js';

/** Ticket encryption types that prove AES keys (aes128/256-cts-hmac-sha1-96, -sha256/384). */
const AES_ETYPES = new Set([17, 18, 19, 20]);

function asScanned(a: AccountFacts): EncryptionScanAccount {
  return { dn: a.dn, sAMAccountName: a.sAMAccountName, kind: a.kind, spns: a.servicePrincipalName, supportedEncryptionTypes: a.supportedEncryptionTypes ?? null, pwdLastSet: a.pwdLastSet, userAccountControl: a.userAccountControl.raw };
}

function attributeLine(name: string, a: AccountFacts): string {
  return `${name} msDS-SupportedEncryptionTypes = ${a.supportedEncryptionTypes ?? '(not set)'}${a.encryptionTypeNames.length ? ` (${a.encryptionTypeNames.join(', ')})` : ''}`;
}

/**
 * Uses the encryption-type model of `krb etypes` (src/etypes) under the 2026 default: not set means
 * AES only, so an account without AES keys fails. Whether keys exist is decided only when the
 * directory evidence carries the domain's key facts (RID-521 group); without them only what the
 * attribute alone decides (DES only, RC4 only) is reported.
 */
const meta = {
  id: 'encryption-types-mismatch',
  title: 'The KDC cannot issue an AES ticket for the service account (no AES keys, RC4-only or DES)',
  severity: 'high',
  why: 'Since the April 2026 updates the KDC assumes AES only for accounts without msDS-SupportedEncryptionTypes; an account without AES keys (password older than the domain\'s AES support), limited to DES, or to RC4 where RC4 is refused yields KDC_ERR_ETYPE_NOSUPP and no ticket, so the browser falls back to NTLM or prompts.',
  checks: 'encryption types and AES keys of the SPN accounts',
} as const;

/**
 * The same rule over one account of the `krb etypes` scan, as the encryption-type watch posts it
 * (src/jobs/etypes-watch.ts): an account that fails now or is at risk.
 */
export const accountRule = defineRule<EtypeAccountReport>({
  ...meta,
  // The watch's alerts never carried references (the account's reasons say what to confirm).
  references: [],
  check(a): RuleResult[] {
    if (a.risk !== 'fails-now' && a.risk !== 'at-risk') return [];
    return [
      {
        severity: a.risk === 'fails-now' ? 'high' : 'medium',
        title: `${a.sAMAccountName} ${RISK_LABEL[a.risk]} under the AES-only KDC`,
        why: 'Since the April 2026 updates the KDC assumes AES only for accounts without msDS-SupportedEncryptionTypes; an account without AES keys, limited to DES, or to RC4 where RC4 is refused gets no ticket (KDC_ERR_ETYPE_NOSUPP), and users get 401s.',
        evidence: a.reasons,
        fix: a.fix,
        certainty: a.risk === 'fails-now' ? 0.9 : 0.6,
        subject: a.sAMAccountName,
      },
    ];
  },
});

export default defineRule({
  ...meta,
  references: ['https://learn.microsoft.com/windows-server/security/kerberos/detect-remediate-rc4-kerberos', 'https://learn.microsoft.com/openspecs/windows_protocols/ms-kile/6cfc7b50-11ed-4b4d-846d-6f08f0812919', 'krbops krb etypes'],
  check(ev): RuleResult[] {
    const exchange = exchangeOf(ev);
    if (!ev.directory?.ok && !ev.kdc?.ok && !exchange) return notApplicable('needs the directory or the KDC (reported by the SPN checks)');
    const facts = ev.directory?.keyFacts;
    const names = { netbios: ev.directory?.netbiosDomain, realm: facts ? realmOf(facts.domainDn) : ev.directory?.dnsDomain?.toUpperCase() };
    const ctx = { ...names, aesSince: facts ? aesSinceOf(facts) : { basis: 'the domain\'s key facts were not read' }, now: new Date(ev.collectedAt ?? Date.now()) };
    const spns = [expectedOf(ev, 'fqdn'), expectedOf(ev, 'short'), ...backendSpns(ev)].filter((s): s is string => !!s);
    const out: RuleResult[] = [];
    const seen = new Set<string>();
    for (const spn of spns) {
      const kdc = kdcAnswer(ev, spn);
      const t = kdcTarget(ev, spn);
      const a = t.kind === 'one' ? t.facts : undefined;
      const report: EtypeAccountReport | undefined = a ? classifyAccount(asScanned(a), ctx) : undefined;
      // The why-401 probe's own exchange for this SPN (issue 10): a refusal with 14, or the ticket's type.
      const probed = exchange?.spn && norm(exchange.spn) === norm(spn) ? exchange : undefined;
      const ticket = probed?.ticket;
      const ticketLine = ticket ? `The ticket the KDC issued for ${spn} is ${ticket.etypeName} (etype ${ticket.etype})${ticket.etype === 23 ? ': RC4, so the account has no AES keys or the KDC still allows RC4 for it' : ''}` : undefined;
      const refusal =
        kdc?.outcome === 'etype'
          ? `The KDC answered "${kdc.message ?? 'no support for encryption type'}" (KDC_ERR_ETYPE_NOSUPP, 14) for ${spn}`
          : probed?.outcome === 'no-ticket' && probed.kerberosError?.code === 14
            ? `The KDC refused the probe's ticket for ${spn}: KDC_ERR_ETYPE_NOSUPP (14)`
            : undefined;
      if (refusal) {
        const key = a ? norm(a.dn) : norm(spn);
        if (seen.has(key)) continue;
        seen.add(key);
        out.push({
          subject: spn,
          certainty: 1,
          evidence: [refusal, ...(a ? [attributeLine(domainAccount(ev, a), a), ...report!.reasons] : [])],
          fix: !a
            ? { summary: `Allow AES on the account holding ${spn} and give it AES keys (krbops krb etypes lists it).`, commands: [setspn.query(spn)] }
            : report!.risk === 'ok' || report!.risk === 'kerberoastable'
              ? accountFix({ sAMAccountName: a.sAMAccountName, kind: a.kind, spns: a.servicePrincipalName, useDesKeyOnly: a.userAccountControl.useDesKeyOnly }, { allowAes: true, resetKeys: true }, names)
              : report!.fix,
        });
        continue;
      }
      if (!a || !report || seen.has(norm(a.dn))) continue;
      if (report.risk === 'ok' || report.risk === 'kerberoastable') continue;
      // An AES ticket proves the AES keys the heuristic doubted.
      if (ticket && AES_ETYPES.has(ticket.etype) && report.aesKeysLikely !== true && report.effectiveEncryptionTypes.some((n) => n.startsWith('AES'))) {
        seen.add(norm(a.dn)); // for its other SPNs too: the keys belong to the account
        continue;
      }
      const keysUndecided = report.aesKeysLikely === null && !report.effectiveEncryptionTypes.includes('RC4-HMAC') && report.effectiveEncryptionTypes.length > 0;
      // Without the domain's key facts, the AES-key question is not asked (see above).
      if (keysUndecided && !facts) continue;
      seen.add(norm(a.dn));
      const evidence = [`${spn} resolves to ${domainAccount(ev, a)}`, attributeLine(domainAccount(ev, a), a), ...report.reasons, ...(ticketLine ? [ticketLine] : [])];
      if (keysUndecided) {
        out.push(unknown([`whether ${a.sAMAccountName} has AES keys: ${HEURISTIC_NOTE}`], evidence, report.fix, spn));
        continue;
      }
      const des = report.effectiveEncryptionTypes.length === 0;
      out.push({
        subject: spn,
        severity: report.risk === 'fails-now' ? 'high' : 'medium',
        certainty: des ? 0.95 : report.risk === 'fails-now' ? 0.85 : 0.6,
        evidence,
        fix: report.fix,
      });
    }
    return out;
  },
});
