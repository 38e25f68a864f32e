/**
 * DirectoryReader over an LDIF export (`LDAP_URL=file:<path>`, `--ldif <path>`): the same questions
 * the LDAP directory answers, asked of an `ldifde` or `ldapsearch -LLL` export instead of a DC.
 *
 * One pass (./ldif-build.ts) builds an index of what the commands look up (hashes of names, DNs,
 * host names, SPNs → the byte range of the entry); the entries themselves stay in the file and are
 * read back when asked. `spn dupes` takes the SPN holders the pass kept; the other scans stream the
 * file again. Memory grows with the index, never with the attributes (memberOf lists, descriptors),
 * so a 200 000-object export is read in bounded memory.
 *
 * An export has no clock and no KDC: currentTime() says so, and the rules that need it answer
 * "unknown". Every answer names the export and its date through `info().server`.
 */
import type { AccountFacts, AccountRef, DirectoryInfo, DomainKeyFacts, EncryptionScanAccount, SpnHolder } from '../model/index.js';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { AccountNotFoundError, DirectoryProtocolError } from '../errors.js';
import { aliasHostSpn, normaliseSpn } from '../spn/parse.js';
import { F_COMPUTER, F_SPN, HashIndex, keyHash, NameList, Slots, SpnStore, type Slot } from './ldif-index.js';
import { isAccount, one, vals } from './ldif-build.js';
import { indexLdif, type ParallelIndexOptions } from './ldif-parallel.js';
import { openRecords, READ_NOW_BYTES, readLdif, readRecordAt, readRecordsNow, type LdifRecord } from './ldif-parse.js';
import { scanLdifRanges } from './ldif-files.js';
import { feedSpnScan } from './ldif-dupes.js';
import type { SpnScan } from '../spn/spn-scan.js';
import { SPN_W, type FastRecord } from './ldif-scan.js';
import { accountKind, holderOrder, pickExact } from './ldap-entry.js';
import type { DirectoryReader } from './types.js';
import { decodeEncryptionTypes, decodeUac, fileTimeToIso, generalizedTimeToIso } from './uac.js';

const SPN_ONLY = new Set(['serviceprincipalname']);
const ETYPE_ATTRS = new Set(['objectclass', 'serviceprincipalname', 'samaccountname', 'msds-supportedencryptiontypes', 'pwdlastset', 'whencreated', 'useraccountcontrol']);
const SCAN_ATTRS = new Set(['objectclass', 'whenchanged', 'usnchanged', 'serviceprincipalname', 'samaccountname', 'useraccountcontrol']);

function ref(r: LdifRecord): AccountRef {
  const uac = Number(one(r, 'userAccountControl') ?? 0);
  return { dn: r.dn, sAMAccountName: one(r, 'sAMAccountName') ?? r.dn, whenChanged: generalizedTimeToIso(one(r, 'whenChanged')), disabled: (uac & 0x2) !== 0 };
}

/** An index lookup to confirm against the entry read back: the attribute and the lower-case key. */
type Want = [index: HashIndex, attr: string, key: string];

const utc = (iso: string) => iso.replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, ' UTC');

export class LdifDirectory implements DirectoryReader {
  /** Keys are hashes of the lower-cased keys (./ldif-index.ts): every hit is confirmed against the entry read back. */
  private slots = new Slots();
  private bySam = new HashIndex();
  private byUpn = new HashIndex();
  private byHost = new HashIndex();
  private byDn = new HashIndex();
  private bySpn = new HashIndex();
  private names = new NameList();
  private spns = new SpnStore(0);
  private mappings = new Map<string, string>();
  private infoData!: DirectoryInfo;
  private protectedUsersDn?: string;
  /** whenCreated of objects the encryption-type report asks about: by DN (the domain head), and the RID 521 group. */
  private created = new Map<string, string>();
  private rodcGroup?: { dn: string; whenCreated?: string };
  /** Objects and accounts read, for `krbops config` and the start banner. */
  counts = { objects: 0, accounts: 0 };
  /** The last scanSpnsInto's candidates: DN → index entry (accountsByDn reads them back without building the DN table). */
  private candidates = new Map<string, number>();
  /** The file as indexed (size, mtime): a scan by the index's byte ranges needs the same file. */
  private stamp = '';

  private constructor(
    readonly file: string,
    private readonly label: string,
  ) {}

  /** Reads the export once and builds the index. Throws LdifError naming the line of a bad record. */
  static async open(file: string, options: ParallelIndexOptions = {}): Promise<LdifDirectory> {
    const label = path.basename(file);
    const dir = new LdifDirectory(file, label);
    await dir.index(options);
    return dir;
  }

  private async index(options: ParallelIndexOptions): Promise<void> {
    const st = await stat(this.file).catch((e: NodeJS.ErrnoException) => {
      throw new DirectoryProtocolError(`the export ${this.file} cannot be read (${e.code ?? 'error'})`, { server: `file:${this.file}` });
    });
    this.stamp = `${st.size}:${st.mtimeMs}`;
    const x = await indexLdif(this.file, this.label, options);
    Object.assign(this, { slots: x.slots, bySam: x.bySam, byUpn: x.byUpn, byHost: x.byHost, byDn: x.byDn, bySpn: x.bySpn, names: x.names, spns: x.spns, counts: x.counts, created: x.created, protectedUsersDn: x.protectedUsersDn });
    this.mappings = x.mappings;
    if (x.rodcGroup) this.rodcGroup = { dn: x.rodcGroup.dn, whenCreated: generalizedTimeToIso(x.rodcGroup.whenCreated) };
    const domains = new Map([...x.domains].map(([d, c]) => [d, c.n]));
    const configNc = x.configNc;
    const netbios = x.netbios;
    const newest = x.newest.text();
    const highestUsn = x.highestUsn.text() || '0';
    if (!this.counts.accounts) throw new DirectoryProtocolError(`the export ${this.label} holds no accounts (no entry with objectClass user or computer); export with the commands \`krbops export-ldif\` prints`, { server: `file:${this.file}` });
    if (!this.mappings.size) this.mappings.set('http', 'host');
    const [top] = [...domains.entries()].sort((a, b) => b[1] - a[1]);
    if (!top) throw new DirectoryProtocolError(`the export ${this.label} names no domain (no account DN has DC= parts)`, { server: `file:${this.file}` });
    const defaultNamingContext = top[0];
    const written = utc(st.mtime.toISOString());
    const newestIso = generalizedTimeToIso(newest);
    this.infoData = {
      server: `file:${this.label} (export written ${written}${newestIso ? `, newest change ${utc(newestIso)}` : ''})`,
      defaultNamingContext,
      configurationNamingContext: configNc ?? `CN=Configuration,${defaultNamingContext}`,
      netbiosDomain: netbios.get(defaultNamingContext.toLowerCase()),
      ...(highestUsn !== '0' ? { highestCommittedUSN: highestUsn } : {}),
    };
  }

  async info(): Promise<DirectoryInfo> {
    return this.infoData;
  }

  /** An export has no clock: the clock rule answers "unknown" with this reason. */
  async currentTime(): Promise<string | undefined> {
    throw new DirectoryProtocolError(`this is an export (${this.label}), not a DC: it has no clock to compare`, { server: this.infoData.server });
  }

  async spnMappings(): Promise<Map<string, string>> {
    return new Map(this.mappings);
  }

  /** The entry with this DN (case-insensitive), read back; the index holds hashes, so the DN is compared. */
  private async byDnRead(dn: string, read = (slot: Slot) => readRecordAt(this.file, this.label, slot)): Promise<LdifRecord | undefined> {
    const lower = dn.toLowerCase();
    for (const idx of this.byDn.get(keyHash(dn))) {
      const slot = this.slots.get(idx);
      if (!slot) continue;
      const r = await read(slot);
      if (r.dn.toLowerCase() === lower) return r;
    }
    return undefined;
  }

  private read(idx: number): Promise<LdifRecord> {
    const slot = this.slots.get(idx);
    if (!slot) return Promise.reject(new DirectoryProtocolError(`the export ${this.label} has no record #${idx}`, { server: `file:${this.file}` }));
    return readRecordAt(this.file, this.label, slot);
  }

  private async readAll(hits: number[]): Promise<{ idx: number; r: LdifRecord }[]> {
    return Promise.all([...new Set(hits)].map(async (idx) => ({ idx, r: await this.read(idx) })));
  }

  /** The entries the lookups name, read back, that really hold the key (a hash names a few others at most). */
  private async confirmed(wants: Want[], only?: (idx: number) => boolean): Promise<LdifRecord[]> {
    const keys = new Map<number, [string, string][]>();
    for (const [index, attr, key] of wants) {
      for (const idx of index.get(keyHash(key))) {
        if (only && !only(idx)) continue;
        const list = keys.get(idx);
        if (list) list.push([attr, key]);
        else keys.set(idx, [[attr, key]]);
      }
    }
    const read = await this.readAll([...keys.keys()]);
    return read.filter(({ idx, r }) => keys.get(idx)!.some(([attr, key]) => one(r, attr)?.toLowerCase() === key)).map((x) => x.r);
  }

  async findAccount(query: string): Promise<AccountFacts> {
    const found = await this.tryFindAccount(query);
    if (found) return found;
    throw new AccountNotFoundError(query, await this.suggest(query));
  }

  async tryFindAccount(query: string): Promise<AccountFacts | undefined> {
    const q = query.trim();
    if (!q) return undefined;
    if (/^(CN|OU|DC|O)=/i.test(q) && q.includes('=')) {
      const r = await this.byDnRead(q);
      return r && isAccount(r) ? this.toFacts(r) : undefined;
    }
    let name = q;
    const slash = q.indexOf('\\');
    if (slash > 0) name = q.slice(slash + 1);
    const lower = name.toLowerCase();
    const sam = (key: string): Want => [this.bySam, 'sAMAccountName', key];
    const wants: Want[] = lower.includes('@')
      ? [[this.byUpn, 'userPrincipalName', lower], sam(lower.slice(0, lower.indexOf('@')))]
      : lower.includes('.')
        ? [[this.byHost, 'dNSHostName', lower], sam(lower), sam(`${lower.split('.')[0]}$`)]
        : [sam(lower), ...(lower.endsWith('$') ? [] : [sam(`${lower}$`)])];
    const entries = await this.confirmed(wants);
    return entries.length ? this.toFacts(pickExact(entries, lower, one)!) : undefined;
  }

  /** Close matches, like AD's ambiguous name resolution on sAMAccountName (a prefix match). */
  private async suggest(query: string): Promise<string[]> {
    const q = query.trim().replace(/^[^\\]*\\/, '').replace(/\$$/, '').toLowerCase();
    if (q.length < 2 || q.length > 64) return [];
    // The names as stored (NDCRMSRV1$, not the index's lower case), in a stable order.
    const names = (await this.readAll(this.names.startingWith(q, 5))).map(({ r }) => one(r, 'sAMAccountName') ?? '').filter(Boolean);
    return names.sort((a, b) => a.localeCompare(b));
  }

  async findComputerByHost(host: string): Promise<AccountFacts | undefined> {
    const h = host.trim().replace(/\.$/, '').toLowerCase();
    if (!h || h.length > 255) return undefined;
    const entries = await this.confirmed([[this.byHost, 'dNSHostName', h], [this.bySam, 'sAMAccountName', `${h.split('.')[0]}$`]], (i) => (this.slots.flags(i) & F_COMPUTER) !== 0);
    const chosen = entries.find((e) => one(e, 'dNSHostName')?.toLowerCase() === h) ?? entries[0];
    return chosen && this.toFacts(chosen);
  }

  async spnHolders(spn: string, options: { includeAliases?: boolean } = {}): Promise<SpnHolder[]> {
    const wanted = spn.trim();
    const alias = options.includeAliases ? aliasHostSpn(wanted, this.mappings) : undefined;
    const hits = [...this.bySpn.get(keyHash(normaliseSpn(wanted))), ...(alias ? this.bySpn.get(keyHash(normaliseSpn(alias))) : [])];
    const out: SpnHolder[] = [];
    for (const { r } of await this.readAll(hits)) {
      const spns = vals(r, 'servicePrincipalName');
      const exact = spns.find((s) => normaliseSpn(s) === normaliseSpn(wanted));
      if (exact) out.push({ ...ref(r), matched: exact, via: 'exact' });
      const viaAlias = alias && spns.find((s) => normaliseSpn(s) === normaliseSpn(alias));
      if (viaAlias && !exact) out.push({ ...ref(r), matched: viaAlias, via: 'alias' });
    }
    return out.sort(holderOrder);
  }

  /** Streams the export again: every entry with an SPN (the scope makes no difference in a file). */
  async *scanSpns(options: { changedAfterUsn?: string; scope?: 'forest' | 'dc' } = {}): AsyncIterable<AccountRef & { servicePrincipalName: string[]; uSNChanged?: string }> {
    const after = this.watermark(options.changedAfterUsn);
    for await (const r of readLdif(this.file, this.label, SCAN_ATTRS)) {
      const spns = vals(r, 'servicePrincipalName');
      if (!spns.length || !this.newer(r, after)) continue;
      yield { ...ref(r), servicePrincipalName: spns, uSNChanged: one(r, 'uSNChanged') };
    }
  }

  /**
   * Every entry with an SPN as DN and SPNs, 500 at a time: from the index pass's SPN store, or past
   * its budget the SPN holders' records read by the index's byte ranges (the whole file streamed
   * again if it changed since it was indexed).
   */
  async *scanSpnPages(): AsyncIterable<{ dn: string; servicePrincipalName: string[] }[]> {
    if (!(await this.unchanged())) {
      yield* this.streamSpnPages();
      return;
    }
    if (!this.spns.dropped) {
      for (let k = 0; k < this.spns.holders; k += 500) yield Array.from({ length: Math.min(500, this.spns.holders - k) }, (_, i) => this.spns.get(k + i));
      return;
    }
    const holders: number[] = [];
    for (let i = 0; i < this.slots.length; i++) if (this.slots.flags(i) & F_SPN) holders.push(i);
    const out: { dn: string; servicePrincipalName: string[] }[] = [];
    const sink = {
      fast: (b: Buffer, r: FastRecord) => {
        const spns: string[] = [];
        for (let i = 0; i < r.spnN; i++) spns.push(b.toString('utf8', r.spn[SPN_W * i]!, r.spn[SPN_W * i + 1]!));
        if (spns.length) out.push({ dn: b.toString('utf8', r.dnS, r.dnE), servicePrincipalName: spns });
        return true;
      },
      slow: (r: LdifRecord) => {
        const spns = vals(r, 'servicePrincipalName');
        if (spns.length) out.push({ dn: r.dn, servicePrincipalName: spns });
      },
    };
    for await (const _ of scanLdifRanges(this.file, this.label, SPN_ONLY, { length: holders.length, at: (k) => this.slots.get(holders[k]!)! }, sink)) {
      while (out.length >= 500) yield out.splice(0, 500);
    }
    if (out.length) yield out;
  }

  /** Whether the file is the one indexed (size and mtime): the index's byte ranges and SPN store hold for it. */
  private async unchanged(): Promise<boolean> {
    const st = await stat(this.file).catch(() => undefined);
    return st !== undefined && `${st.size}:${st.mtimeMs}` === this.stamp;
  }

  /** spn dupes' scan from the SPN store, no string per SPN (./ldif-dupes.ts); false (read the pages) past its budget or if the file changed. */
  async scanSpnsInto(scan: SpnScan): Promise<boolean> {
    if (this.spns.dropped || !(await this.unchanged())) return false;
    const entries = (this.candidates = new Map());
    feedSpnScan(this.label, this.spns, scan, (dn, k) => entries.set(dn, this.spns.entry(k)));
    return true;
  }

  private async *streamSpnPages(): AsyncIterable<{ dn: string; servicePrincipalName: string[] }[]> {
    let page: { dn: string; servicePrincipalName: string[] }[] = [];
    for await (const r of readLdif(this.file, this.label, SPN_ONLY)) {
      const spns = vals(r, 'servicePrincipalName');
      if (!spns.length) continue;
      page.push({ dn: r.dn, servicePrincipalName: spns });
      if (page.length >= 500) {
        yield page;
        page = [];
      }
    }
    if (page.length) yield page;
  }

  /** Entries by DN from the index (read back from the file); DNs not in the export are left out. */
  async accountsByDn(dns: string[]): Promise<(AccountRef & { servicePrincipalName: string[] })[]> {
    const asRef = (r: LdifRecord) => ({ ...ref(r), servicePrincipalName: vals(r, 'servicePrincipalName') });
    // spn dupes' candidates, read moments ago by the index pass: at once, by their index entries.
    const slots = dns.map((dn) => this.candidates.get(dn)).map((e) => (e === undefined ? undefined : this.slots.get(e)));
    if (slots.every((s) => s !== undefined) && slots.reduce((n, s) => n + s.end - s.start, 0) <= READ_NOW_BYTES) {
      const records = readRecordsNow(this.file, this.label, slots);
      if (records.every((r, i) => r.dn === dns[i])) return records.map(asRef);
    }
    const records = await openRecords(this.file, this.label);
    try {
      // All at once on one file handle, in the order asked.
      const found = await Promise.all(dns.map((dn) => this.byDnRead(dn, (slot) => records.read(slot))));
      return found.filter((r) => r !== undefined).map(asRef);
    } finally {
      await records.close();
    }
  }

  async *changedSince(usn: string): AsyncIterable<AccountRef & { servicePrincipalName: string[]; uSNChanged?: string }> {
    const after = this.watermark(usn);
    for await (const r of readLdif(this.file, this.label, SCAN_ATTRS)) {
      if (!isAccount(r) || !this.newer(r, after)) continue;
      yield { ...ref(r), servicePrincipalName: vals(r, 'servicePrincipalName'), uSNChanged: one(r, 'uSNChanged') };
    }
  }

  /** Every entry holding an SPN, plus krbtgt, with what the encryption-type report reads (streamed). */
  async *scanEncryptionTypes(): AsyncIterable<EncryptionScanAccount> {
    for await (const r of readLdif(this.file, this.label, ETYPE_ATTRS)) {
      const spns = vals(r, 'servicePrincipalName');
      const sam = one(r, 'sAMAccountName');
      if (!spns.length && sam?.toLowerCase() !== 'krbtgt') continue;
      const set = Number(one(r, 'msDS-SupportedEncryptionTypes') ?? NaN);
      yield {
        dn: r.dn,
        sAMAccountName: sam ?? r.dn,
        kind: accountKind(vals(r, 'objectClass')),
        spns,
        supportedEncryptionTypes: Number.isInteger(set) ? set >>> 0 : null,
        pwdLastSet: fileTimeToIso(one(r, 'pwdLastSet')),
        whenCreated: generalizedTimeToIso(one(r, 'whenCreated')),
        userAccountControl: Number(one(r, 'userAccountControl') ?? 0),
      };
    }
  }

  /** From the domain head and the Read-only Domain Controllers group, when the export holds them (export-ldif asks for both). */
  async domainKeyFacts(): Promise<DomainKeyFacts> {
    const domainDn = this.infoData.defaultNamingContext;
    return {
      domainDn,
      domainCreated: generalizedTimeToIso(this.created.get(domainDn.toLowerCase())),
      ...(this.rodcGroup ? { rodcGroupDn: this.rodcGroup.dn, rodcGroupCreated: this.rodcGroup.whenCreated } : {}),
    };
  }

  private watermark(usn: string | undefined): bigint | undefined {
    if (usn === undefined) return undefined;
    if (!/^\d+$/.test(usn)) throw new DirectoryProtocolError(`invalid uSNChanged watermark "${usn}"`, { server: this.infoData.server });
    return BigInt(usn);
  }

  private newer(r: LdifRecord, after: bigint | undefined): boolean {
    if (after === undefined) return true;
    const usn = one(r, 'uSNChanged');
    return !!usn && /^\d+$/.test(usn) && BigInt(usn) > after;
  }

  private toFacts(r: LdifRecord): AccountFacts {
    const objectClass = vals(r, 'objectClass');
    const etypes = one(r, 'msDS-SupportedEncryptionTypes');
    const memberOf = vals(r, 'memberOf');
    const pu = this.protectedUsersDn?.toLowerCase();
    return {
      dn: r.dn,
      sAMAccountName: one(r, 'sAMAccountName') ?? '',
      domain: this.infoData.netbiosDomain,
      userPrincipalName: one(r, 'userPrincipalName'),
      kind: accountKind(objectClass),
      objectClass,
      dNSHostName: one(r, 'dNSHostName'),
      servicePrincipalName: vals(r, 'servicePrincipalName'),
      userAccountControl: decodeUac(Number(one(r, 'userAccountControl') ?? 0)),
      allowedToDelegateTo: vals(r, 'msDS-AllowedToDelegateTo'),
      hasResourceBasedDelegation: r.binary.has('msds-allowedtoactonbehalfofotheridentity') || r.attrs.has('msds-allowedtoactonbehalfofotheridentity'),
      supportedEncryptionTypes: etypes === undefined ? undefined : Number(etypes),
      encryptionTypeNames: decodeEncryptionTypes(etypes === undefined ? undefined : Number(etypes)),
      pwdLastSet: fileTimeToIso(one(r, 'pwdLastSet')),
      whenChanged: generalizedTimeToIso(one(r, 'whenChanged')),
      uSNChanged: one(r, 'uSNChanged'),
      memberOf,
      // Direct membership only: an export cannot follow nested groups the way the DC's in-chain rule does.
      protectedUser: memberOf.some((m) => (pu ? m.toLowerCase() === pu : /^CN=Protected Users,/i.test(m))),
    };
  }

  async close(): Promise<void> {
    // The index is shared by every request (see openLdifDirectory); nothing to release per request.
  }
}

const opened = new Map<string, { key: string; dir: Promise<LdifDirectory> }>();

/**
 * The directory for an export, indexed once per process and re-indexed when the file changes
 * (a bot serves many requests from one export; each must not read the whole file again).
 */
export async function openLdifDirectory(file: string, options: { threads?: number } = {}): Promise<LdifDirectory> {
  const abs = path.resolve(file);
  const st = await stat(abs).catch((e: NodeJS.ErrnoException) => {
    throw new DirectoryProtocolError(`the export ${file} cannot be read (${e.code ?? 'error'})`, { server: `file:${file}` });
  });
  const key = `${st.size}:${st.mtimeMs}`;
  const cur = opened.get(abs);
  if (cur && cur.key === key) return cur.dir;
  const dir = LdifDirectory.open(abs, options);
  opened.set(abs, { key, dir });
  dir.catch(() => opened.delete(abs));
  return dir;
}
