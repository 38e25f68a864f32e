import { CANNOT_DECRYPT } from '../kerberos/codes.js';
import { defineRule, notApplicable, type RuleResult } from './support/define.js';
import { exchangeLine, exchangeOf, ticketKeyAccount } from './support/exchange.js';
import { identityOf } from './support/evidence-view.js';
import { setspn } from '../fix/index.js';

/**
 * The ticket was issued, the server could not decrypt it: 31 (MIT: wrong key, same version),
 * 35 (MIT: no key under the ticket's name), 41 (Windows). When the directory shows why (the SPN on
 * another account than the app pool's, IIS kernel mode), that finding is the verified cause and this
 * one is folded into it (src/rules/support/verdict.ts); otherwise only the exchange can see it.
 */
export default defineRule({
  id: 'server-cannot-decrypt',
  title: 'The server cannot decrypt the tickets the KDC issues for its SPN',
  severity: 'critical',
  why: "The KDC encrypts the service ticket with the key of the account that holds the SPN; the server decrypts with the key it has (its keytab, app pool account or computer account). When they differ — the SPN moved, the password changed, the keytab belongs to another account — every ticket is refused (KRB_AP_ERR_MODIFIED on Windows, BAD_INTEGRITY or NOTUS with MIT) and users get 401.",
  references: ['RFC 4120 §7.5.9: KRB_AP_ERR_BAD_INTEGRITY (31), KRB_AP_ERR_NOTUS (35), KRB_AP_ERR_MODIFIED (41)', 'https://learn.microsoft.com/troubleshoot/windows-server/windows-security/kerberos-authentication-troubleshooting-guidance'],
  checks: 'the server decrypts its tickets (Kerberos exchange)',
  check(ev): RuleResult[] {
    const a = exchangeOf(ev);
    if (!a) return notApplicable('needs the Kerberos exchange (a probe identity)');
    const code = a.kerberosError?.code;
    if (a.outcome !== 'rejected' || code === undefined || !(CANNOT_DECRYPT as readonly number[]).includes(code)) return [];
    const spn = a.spn ?? '';
    const holder = ticketKeyAccount(ev, spn);
    const id = identityOf(ev);
    const evidence = [exchangeLine(a), `The ticket was encrypted with ${holder ? `the key of ${holder}, the only holder of ${spn} in the directory` : `the key of the account holding ${spn}`}${a.ticket ? ` (${a.ticket.etypeName}, kvno ${a.ticket.kvno ?? '?'})` : ''}`];
    if (code === 35) evidence.push(`The server has no key under the name ${spn}: it runs with another account's keytab or credentials`);
    if (code === 31 || code === 41) evidence.push(`The server has a key for ${spn}, but not this one: the SPN moved to another account, or the account's password changed without the server knowing`);
    if (id.declared && id.facts && holder && id.facts.sAMAccountName.toLowerCase() !== holder.toLowerCase()) evidence.push(`The declared identity is ${id.facts.sAMAccountName}, not ${holder}`);
    return [
      {
        subject: spn,
        certainty: 0.95,
        evidence,
        fix: {
          summary: `Make the server decrypt with ${holder ?? 'the SPN holder'}'s key: run the site (app pool, or keytab) as ${holder ?? 'the account that holds the SPN'}, with its current password — or move ${spn} to the account the server runs as.`,
          commands: [setspn.query(spn)],
        },
      },
    ];
  },
});
