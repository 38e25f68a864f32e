/**
 * DirectoryReader over an LDIF export (`LDAP_URL=file:<path>`, `--ldif <path>`): the same questions
 * the LDAP directory answers, asked of an `ldifde` or `ldapsearch -LLL` export instead of a DC.
 *
 * One streamed pass builds an index of what the commands look up (names, DNs, host names, SPNs →
 * the byte range of the entry); the entries themselves stay in the file and are read back one at a
 * time. Scans stream the file again. Memory grows with the index, never with the attributes
 * (memberOf lists, descriptors), so a 200 000-object export is read in bounded memory.
 *
 * An export has no clock and no KDC: currentTime() says so, and the rules that need it answer
 * "unknown". Every answer names the export and its date through `info().server`.
 */
import type { AccountFacts, AccountRef, DirectoryInfo, DomainKeyFacts, EncryptionScanAccount, SpnHolder } from '../model/index.js';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { AccountNotFoundError, DirectoryProtocolError } from '../errors.js';
import { aliasHostSpn, normaliseSpn } from '../spn/parse.js';
import { addHit, dnKey, hitsOf, Slots, type Hits } from './ldif-index.js';
import { forEachLdifRecord, readLdif, readRecordAt, type LdifRecord } from './ldif-parse.js';
import { accountKind, holderOrder, pickExact } from './ldap-entry.js';
import type { DirectoryReader } from './types.js';
import { decodeEncryptionTypes, decodeUac, fileTimeToIso, generalizedTimeToIso } from './uac.js';


/** What the index pass and the scans read of each entry; the rest is read back per account when asked. */
const INDEX_ATTRS = new Set(['spnmappings', 'netbiosname', 'ncname', 'objectsid', 'objectclass', 'whenchanged', 'whencreated', 'usnchanged', 'serviceprincipalname', 'samaccountname', 'userprincipalname', 'dnshostname', 'useraccountcontrol']);
const SPN_ONLY = new Set(['serviceprincipalname']);
const ETYPE_ATTRS = new Set(['objectclass', 'serviceprincipalname', 'samaccountname', 'msds-supportedencryptiontypes', 'pwdlastset', 'whencreated', 'useraccountcontrol']);
const SCAN_ATTRS = new Set(['objectclass', 'whenchanged', 'usnchanged', 'serviceprincipalname', 'samaccountname', 'useraccountcontrol']);

/** Attribute names as written here → the reader's lower-case keys (looked up, not lower-cased per call: the index pass asks 200 000 × 10 times). */
const KEYS = new Map<string, string>();
const keyOf = (attr: string) => KEYS.get(attr) ?? (KEYS.set(attr, attr.toLowerCase()), attr.toLowerCase());
const vals = (r: LdifRecord, attr: string) => r.attrs.get(keyOf(attr)) ?? [];
const one = (r: LdifRecord, attr: string) => vals(r, attr)[0];

/** Whether an objectClass value is `name` (lower case), without lower-casing the other classes. */
const isClass = (c: string, name: string) => c.length === name.length && c.toLowerCase() === name;

function isAccount(r: LdifRecord): boolean {
  const oc = vals(r, 'objectClass');
  return oc.length ? oc.some((c) => isClass(c, 'user') || isClass(c, 'computer')) : one(r, 'sAMAccountName') !== undefined;
}
const isComputer = (r: LdifRecord) => vals(r, 'objectClass').some((c) => isClass(c, 'computer'));

/** The trailing DC= components of a DN (its domain naming context). */
function domainOf(dn: string): string | undefined {
  const m = /((?:^|,)\s*DC=[^,]+)+$/i.exec(dn);
  return m ? m[0].replace(/^,\s*/, '') : undefined;
}

function ref(r: LdifRecord): AccountRef {
  const uac = Number(one(r, 'userAccountControl') ?? 0);
  return { dn: r.dn, sAMAccountName: one(r, 'sAMAccountName') ?? r.dn, whenChanged: generalizedTimeToIso(one(r, 'whenChanged')), disabled: (uac & 0x2) !== 0 };
}

const utc = (iso: string) => iso.replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, ' UTC');

export class LdifDirectory implements DirectoryReader {
  private readonly slots = new Slots();
  private readonly bySam = new Map<string, Hits>();
  private readonly byUpn = new Map<string, Hits>();
  private readonly byHost = new Map<string, Hits>();
  /** dnKey(DN) → entries (a hash: confirmed against the DN read back). */
  private readonly byDn = new Map<number, Hits>();
  private readonly bySpn = new Map<string, Hits>();
  private readonly computers = new Set<number>();
  private mappings = new Map<string, string>();
  private infoData!: DirectoryInfo;
  private protectedUsersDn?: string;
  /** whenCreated of objects the encryption-type report asks about: by DN (the domain head), and the RID 521 group. */
  private readonly created = new Map<string, string>();
  private rodcGroup?: { dn: string; whenCreated?: string };
  /** Objects and accounts read, for `krbops config` and the start banner. */
  readonly counts = { objects: 0, accounts: 0 };

  private constructor(
    readonly file: string,
    private readonly label: string,
  ) {}

  /** Reads the export once and builds the index. Throws LdifError naming the line of a bad record. */
  static async open(file: string): Promise<LdifDirectory> {
    const label = path.basename(file);
    const dir = new LdifDirectory(file, label);
    await dir.index();
    return dir;
  }

  private async index(): Promise<void> {
    const st = await stat(this.file).catch((e: NodeJS.ErrnoException) => {
      throw new DirectoryProtocolError(`the export ${this.file} cannot be read (${e.code ?? 'error'})`, { server: `file:${this.file}` });
    });
    const domains = new Map<string, number>();
    let configNc: string | undefined;
    const netbios = new Map<string, string>();
    let newest = '';
    let highestUsn = '0';
    await forEachLdifRecord(this.file, this.label, INDEX_ATTRS, (r) => {
      this.counts.objects++;
      const mapping = vals(r, 'sPNMappings');
      if (mapping.length) {
        configNc = r.dn.replace(/^CN=Directory Service,CN=Windows NT,CN=Services,/i, '');
        for (const line of mapping) {
          const [target, aliases] = line.split('=', 2);
          if (!target || !aliases) continue;
          for (const a of aliases.split(',')) if (a.trim()) this.mappings.set(a.trim().toLowerCase(), target.trim().toLowerCase());
        }
      }
      const nb = one(r, 'nETBIOSName');
      const nc = one(r, 'nCName');
      if (nb && nc) netbios.set(nc.toLowerCase(), nb);
      const sid = r.binary.get('objectsid')?.[0];
      const rid = sid && sid.length >= 12 && vals(r, 'objectClass').some((c) => isClass(c, 'group')) ? sid.readUInt32LE(sid.length - 4) : undefined;
      if (rid === 525) this.protectedUsersDn = r.dn;
      if (rid === 521) this.rodcGroup = { dn: r.dn, whenCreated: generalizedTimeToIso(one(r, 'whenCreated')) };
      if (/^DC=/i.test(r.dn) && one(r, 'whenCreated')) this.created.set(r.dn.toLowerCase(), one(r, 'whenCreated')!);
      const changed = one(r, 'whenChanged');
      if (changed && changed > newest) newest = changed;
      const usn = one(r, 'uSNChanged');
      // Digits compared as text (longer is larger): no BigInt per entry.
      if (usn && /^[1-9]\d*$/.test(usn) && (usn.length > highestUsn.length || (usn.length === highestUsn.length && usn > highestUsn))) highestUsn = usn;
      const spns = vals(r, 'servicePrincipalName');
      const account = isAccount(r);
      if (!account && !spns.length) return;
      const idx = this.slots.push(r.start, r.end, r.line);
      addHit(this.byDn, dnKey(r.dn), idx);
      for (const s of spns) addHit(this.bySpn, normaliseSpn(s), idx);
      if (!account) return;
      this.counts.accounts++;
      const d = domainOf(r.dn);
      if (d) domains.set(d, (domains.get(d) ?? 0) + 1);
      const sam = one(r, 'sAMAccountName');
      if (sam) addHit(this.bySam, sam.toLowerCase(), idx);
      const upn = one(r, 'userPrincipalName');
      if (upn) addHit(this.byUpn, upn.toLowerCase(), idx);
      const host = one(r, 'dNSHostName');
      if (host) addHit(this.byHost, host.toLowerCase(), idx);
      if (isComputer(r)) this.computers.add(idx);
    });
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
  private async byDnRead(dn: string): Promise<LdifRecord | undefined> {
    const lower = dn.toLowerCase();
    for (const idx of hitsOf(this.byDn.get(dnKey(dn)))) {
      const r = await this.read(idx);
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
    const hits: number[] = [];
    if (lower.includes('@')) hits.push(...hitsOf(this.byUpn.get(lower)), ...hitsOf(this.bySam.get(lower.slice(0, lower.indexOf('@')))));
    else if (lower.includes('.')) hits.push(...hitsOf(this.byHost.get(lower)), ...hitsOf(this.bySam.get(lower)), ...hitsOf(this.bySam.get(`${lower.split('.')[0]}$`)));
    else hits.push(...hitsOf(this.bySam.get(lower)), ...(lower.endsWith('$') ? [] : hitsOf(this.bySam.get(`${lower}$`))));
    if (!hits.length) return undefined;
    const entries = (await this.readAll(hits)).map((h) => h.r);
    return this.toFacts(pickExact(entries, lower, one)!);
  }

  /** Close matches, like AD's ambiguous name resolution on sAMAccountName (a prefix match). */
  private async suggest(query: string): Promise<string[]> {
    const q = query.trim().replace(/^[^\\]*\\/, '').replace(/\$$/, '').toLowerCase();
    if (q.length < 2 || q.length > 64) return [];
    const hits: number[] = [];
    for (const [sam, h] of this.bySam) {
      if (!sam.startsWith(q)) continue;
      hits.push(...hitsOf(h));
      if (hits.length >= 5) break;
    }
    // The names as stored (NDCRMSRV1$, not the index's lower case), in a stable order.
    const names = (await this.readAll(hits.slice(0, 5))).map(({ r }) => one(r, 'sAMAccountName') ?? '').filter(Boolean);
    return names.sort((a, b) => a.localeCompare(b));
  }

  async findComputerByHost(host: string): Promise<AccountFacts | undefined> {
    const h = host.trim().replace(/\.$/, '').toLowerCase();
    if (!h || h.length > 255) return undefined;
    const hits = [...hitsOf(this.byHost.get(h)), ...hitsOf(this.bySam.get(`${h.split('.')[0]}$`))].filter((i) => this.computers.has(i));
    if (!hits.length) return undefined;
    const entries = (await this.readAll(hits)).map((x) => x.r);
    const chosen = entries.find((e) => one(e, 'dNSHostName')?.toLowerCase() === h) ?? entries[0];
    return chosen && this.toFacts(chosen);
  }

  async spnHolders(spn: string, options: { includeAliases?: boolean } = {}): Promise<SpnHolder[]> {
    const wanted = spn.trim();
    const alias = options.includeAliases ? aliasHostSpn(wanted, this.mappings) : undefined;
    const hits = [...hitsOf(this.bySpn.get(normaliseSpn(wanted))), ...(alias ? hitsOf(this.bySpn.get(normaliseSpn(alias))) : [])];
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

  /** Every entry with an SPN as DN and SPNs, 500 at a time (the file streamed again). */
  async *scanSpnPages(): AsyncIterable<{ dn: string; servicePrincipalName: string[] }[]> {
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
    const out: (AccountRef & { servicePrincipalName: string[] })[] = [];
    for (const dn of dns) {
      const r = await this.byDnRead(dn);
      if (!r) continue;
      out.push({ ...ref(r), servicePrincipalName: vals(r, 'servicePrincipalName') });
    }
    return out;
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
export async function openLdifDirectory(file: string): Promise<LdifDirectory> {
  const abs = path.resolve(file);
  const st = await stat(abs).catch((e: NodeJS.ErrnoException) => {
    throw new DirectoryProtocolError(`the export ${file} cannot be read (${e.code ?? 'error'})`, { server: `file:${file}` });
  });
  const key = `${st.size}:${st.mtimeMs}`;
  const cur = opened.get(abs);
  if (cur && cur.key === key) return cur.dir;
  const dir = LdifDirectory.open(abs);
  opened.set(abs, { key, dir });
  dir.catch(() => opened.delete(abs));
  return dir;
}
