/**
 * SPN changes as an approver sees them: validated, de-duplicated, and turned into the exact
 * `setspn` commands handed to the admin. The commands are pasted into a Windows shell, so every
 * value that reaches them is checked against a strict character set first (a request can come from
 * a forged card action).
 * https://learn.microsoft.com/previous-versions/windows/it-pro/windows-server-2012-r2-and-2012/cc731241(v=ws.11)
 */
import { InvalidInputError, truncate } from '../errors.js';
import type { SpnChange } from '../model/index.js';
import { normaliseSpn, parseSpn } from '../spn/parse.js';
import { setspn } from '../fix/index.js';

/** Changes one request may carry. */
export const MAX_CHANGES = 50;

/**
 * Characters an SPN may have here: parseSpn's host rules plus the service-name part, without
 * anything a shell would interpret.
 */
const SAFE_SPN = /^[A-Za-z0-9._:/$@-]+$/;
/** Optional NetBIOS domain, then a sAMAccountName (letters, digits, space, . _ -, a trailing $ for computers). */
const SAFE_ACCOUNT = /^(?:[A-Za-z0-9][A-Za-z0-9.-]{0,62}\\)?[\p{L}\p{N}][\p{L}\p{N} ._-]{0,255}\$?$/u;
/** Distinguished names are only read back (never put into a command); they still must look like one. */
const MAX_DN = 1000;

const key = (c: SpnChange) => `${c.action}\u0000${normaliseSpn(c.spn)}\u0000${c.account.toLowerCase()}`;

/**
 * Checks every change and removes repeats (same action, SPN case-insensitively, and account).
 * Throws InvalidInputError naming the first bad change; refuses an empty list, more than
 * MAX_CHANGES, and a list that both adds and removes the same SPN on the same account.
 */
export function normaliseChanges(changes: readonly SpnChange[]): SpnChange[] {
  // `as unknown`: Array.isArray would narrow the readonly list to any[] (callers may pass parsed JSON).
  if (!Array.isArray(changes as unknown) || changes.length === 0) throw new InvalidInputError('A change request needs at least one SPN change.');
  const out = new Map<string, SpnChange>();
  for (const raw of changes) {
    const c = checkChange(raw);
    if (!out.has(key(c))) out.set(key(c), c);
  }
  if (out.size > MAX_CHANGES) throw new InvalidInputError(`A change request may carry at most ${MAX_CHANGES} SPN changes (this one has ${out.size}); split it.`);
  const list = [...out.values()];
  for (const c of list) {
    if (c.action === 'add' && out.has(key({ ...c, action: 'remove' }))) {
      throw new InvalidInputError(`The request both adds and removes ${truncate(c.spn, 100)} on ${truncate(c.account, 80)}; ask for one of them.`, { spn: truncate(c.spn, 200) });
    }
  }
  return list;
}

function checkChange(raw: SpnChange): SpnChange {
  if (!raw || typeof raw !== 'object') throw new InvalidInputError('An SPN change must name an action, an SPN and an account.');
  if (raw.action !== 'add' && raw.action !== 'remove') throw new InvalidInputError(`"${truncate(String(raw.action), 20)}" is not an SPN change: use add or remove.`);
  if (typeof raw.spn !== 'string' || typeof raw.account !== 'string') throw new InvalidInputError('An SPN change must name an SPN and an account.');
  const spn = parseSpn(raw.spn).text;
  if (!SAFE_SPN.test(spn)) throw new InvalidInputError(`"${truncate(spn, 80)}" contains characters krbops will not put into a setspn command.`, { spn: truncate(spn, 200) });
  const account = raw.account.trim();
  if (!SAFE_ACCOUNT.test(account)) {
    throw new InvalidInputError(`"${truncate(account, 80)}" is not an account name krbops can hand to setspn (expected DOMAIN\\name or a sAMAccountName).`, { account: truncate(account, 200) });
  }
  const out: SpnChange = { action: raw.action, spn, account };
  if (raw.accountDn !== undefined) {
    if (typeof raw.accountDn !== 'string' || raw.accountDn.length > MAX_DN || !/^[A-Za-z]+=/.test(raw.accountDn) || /[\r\n\0]/.test(raw.accountDn)) {
      throw new InvalidInputError(`The account DN of ${truncate(spn, 80)} is not a distinguished name.`);
    }
    out.accountDn = raw.accountDn;
  }
  return out;
}

/** The commands handed to the approving admin: one setspn line per change (built by src/fix). */
export function handOffCommands(changes: readonly SpnChange[], netbiosDomain?: string): string[] {
  return changes.map((c) => setspn.change(c, netbiosDomain));
}

/**
 * The commands that undo a hand-off, last change first: `setspn -D` for an add, `setspn -S` for a
 * remove (which again refuses a duplicate, should another account have taken the SPN meanwhile).
 */
export function rollbackCommands(changes: readonly SpnChange[], netbiosDomain?: string): string[] {
  return [...changes].reverse().map((c) => setspn.change({ ...c, action: c.action === 'add' ? 'remove' : 'add' }, netbiosDomain));
}
