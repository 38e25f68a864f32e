import { defineRule, notApplicable, type RuleResult } from './support/define.js';
import { exchangeLine, exchangeOf, klistGet, ticketKeyAccount } from './support/exchange.js';
import { ad } from '../fix/index.js';

/**
 * Only the exchange sees this: the directory and the KDC are right, the server's keytab is not.
 * The KDC encrypts with the account's current key version; a keytab exported before the last
 * password reset holds only older versions, and MIT and Windows acceptors answer KRB_AP_ERR_BADKEYVER.
 */
export default defineRule({
  id: 'keytab-key-version-mismatch',
  title: "The server's keytab is older than the account's password (key version mismatch)",
  severity: 'critical',
  why: 'The KDC encrypts tickets with the key of the current password (its key version number, kvno); a keytab made before the password was reset holds only older key versions, so the server refuses every ticket with KRB_AP_ERR_BADKEYVER and every user gets 401.',
  references: ['RFC 4120 §7.5.9: KRB_AP_ERR_BADKEYVER (44), "Specified version of key is not available"', 'https://learn.microsoft.com/windows-server/administration/windows-commands/ktpass'],
  checks: 'key version of the server keytab (Kerberos exchange)',
  check(ev): RuleResult[] {
    const a = exchangeOf(ev);
    if (!a) return notApplicable('needs the Kerberos exchange (a probe identity)');
    if (a.outcome !== 'rejected' || a.kerberosError?.code !== 44) return [];
    const spn = a.spn ?? '';
    const holder = ticketKeyAccount(ev, spn);
    const kvno = a.ticket?.kvno;
    const evidence = [
      exchangeLine(a),
      `The KDC encrypted the ticket with key version ${kvno ?? '?'}${holder ? ` of ${holder} (the holder of ${spn})` : ''}: the account's current password`,
      `The server has no key of version ${kvno ?? 'that version'} for ${a.kerberosError.serverName ?? spn}: its keytab predates the last password reset`,
    ];
    return [
      {
        subject: spn,
        certainty: 1,
        evidence,
        fix: {
          summary: `Make a new keytab for ${spn} from ${holder ?? 'the account that holds it'}'s current password (key version ${kvno ?? 'now at the KDC'}) and install it on the server; compare with \`klist -k -t -e <keytab>\` on the server. Resetting the password again without a new keytab repeats the outage.`,
          commands: [...klistGet(spn), ...(holder ? [ad.getUser(holder, ['msDS-KeyVersionNumber', 'pwdLastSet'])] : [])],
        },
      },
    ];
  },
});
