/**
 * The index pass over an LDIF export (./ldif-directory.ts): one scan of the file (./ldif-scan.ts)
 * that keeps, per account or SPN holder, its byte range and the hashes of its keys. A record in the
 * scanner's fast path is appended to the index's tables by the scanner itself (./ldif-scan.c index
 * mode: byte ranges, the key hashes as keyHash computes them, no string made and no JavaScript per
 * record), and the builder copies each call's tables in (`index.take`); any other record, and any
 * record with a non-ASCII key, a DN starting with DC= or objectClass group, is indexed from the full
 * reader's LdifRecord, in file order between them. Both paths give the same index
 * (test/directory/ldif-scan.test.ts).
 */
import { normaliseSpn } from '../spn/parse.js';
import { F_ACCOUNT, F_COMPUTER, F_SPN, HashIndex, keyHash, NameList, Slots, SpnStore } from './ldif-index.js';
import type { LdifRecord } from './ldif-parse.js';
import type { ScanSink, TablesAt, Taken } from './ldif-scan.js';

/** What the index pass reads of each entry in the full reader; the rest is read back per account when asked. */
export const INDEX_ATTRS = new Set(['spnmappings', 'netbiosname', 'ncname', 'objectsid', 'objectclass', 'whenchanged', 'whencreated', 'usnchanged', 'serviceprincipalname', 'samaccountname', 'userprincipalname', 'dnshostname']);

/** Attribute names as written here → the reader's lower-case keys. */
const KEYS = new Map<string, string>();
const keyOf = (attr: string) => KEYS.get(attr) ?? (KEYS.set(attr, attr.toLowerCase()), attr.toLowerCase());
export const vals = (r: LdifRecord, attr: string) => r.attrs.get(keyOf(attr)) ?? [];
export const one = (r: LdifRecord, attr: string) => vals(r, attr)[0];

/** Whether an objectClass value is `name` (lower case), without lower-casing the other classes. */
const isClass = (c: string, name: string) => c.length === name.length && c.toLowerCase() === name;
export function isAccount(r: LdifRecord): boolean {
  const oc = vals(r, 'objectClass');
  return oc.length ? oc.some((c) => isClass(c, 'user') || isClass(c, 'computer')) : one(r, 'sAMAccountName') !== undefined;
}
export const isComputer = (r: LdifRecord) => vals(r, 'objectClass').some((c) => isClass(c, 'computer'));

/** The trailing DC= components of a DN (its domain naming context). */
function domainOf(dn: string): string | undefined {
  const m = /((?:^|,)\s*DC=[^,]+)+$/i.exec(dn);
  return m ? m[0].replace(/^,\s*/, '') : undefined;
}
/** The greatest value seen, as bytes in one reused buffer: as text (whenChanged), or as digits, longer being larger (uSNChanged). */
export class Greatest {
  private v = new Uint8Array(32);
  private n = 0;

  offer(b: Uint8Array, s: number, e: number, digits: boolean): void {
    const n = e - s;
    if (digits ? n > this.n || (n === this.n && this.after(b, s, e)) : this.after(b, s, e)) {
      if (n > this.v.length) this.v = new Uint8Array(2 * n);
      for (let i = 0; i < n; i++) this.v[i] = b[s + i]!;
      this.n = n;
    }
  }

  private after(b: Uint8Array, s: number, e: number): boolean {
    const n = Math.min(e - s, this.n);
    for (let i = 0; i < n; i++) if (b[s + i] !== this.v[i]) return b[s + i]! > this.v[i]!;
    return e - s > this.n;
  }

  text(): string {
    return Buffer.from(this.v.buffer, 0, this.n).toString('utf8');
  }

  /** The value's bytes (a copy): what a worker sends (./ldif-pieces.ts). */
  bytes(): Uint8Array<ArrayBuffer> {
    return this.v.slice(0, this.n);
  }
}

const isUsn = (b: Uint8Array, s: number, e: number) => {
  if (e <= s || b[s]! < 0x31 || b[s]! > 0x39) return false;
  for (let i = s + 1; i < e; i++) if (b[i]! < 0x30 || b[i]! > 0x39) return false;
  return true;
};

export class IndexBuilder implements ScanSink {
  readonly slots = new Slots();
  readonly bySam = new HashIndex();
  readonly byUpn = new HashIndex();
  readonly byHost = new HashIndex();
  readonly byDn = new HashIndex();
  readonly bySpn = new HashIndex();
  readonly names = new NameList();
  /** The SPN holders' DNs and SPNs (values as written), for spn dupes without a second read. */
  readonly spns: SpnStore;
  readonly mappings = new Map<string, string>();
  readonly netbios = new Map<string, string>();
  readonly domains = new Map<string, { n: number }>();
  configNc?: string;
  protectedUsersDn?: string;
  rodcGroup?: { dn: string; whenCreated?: string };
  /** whenCreated of domain heads by lower-case DN. */
  readonly created = new Map<string, string>();
  readonly counts = { objects: 0, accounts: 0 };
  /** The newest whenChanged and the highest uSNChanged, as bytes. */
  readonly newest = new Greatest();
  readonly highestUsn = new Greatest();

  constructor(spnStoreBytes?: number) {
    this.spns = new SpnStore(spnStoreBytes);
  }

  /** Index mode (./ldif-scan.ts ScanSink.index): where the tables stand, and the records the scanner took. */
  readonly index = {
    at: (): TablesAt => {
      const store = this.spns.at;
      return { entry: this.slots.length, names: this.names.bytesUsed, store: store.used, pieces: store.pieces, holders: store.holders };
    },
    take: (t: Taken) => this.take(t),
  };

  private take(t: Taken): void {
    this.counts.objects += t.objects;
    if (!t.objects) return;
    this.counts.accounts += t.accounts;
    const scale = t.scale;
    const [a, f] = t.slots();
    this.slots.append(a, f, scale);
    const tables = [this.byDn, this.bySam, this.byUpn, this.byHost, this.bySpn];
    for (let i = 0; i < 5; i++) tables[i]!.append(t.pairs(i), scale);
    this.names.append(...t.names(), scale);
    this.spns.append(...t.store(), scale);
    for (const [bytes, n] of t.domains()) {
      const name = bytes.toString('latin1');
      const c = this.domains.get(name) ?? { n: 0 };
      this.domains.set(name, c);
      c.n += n;
    }
  }

  /** The greatest whenChanged and uSNChanged of a chunk's fast records (the scanner compares them). */
  greatest(b: Buffer, whenS: number, whenE: number, usnS: number, usnE: number): void {
    if (whenE > whenS) this.newest.offer(b, whenS, whenE, false);
    if (usnE > usnS) this.highestUsn.offer(b, usnS, usnE, true);
  }

  slow(r: LdifRecord): void {
    this.counts.objects++;
    const mapping = vals(r, 'sPNMappings');
    if (mapping.length) {
      this.configNc = r.dn.replace(/^CN=Directory Service,CN=Windows NT,CN=Services,/i, '');
      for (const line of mapping) {
        const [target, aliases] = line.split('=', 2);
        if (!target || !aliases) continue;
        for (const a of aliases.split(',')) if (a.trim()) this.mappings.set(a.trim().toLowerCase(), target.trim().toLowerCase());
      }
    }
    const nb = one(r, 'nETBIOSName');
    const nc = one(r, 'nCName');
    if (nb && nc) this.netbios.set(nc.toLowerCase(), nb);
    const sid = r.binary.get('objectsid')?.[0];
    const rid = sid && sid.length >= 12 && vals(r, 'objectClass').some((c) => isClass(c, 'group')) ? sid.readUInt32LE(sid.length - 4) : undefined;
    if (rid === 525) this.protectedUsersDn = r.dn;
    if (rid === 521) this.rodcGroup = { dn: r.dn, whenCreated: one(r, 'whenCreated') };
    if (/^DC=/i.test(r.dn) && one(r, 'whenCreated')) this.created.set(r.dn.toLowerCase(), one(r, 'whenCreated')!);
    const changed = Buffer.from(one(r, 'whenChanged') ?? '', 'utf8');
    if (changed.length) this.newest.offer(changed, 0, changed.length, false);
    const usn = Buffer.from(one(r, 'uSNChanged') ?? '', 'utf8');
    if (isUsn(usn, 0, usn.length)) this.highestUsn.offer(usn, 0, usn.length, true);
    const spns = vals(r, 'servicePrincipalName');
    const account = isAccount(r);
    if (!account && !spns.length) return;
    const idx = this.slots.push(r.start, r.end, r.line, (account ? F_ACCOUNT : 0) | (isComputer(r) ? F_COMPUTER : 0) | (spns.length ? F_SPN : 0));
    this.byDn.add(keyHash(r.dn), idx);
    if (spns.length) {
      this.spns.holder(idx);
      for (const text of [r.dn, ...spns]) {
        const bytes = Buffer.from(text, 'utf8');
        this.spns.piece(bytes, 0, bytes.length);
      }
    }
    for (const s of spns) this.bySpn.add(keyHash(normaliseSpn(s)), idx);
    if (!account) return;
    this.counts.accounts++;
    const d = domainOf(r.dn);
    if (d) {
      const c = this.domains.get(d) ?? { n: 0 };
      this.domains.set(d, c);
      c.n++;
    }
    const sam = one(r, 'sAMAccountName');
    if (sam) {
      const lower = Buffer.from(sam.toLowerCase(), 'utf8');
      this.bySam.add(keyHash(sam.toLowerCase()), idx);
      this.names.add(lower, 0, lower.length, idx);
    }
    const upn = one(r, 'userPrincipalName');
    if (upn) this.byUpn.add(keyHash(upn.toLowerCase()), idx);
    const host = one(r, 'dNSHostName');
    if (host) this.byHost.add(keyHash(host.toLowerCase()), idx);
  }
}
