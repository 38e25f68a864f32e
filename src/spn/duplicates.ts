/**
 * Duplicate SPNs and alias collisions over a stream of accounts, like `setspn -X -F`, plus the
 * collisions setspn misses: `HTTP/x` on one account while `HOST/x` (which answers for HTTP through
 * sPNMappings) sits on another. Pure: feed it accounts page by page, then ask for the result.
 * Memory holds one small entry per distinct SPN (an index into the account list), never the pages.
 */
import type { AccountRef, AliasCollision, DuplicateSpn } from '../model/index.js';
import { aliasHostSpn, normaliseSpn } from './parse.js';

/** One collator (localeCompare with a locale builds one per call), made at the first comparison: ICU's start costs ≈ 10 ms of a CLI run that finds nothing to sort. */
let made: Intl.Collator | undefined;
const collator = { compare: (a: string, b: string) => (made ??= new Intl.Collator('en', { sensitivity: 'base' })).compare(a, b) };

export class SpnIndex {
  private readonly accounts: AccountRef[] = [];
  /** normalised SPN → [first-seen spelling, account indexes] */
  private readonly bySpn = new Map<string, { text: string; holders: number[] }>();
  private readonly allow: Set<string>;
  spnCount = 0;

  constructor(allowList: string[] = []) {
    this.allow = new Set(allowList.map(normaliseSpn));
  }

  add(account: AccountRef, spns: string[]): void {
    const idx = this.accounts.push({ dn: account.dn, sAMAccountName: account.sAMAccountName, whenChanged: account.whenChanged, disabled: account.disabled }) - 1;
    for (const spn of new Set(spns.map((s) => s.trim()).filter(Boolean))) {
      this.spnCount++;
      const key = normaliseSpn(spn);
      const slot = this.bySpn.get(key);
      if (!slot) this.bySpn.set(key, { text: spn, holders: [idx] });
      else if (!slot.holders.includes(idx)) slot.holders.push(idx);
    }
  }

  get accountCount(): number {
    return this.accounts.length;
  }

  private isAllowed(key: string): boolean {
    if (this.allow.has(key)) return true;
    // kadmin/changepw is on krbtgt by design; allow entries may name just the service/host part.
    return [...this.allow].some((a) => !a.includes('/') && key.startsWith(`${a}/`));
  }

  /** Holder lists hold indexes into `accounts` that add() assigned: always in range. */
  private accountAt(i: number): AccountRef {
    return this.accounts[i]!;
  }

  duplicates(): DuplicateSpn[] {
    const out: DuplicateSpn[] = [];
    for (const [key, { text, holders }] of this.bySpn) {
      if (holders.length > 1 && !this.isAllowed(key)) out.push({ spn: text, accounts: holders.map((i) => this.accountAt(i)) });
    }
    return out.sort((a, b) => collator.compare(a.spn, b.spn));
  }

  /** `mappings`: alias class → target class (http → host), from the forest's sPNMappings. */
  aliasCollisions(mappings: Map<string, string>): AliasCollision[] {
    const out: AliasCollision[] = [];
    for (const [key, { text, holders }] of this.bySpn) {
      const hostKey = aliasHostSpn(key, mappings);
      if (!hostKey || this.isAllowed(key)) continue;
      const host = this.bySpn.get(hostKey);
      if (!host) continue;
      const others = host.holders.filter((h) => !holders.includes(h));
      if (!others.length) continue;
      out.push({
        spn: text,
        aliasOf: host.text,
        serviceAccounts: holders.map((i) => this.accountAt(i)),
        hostAccounts: others.map((i) => this.accountAt(i)),
      });
    }
    return out.sort((a, b) => collator.compare(a.spn, b.spn));
  }
}
