/**
 * The fix for an SPN held by more than one account, when krbops cannot tell which account runs the
 * service: one `setspn -D` per holder, each in its own block under "If <account> does not run the
 * service:" (`Fix.alternatives`), and one "Keep on <account>" choice per holder whose change request
 * removes the SPN from every OTHER holder (`Fix.choices`). Never one block that removes it from all
 * of them: pasted whole, that breaks the service. `spn dupes`, `spn query`, the duplicate-SPN watch
 * and the spn-duplicate rule all take their fix from here.
 */
import type { Fix, FixAlternative, FixChoice, SpnChange } from '../model/index.js';
import { UnsafeCommandValueError } from '../errors.js';
import { setspn } from './windows.js';

/** One account that holds the SPN. */
export interface DuplicateHolder {
  /** The account as setspn names it: `CONTOSO\crmweb` or `crmweb`. */
  account: string;
  /** Its DN, carried into the change request (verification reads it back). */
  dn?: string;
  /** The SPN as stored on this account, when its case differs; default: the SPN. */
  spn?: string;
}

/** The heading of one holder's block. */
export const ifNotRunning = (account: string): string => `If ${account} does not run the service:`;

/** The label of one holder's button. */
export const keepOn = (account: string): string => `Keep on ${account}`;

/**
 * The Fix for `spn` held by `holders` (two or more). A holder whose name or SPN src/fix refuses gets
 * no command and no button that would touch it; the summary says why.
 */
export function duplicateSpnFix(spn: string, holders: readonly DuplicateHolder[]): Fix {
  const alternatives: FixAlternative[] = [];
  const refused: string[] = [];
  const safe = new Set<DuplicateHolder>();
  for (const h of holders) {
    try {
      alternatives.push({ when: ifNotRunning(h.account), commands: [setspn.remove(h.spn ?? spn, h.account)] });
      safe.add(h);
    } catch (e) {
      if (!(e instanceof UnsafeCommandValueError)) throw e;
      refused.push(e.message);
    }
  }
  const choices: FixChoice[] = [];
  for (const keep of holders) {
    const others = holders.filter((h) => h !== keep);
    // A choice that would leave out a refused holder would not remove the duplicate: none then.
    if (!others.length || others.some((h) => !safe.has(h))) continue;
    const spnChanges: SpnChange[] = others.map((h) => ({ action: 'remove', spn: h.spn ?? spn, account: h.account, ...(h.dn ? { accountDn: h.dn } : {}) }));
    choices.push({ label: keepOn(keep.account), account: keep.account, spnChanges });
  }
  const summary =
    `Keep ${spn} only on the account that runs the service. Run the setspn -D line of each account that does not run it; ` +
    `never all of them (that removes it from every holder and breaks the service).` +
    (refused.length ? ` krbops prints no command for: ${refused.join('; ')}` : '');
  return { summary, commands: [], alternatives, ...(choices.length ? { choices } : {}) };
}
