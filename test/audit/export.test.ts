/** `krbops audit export` through the real CLI (main) over a real SQLite store. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCommandAudit } from '../../src/audit/recorder.js';
import { parseSince } from '../../src/audit/export.js';
import { main } from '../../src/cli.js';
import { openStore } from '../../src/store/index.js';

const saved = { ...process.env };
const db = path.join(mkdtempSync(path.join(tmpdir(), 'krbops-audit-')), 'krbops.db');

async function cli(argv: string[]) {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

beforeAll(async () => {
  process.env.KRBOPS_DB = db;
  const store = await openStore(db);
  const audit = createCommandAudit({ store });
  const old = new Date(Date.now() - 3 * 86_400_000).toISOString();
  await audit.record({ at: old, surface: 'slack', actor: { id: 'U0OLD' }, command: 'spn list', text: '/spn list crmweb', outcome: 'ok', durationMs: 12 });
  await audit.record({ at: new Date(Date.now() - 3_600_000).toISOString(), surface: 'slack', actor: { id: 'U0ALICE', name: 'alice' }, channelId: 'C0INCIDENT', command: 'krb why-401', text: '/krb why-401 https://alice:Secr3t@crm.contoso.test', outcome: 'ok', durationMs: 850 });
  await audit.record({ at: new Date(Date.now() - 60_000).toISOString(), surface: 'teams', actor: { id: 'aad-bob' }, channelId: '19:x@thread.tacv2', command: 'spn dupes', text: 'spn dupes', outcome: 'refused', code: 'place', durationMs: 0 });
  await store.close();
});

afterAll(() => {
  process.env = saved;
});

describe('krbops audit export', () => {
  it('prints every entry since the time as JSON lines, secrets stripped', async () => {
    const r = await cli(['audit', 'export', '--since', '24h', '--json']);
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.actor.id, l.command, l.outcome])).toEqual([
      ['U0ALICE', 'krb why-401', 'ok'],
      ['aad-bob', 'spn dupes', 'refused'],
    ]);
    expect(lines[0]).toMatchObject({ surface: 'slack', channelId: 'C0INCIDENT', text: '/krb why-401 https://[redacted]@crm.contoso.test', durationMs: 850 });
    expect(r.out).not.toContain('Secr3t');
  });

  it('takes an ISO date', async () => {
    const r = await cli(['audit', 'export', '--since', '2000-01-01']);
    expect(r.code).toBe(0);
    expect(r.out.trim().split('\n')).toHaveLength(3);
  });

  it('answers a missing or bad --since with usage and exit 2', async () => {
    const r = await cli(['audit', 'export']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--since is required');
    expect(r.err).toContain('krbops audit export --since <time>');
    const bad = await cli(['audit', 'export', '--since', 'yesterday']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/"yesterday" is not a time/);
  });

  it('reads ages and dates', () => {
    const now = new Date('2026-12-01T12:00:00Z');
    expect(parseSince('90m', now).toISOString()).toBe('2026-12-01T10:30:00.000Z');
    expect(parseSince('7d', now).toISOString()).toBe('2026-11-24T12:00:00.000Z');
    expect(parseSince('2026-12-01T08:00:00Z', now).toISOString()).toBe('2026-12-01T08:00:00.000Z');
  });
});
