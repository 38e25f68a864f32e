import { describe, expect, it } from 'vitest';
import { clockEvidence, readDcClock, reading } from '../../src/collectors/clock.js';
import { parseKvnoOutput } from '../../src/collectors/kdc.js';
import { withTimeout } from '../../src/collectors/timeout.js';

describe('clock evidence', () => {
  const local = new Date('2025-03-01T10:00:00.000Z');

  it('stamps the DC clock half-way through the read and records offsets', async () => {
    let t = local.getTime();
    const now = () => new Date((t += 100));
    const r = await readDcClock(async () => '2025-03-01T10:07:00.000Z', now, 1000);
    expect(r.reading).toEqual({ time: '2025-03-01T10:07:00.000Z', observedAt: '2025-03-01T10:00:00.150Z', offsetMs: 7 * 60_000 - 150 });
  });

  it('records a DC that does not answer as an error, not a throw', async () => {
    const r = await readDcClock(() => new Promise(() => {}), () => local, 50);
    expect(r.error).toContain('did not answer within 50 ms');
  });

  it('reads the web server Date header against the time the response arrived', () => {
    const ev = clockEvidence(local, { reading: reading('2025-03-01T10:00:01Z', local) }, { ok: true, wwwAuthenticate: [], schemes: [], date: 'Sat, 01 Mar 2025 09:50:00 GMT', observedAt: local.toISOString() });
    expect(ev.server?.offsetMs).toBe(-10 * 60_000);
    expect(ev.dc?.offsetMs).toBe(1000);
    const bad = clockEvidence(local, undefined, { ok: true, wwwAuthenticate: [], schemes: [], date: 'yesterday' });
    expect(bad.errors[0]).toContain('not a date');
  });
});

describe('kvno output', () => {
  it('maps tickets, unknown principals and etype errors back to the SPNs asked (Samba lab wording)', () => {
    const answers = parseKvnoOutput(
      ['HTTP/reports.contoso.test', 'http/crm', 'HTTP/crmgmsa.contoso.test', 'HTTP/x'],
      'HTTP/reports.contoso.test@CONTOSO.TEST: kvno = 3\n',
      'kvno: Server not found in Kerberos database while getting credentials for HTTP/crm@CONTOSO.TEST\nkvno: KDC has no support for encryption type while getting credentials for HTTP/crmgmsa.contoso.test@CONTOSO.TEST\n',
    );
    expect(answers).toEqual([
      { spn: 'HTTP/reports.contoso.test', outcome: 'ticket', kvno: 3 },
      { spn: 'http/crm', outcome: 'not-found', message: 'Server not found in Kerberos database' },
      { spn: 'HTTP/crmgmsa.contoso.test', outcome: 'etype', message: 'KDC has no support for encryption type' },
      { spn: 'HTTP/x', outcome: 'error', message: 'no answer from kvno for this SPN' },
    ]);
  });
});

describe('withTimeout', () => {
  it('rejects with a coded timeout error and passes values through', async () => {
    await expect(withTimeout(Promise.resolve(1), 100, 'x')).resolves.toBe(1);
    await expect(withTimeout(new Promise(() => {}), 20, 'The thing')).rejects.toMatchObject({ code: 'PROBE_TIMEOUT', message: 'The thing did not answer within 20 ms' });
  });
});
