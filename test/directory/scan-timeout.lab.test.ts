/**
 * A DC that is slow to start a large scan (Samba and AD build the whole result set before the first
 * page): the first page of a paged scan gets LDAP_SCAN_TIMEOUT_MS, every other request
 * LDAP_TIMEOUT_MS, and a request that runs out of time leaves a connection that binds again.
 *
 * The real lab DC sits behind a TCP relay on the lab's address that can hold the DC's bytes back
 * for a while (TLS stays end to end), as a DC busy building a big result would.
 */
import net from 'node:net';
import { PassThrough } from 'node:stream';
import { Client, TimeLimitExceededError } from 'ldapts';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig, type LdapConfig } from '../../src/config.js';
import { mapLdapError } from '../../src/directory/ldap-client.js';
import { openDirectory, type LdapDirectory } from '../../src/directory/ldap-directory.js';
import { DirectoryTimeoutError } from '../../src/errors.js';
import { createLogger, silentLogger } from '../../src/log.js';
import { labEnv, type Lab } from '../helpers/lab-env.js';

/** Relays to the DC; `hold(ms)` delays everything the DC sends during the next `ms`. */
class StallingRelay {
  private heldUntil = 0;
  private readonly sockets = new Set<net.Socket>();
  private constructor(private readonly server: net.Server) {}

  static async start(host: string, port: number): Promise<StallingRelay & { port: number }> {
    const holder: { relay?: StallingRelay } = {};
    const server = net.createServer((client) => {
      const relay = holder.relay!;
      const dc = net.connect(port, host);
      relay.sockets.add(client).add(dc);
      client.pipe(dc);
      let queue: Promise<void> = Promise.resolve();
      dc.on('data', (chunk: Buffer) => {
        const wait = relay.heldUntil - Date.now();
        queue = queue.then(() => (wait > 0 ? new Promise<void>((r) => setTimeout(r, wait)) : undefined)).then(() => void (client.destroyed || client.write(chunk)));
      });
      dc.on('end', () => void queue.then(() => client.end()));
      const close = () => (client.destroy(), dc.destroy());
      client.on('error', close).on('close', close);
      dc.on('error', close);
    });
    const relay = new StallingRelay(server);
    holder.relay = relay;
    await new Promise<void>((r) => server.listen(0, host, r));
    return Object.assign(relay, { port: (server.address() as net.AddressInfo).port });
  }

  hold(ms: number): void {
    this.heldUntil = Date.now() + ms;
  }

  release(): void {
    this.heldUntil = 0;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise((r) => this.server.close(r));
  }
}

let lab: Lab;
let relay: StallingRelay & { port: number };
let base: LdapConfig;

beforeAll(async () => {
  lab = await labEnv();
  base = loadConfig(lab.env()).ldap!;
  relay = await StallingRelay.start(lab.ip, 636);
});
afterEach(() => relay?.release());
afterAll(async () => {
  await relay?.stop();
});

/** A directory through the relay, with the rootDSE facts already read (so only the scan is held). */
async function viaRelay(extra: Partial<LdapConfig>): Promise<LdapDirectory> {
  const dir = await openDirectory({ ...base, urls: [`ldaps://${lab.ip}:${relay.port}`], gcUrl: undefined, ...extra }, silentLogger);
  await dir.info();
  return dir;
}

async function scanDns(dir: LdapDirectory): Promise<string[]> {
  const dns: string[] = [];
  for await (const page of dir.scanSpnPages()) dns.push(...page.map((a) => a.dn.toLowerCase()));
  return dns.sort();
}

describe('the first page of a scan', () => {
  it('may take longer than LDAP_TIMEOUT_MS, up to LDAP_SCAN_TIMEOUT_MS; later pages then come at the usual pace', async () => {
    const direct = await openDirectory({ ...base, gcUrl: undefined }, silentLogger);
    const expected = await scanDns(direct);
    await direct.close();
    expect(expected.length).toBeGreaterThan(5);

    // Pages of 2 accounts: the held first page, then several pages that must each arrive within 1 s.
    const dir = await viaRelay({ timeoutMs: 1000, scanTimeoutMs: 8000, pageSize: 2 });
    try {
      const t = Date.now();
      relay.hold(2500);
      expect(await scanDns(dir)).toEqual(expected);
      expect(Date.now() - t).toBeGreaterThanOrEqual(2400);
    } finally {
      await dir.close();
    }
  });

  it('fails with a timeout that names LDAP_SCAN_TIMEOUT_MS when even that is exceeded', async () => {
    const dir = await viaRelay({ timeoutMs: 1000, scanTimeoutMs: 1500 });
    try {
      const t = Date.now();
      relay.hold(4000);
      const err = await scanDns(dir).catch((e) => e);
      expect(err).toBeInstanceOf(DirectoryTimeoutError);
      expect(err.message).toMatch(/no first page of the scan within 1500 ms .*LDAP_SCAN_TIMEOUT_MS/);
      expect(Date.now() - t).toBeLessThan(3500);
    } finally {
      await dir.close();
    }
  });
});

describe('a lookup', () => {
  it('still times out after LDAP_TIMEOUT_MS, and the next request binds again as the reader', async () => {
    const dir = await viaRelay({ timeoutMs: 1000, scanTimeoutMs: 60_000 });
    try {
      await dir.findAccount('crmweb'); // connected and bound
      const t = Date.now();
      relay.hold(3000);
      const err = await dir.findAccount('crmweb').catch((e) => e);
      expect(err).toBeInstanceOf(DirectoryTimeoutError);
      expect(err.message).toMatch(/no answer in time \(operation timeout: a sub search of "DC=contoso,DC=test" took longer than LDAP_TIMEOUT_MS=1000\)/);
      expect(Date.now() - t).toBeLessThan(2500);
      await new Promise((r) => setTimeout(r, 3000 - (Date.now() - t)));
      // Anonymous binds cannot read accounts on a DC: an answer proves the new connection bound as krbops-reader.
      const again = await dir.findAccount('crmweb');
      expect(again.sAMAccountName).toBe('crmweb');
      expect(again.servicePrincipalName.length).toBeGreaterThan(0);
    } finally {
      await dir.close();
    }
  });
});

describe('the time limit asked of the DC (SearchRequest timeLimit)', () => {
  it("is krbops's own budget: LDAP_TIMEOUT_MS for a lookup, LDAP_SCAN_TIMEOUT_MS for a paged scan (not ldapts's 10 s)", async () => {
    // Samba and AD enforce the client's limit: with ldapts's default a 200 000-account scan, whose first
    // page the DC builds for ~48 s, ended in timeLimitExceeded after 10 s whatever LDAP_SCAN_TIMEOUT_MS said.
    // Spies call through to ldapts and keep the options each search was given.
    const search = vi.spyOn(Client.prototype, 'search');
    const paged = vi.spyOn(Client.prototype, 'searchPaginated');
    const dir = await openDirectory({ ...base, gcUrl: undefined, timeoutMs: 7000, scanTimeoutMs: 42_500 }, silentLogger);
    try {
      expect((await dir.findAccount('crmweb')).sAMAccountName).toBe('crmweb');
      expect((await scanDns(dir)).length).toBeGreaterThan(5);
    } finally {
      await dir.close();
    }
    // Read before mockRestore(), which forgets the calls.
    const lookups = search.mock.calls.map(([, options]) => options?.timeLimit);
    const scans = paged.mock.calls.map(([, options]) => options?.timeLimit);
    search.mockRestore();
    paged.mockRestore();
    expect(lookups.length).toBeGreaterThan(2);
    // The budget in whole seconds plus one: the DC counts from a whole second, and must not stop first.
    expect(new Set(lookups)).toEqual(new Set([8]));
    expect(scans).toEqual([44]);
  });

  it("reports the DC's own time limit as such, not as krbops's clock", () => {
    const e = mapLdapError(new TimeLimitExceededError('Time limit exceeded'), 'ldaps://dc1.contoso.test:636');
    expect(e).toBeInstanceOf(DirectoryTimeoutError);
    expect(e.message).toBe("dc1.contoso.test:636 ended the search at its own time limit (timeLimitExceeded: the query policy's MaxQueryDuration)");
  });
});

describe('LOG_LEVEL=debug', () => {
  it('logs every request with its base, scope, filter (user text escaped), entries and milliseconds', async () => {
    const out = new PassThrough();
    const lines: Record<string, unknown>[] = [];
    out.on('data', (b: Buffer) => lines.push(...b.toString().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>)));
    const dir = await openDirectory({ ...base, gcUrl: undefined }, createLogger('debug', out));
    try {
      await dir.findAccount('crmweb');
      expect(await dir.tryFindAccount('x*)(cn=*')).toBeUndefined();
    } finally {
      await dir.close();
    }
    await new Promise((r) => setImmediate(r));
    const searches = lines.filter((l) => l.msg === 'ldap search');
    expect(searches.find((l) => l.base === '' && l.scope === 'base')).toMatchObject({ entries: 1, ms: expect.any(Number) });
    const byName = searches.filter((l) => l.base === lab.baseDn && String(l.filter).includes('sAMAccountName=crmweb'));
    expect(byName[0]).toMatchObject({ scope: 'sub', entries: 1, server: expect.stringContaining(lab.ip) });
    // The hostile name is a value inside the filter, escaped, as the DC received it.
    expect(searches.some((l) => String(l.filter).includes('(sAMAccountName=x\\2a\\29\\28cn=\\2a)'))).toBe(true);
  });
});
