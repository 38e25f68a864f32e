/**
 * A DC that is slow to start a large scan (Samba and AD build the whole result set before the first
 * page): the first page of a paged scan gets LDAP_SCAN_TIMEOUT_MS, every other request
 * LDAP_TIMEOUT_MS, and a request that runs out of time leaves a connection that binds again.
 *
 * The real lab DC sits behind a TCP relay on the lab's address that can hold the DC's bytes back
 * for a while (TLS stays end to end), as a DC busy building a big result would.
 */
import net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type LdapConfig } from '../../src/config.js';
import { openDirectory, type LdapDirectory } from '../../src/directory/ldap-directory.js';
import { DirectoryTimeoutError } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
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
      expect(err.message).toContain('(operation timeout)');
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
