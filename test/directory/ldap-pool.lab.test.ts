/**
 * The server's LDAP connection pool against the Samba lab. A TCP relay on the lab DC's own address
 * (its certificate names that address) stands in front of the LDAPS port: it counts the
 * connections the DC is asked to hold and can cut them, like a DC restart or a firewall would.
 */
import net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type LdapConfig } from '../../src/config.js';
import { pooledDirectory } from '../../src/directory/ldap-directory.js';
import { LdapPool, type LdapPoolOptions } from '../../src/directory/ldap-pool.js';
import { ldapGroupMembership } from '../../src/directory/membership.js';
import { createDirectoryOpener } from '../../src/directory/open.js';
import { DirectoryPoolTimeoutError, ErrorCode } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import { addAdPeople } from '../helpers/ad-people.js';
import { labEnv, type Lab } from '../helpers/lab-env.js';

/** The DC's front door: every LDAPS connection krbops opens passes here and is counted. */
class DcDoor {
  private server!: net.Server;
  private readonly sockets = new Set<net.Socket>();
  open = 0;
  maxOpen = 0;
  accepted = 0;
  port = 0;

  constructor(private readonly ip: string) {}

  async start(): Promise<void> {
    this.server = net.createServer((client) => {
      this.accepted++;
      this.open++;
      this.maxOpen = Math.max(this.maxOpen, this.open);
      const dc = net.connect(636, this.ip);
      this.sockets.add(client).add(dc);
      let counted = true;
      const end = () => {
        if (counted) this.open--;
        counted = false;
        client.destroy();
        dc.destroy();
        this.sockets.delete(client);
        this.sockets.delete(dc);
      };
      client.on('error', end).on('close', end);
      dc.on('error', end).on('close', end);
      client.pipe(dc).pipe(client);
    });
    await new Promise<void>((r) => this.server.listen(0, this.ip, () => r()));
    this.port = (this.server.address() as net.AddressInfo).port;
  }

  /** Cuts every connection (both directions), as a restarting DC would. */
  cutAll(): void {
    for (const s of this.sockets) s.destroy();
  }

  reset(): void {
    this.maxOpen = this.open;
    this.accepted = 0;
  }

  async stop(): Promise<void> {
    this.cutAll();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

let lab: Lab;
let door: DcDoor;
let config: LdapConfig;
const pools: LdapPool[] = [];
const poolOf = (o: Partial<LdapPoolOptions> = {}) => {
  const p = LdapPool.forUrls(config, config.urls, { size: 3, idleMs: 60_000, waitMs: 10_000, ...o }, silentLogger);
  pools.push(p);
  return p;
};
const settle = async (until: () => boolean, ms = 5000) => {
  for (const t0 = Date.now(); !until() && Date.now() - t0 < ms; ) await new Promise((r) => setTimeout(r, 20));
};

beforeAll(async () => {
  lab = await labEnv();
  door = new DcDoor(lab.ip);
  await door.start();
  config = loadConfig({ ...lab.env(), LDAP_URL: `ldaps://${lab.ip}:${door.port}`, LDAP_GC_URL: '' }).ldap!;
});
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
  await settle(() => door.open === 0);
  door.reset();
});
afterAll(async () => {
  await door?.stop();
});

describe('the LDAP connection pool', () => {
  it('answers 20 concurrent requests with never more connections at the DC than the pool size', async () => {
    const pool = poolOf({ size: 3 });
    const answers = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const dir = pooledDirectory({ dc: pool }, config, silentLogger);
        try {
          // What a why-401 asks, in parallel as its collectors do; every fifth request also scans pages.
          const [account, holders, info, scanned] = await Promise.all([
            dir.findAccount('crmweb'),
            dir.spnHolders('HTTP/crm.contoso.test', { includeAliases: true }),
            dir.info(),
            i % 5 === 0 ? (async () => { let n = 0; for await (const page of dir.scanSpnPages()) n += page.length; return n; })() : Promise.resolve(-1),
          ]);
          return { sam: account.sAMAccountName, holders: holders.filter((h) => h.via === 'exact').map((h) => h.sAMAccountName).sort(), dn: info.defaultNamingContext, scanned };
        } finally {
          await dir.close();
        }
      }),
    );
    for (const a of answers) expect(a).toMatchObject({ sam: 'crmweb', holders: ['crmweb', 'crmweb2'], dn: lab.baseDn });
    expect(answers.filter((a) => a.scanned > 0)).toHaveLength(4);
    expect(door.maxOpen).toBeGreaterThan(0);
    expect(door.maxOpen).toBeLessThanOrEqual(3);
    expect(pool.stats()).toMatchObject({ inUse: 0, waiting: 0, size: 3 });
    expect(pool.stats().maxOpen).toBeLessThanOrEqual(3);
    // Reused, not reopened: the DC saw no more connections than the pool holds.
    expect(door.accepted).toBe(pool.stats().opened);
    expect(door.accepted).toBeLessThanOrEqual(3);
  });

  it('carries several operations at once on one connection (LDAP message IDs)', async () => {
    const pool = poolOf({ size: 1, maxOperations: 8 });
    const names = ['crmweb', 'alice', 'bob', 'carol', 'crmweb2', 'svc-rc4'];
    const found = await Promise.all(names.map((n) => pooledDirectory({ dc: pool }, config, silentLogger).findAccount(n)));
    expect(found.map((a) => a.sAMAccountName)).toEqual(names);
    expect(door.accepted).toBe(1);
    expect(pool.stats()).toMatchObject({ open: 1, operations: 0, opened: 1 });
  });

  it('closes a connection left unused for the idle time', async () => {
    const pool = poolOf({ size: 2, idleMs: 300 });
    const dir = pooledDirectory({ dc: pool }, config, silentLogger);
    await Promise.all([dir.findAccount('crmweb'), dir.findAccount('alice')]);
    expect(pool.stats().idle).toBeGreaterThan(0);
    await settle(() => pool.stats().open === 0 && door.open === 0);
    expect(pool.stats()).toMatchObject({ open: 0, idle: 0 });
    expect(pool.stats().dropped).toBe(pool.stats().opened);
    expect(door.open).toBe(0);
  });

  it('drops a connection the DC closed and answers on a new one', async () => {
    const pool = poolOf({ size: 1 });
    const dir = pooledDirectory({ dc: pool }, config, silentLogger);
    await dir.findAccount('crmweb');
    expect(door.accepted).toBe(1);
    door.cutAll();
    await settle(() => door.open === 0);
    const again = await pooledDirectory({ dc: pool }, config, silentLogger).findAccount('alice');
    expect(again.sAMAccountName).toBe('alice');
    expect(door.accepted).toBe(2);
    expect(pool.stats()).toMatchObject({ opened: 2, dropped: 1, open: 1 });
  });

  it('fails a request that waits too long for a busy pool with a named error, and serves the next one', async () => {
    const pool = poolOf({ size: 1, waitMs: 200, maxOperations: 1 });
    const release = await pool.hold();
    const err = await pool.searcher().search({ base: lab.baseDn, attributes: ['dn'], sizeLimit: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DirectoryPoolTimeoutError);
    expect(err).toMatchObject({ name: 'DirectoryPoolTimeoutError', code: ErrorCode.DirectoryTimeout });
    expect((err as Error).message).toMatch(/all 1 directory connections stayed busy for 200 ms \(LDAP_POOL_SIZE, LDAP_POOL_WAIT_MS\)/);
    expect(pool.stats()).toMatchObject({ waitTimeouts: 1, waiting: 0, open: 1 });
    release();
    expect((await pooledDirectory({ dc: pool }, config, silentLogger).findAccount('crmweb')).sAMAccountName).toBe('crmweb');
    expect(door.accepted).toBe(1);
  });

  it("is what serve's directory opener gives every request (LDAP_POOL_SIZE), and closes with it", async () => {
    const cfg = loadConfig({ ...lab.env(), LDAP_URL: `ldaps://${lab.ip}:${door.port}`, LDAP_GC_URL: '', LDAP_POOL_SIZE: '2' });
    const opener = createDirectoryOpener(cfg, silentLogger);
    try {
      await Promise.all(
        Array.from({ length: 10 }, async () => {
          const dir = await opener.open(cfg, silentLogger);
          await Promise.all([dir.findAccount('crmweb'), dir.findAccount('alice'), dir.spnMappings()]);
          await dir.close();
        }),
      );
      expect(opener.stats()).toMatchObject({ size: 2, inUse: 0 });
      expect(opener.stats()!.maxOpen).toBeLessThanOrEqual(2);
      expect(door.maxOpen).toBeLessThanOrEqual(2);
    } finally {
      await opener.close();
    }
    await settle(() => door.open === 0);
    expect(door.open).toBe(0);
  });

  it("carries serve's AD group lookups (access policy) on the same pool: never more DC connections than LDAP_POOL_SIZE", async () => {
    const people = await addAdPeople(lab, 'pool');
    const cfg = loadConfig({ ...lab.env(), LDAP_URL: `ldaps://${lab.ip}:${door.port}`, LDAP_GC_URL: '', LDAP_POOL_SIZE: '2' });
    const opener = createDirectoryOpener(cfg, silentLogger);
    // As serve.ts wires it.
    const membership = ldapGroupMembership(cfg.ldap!, silentLogger, () => opener.dcSearcher()!);
    try {
      door.reset();
      const answers = await Promise.all(
        Array.from({ length: 12 }, async (_, i) => {
          if (i % 3) return membership.groupsOf(i % 2 ? people.member.email : people.outsider.email, [people.groupDn, people.innerDn]);
          const dir = await opener.open(cfg, silentLogger);
          await dir.findAccount('crmweb');
          await dir.close();
          return 'dir';
        }),
      );
      expect(answers.filter((a) => Array.isArray(a) && a.length === 2)).toHaveLength(4);
      expect(answers.filter((a) => Array.isArray(a) && a.length === 0)).toHaveLength(4);
      expect(door.maxOpen).toBeGreaterThan(0);
      expect(door.maxOpen).toBeLessThanOrEqual(2);
      // Every connection the DC saw is one of the pool's: the group lookups opened none of their own.
      expect(door.accepted).toBe(opener.stats()!.opened);
      expect(opener.stats()).toMatchObject({ size: 2, inUse: 0 });
    } finally {
      await opener.close();
    }
    await settle(() => door.open === 0);
    expect(door.open).toBe(0);
  });
});
