/** The access check and the command audit as hooks of the plan-and-run path, over a real SQLite store. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.js';
import { createCommandAudit } from '../../src/audit/recorder.js';
import { NotAuthorizedError } from '../../src/errors.js';
import { createAccessControl } from '../../src/policy/access.js';
import { loadAccessPolicy } from '../../src/policy/config.js';
import { createCommandGate, placeOf } from '../../src/policy/gate.js';
import { openStore, type Store } from '../../src/store/index.js';

let store: Store;
beforeAll(async () => {
  store = await openStore(join(mkdtempSync(join(tmpdir(), 'krbops-gate-')), 'krbops.db'));
});
afterAll(async () => {
  await store?.close();
});

const alice = { surface: 'slack' as const, id: 'U0ALICE', name: 'alice' };
const spnList = commands.find((c) => c.path.join(' ') === 'spn list')!;

describe('the command gate', () => {
  it('refuses outside the listed channels with a NotAuthorizedError, and audits the refusal with its text stripped of secrets', async () => {
    const gate = createCommandGate({ access: createAccessControl({ policy: loadAccessPolicy({ KRBOPS_ALLOW_CHANNELS: 'C0INCIDENT' }) }), audit: createCommandAudit({ store }) });
    await expect(gate.authorize({ actor: alice, command: spnList, channel: 'C0INCIDENT' })).resolves.toBeUndefined();
    const refused = await gate.authorize({ actor: alice, command: spnList, channel: 'C0RANDOM' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(NotAuthorizedError);
    expect((refused as Error).message).toMatch(/^Sorry, "spn list" is not enabled in this channel/);
    gate.observe({ surface: 'slack', command: 'spn list', outcome: 'error', code: 'NOT_AUTHORIZED', durationMs: 3, actor: alice, channel: 'C0RANDOM', line: '/spn list crmweb --password hunter2' });
    gate.observe({ surface: 'slack', command: 'spn list', outcome: 'ok', durationMs: 120, actor: alice, channel: 'C0INCIDENT', line: '/spn list crmweb' });
    await gate.flush();
    const entries = await store.listCommandAudit();
    expect(entries.map((e) => [e.channelId, e.outcome, e.code, e.text])).toEqual([
      ['C0RANDOM', 'refused', 'NOT_AUTHORIZED', '/spn list crmweb --password [redacted]'],
      ['C0INCIDENT', 'ok', undefined, '/spn list crmweb'],
    ]);
  });

  it('lists for help only what the asker may run', async () => {
    const gate = createCommandGate({ access: createAccessControl({ policy: loadAccessPolicy({ KRBOPS_ALLOW_CHANNELS: 'C0INCIDENT' }) }) });
    const here = (await gate.visible(commands, alice, placeOf(alice, 'C0INCIDENT'))).map((c) => c.path.join(' '));
    const elsewhere = (await gate.visible(commands, alice, placeOf(alice, 'C0RANDOM'))).map((c) => c.path.join(' '));
    expect(here).toEqual(commands.map((c) => c.path.join(' ')));
    expect(elsewhere).toEqual(['krb explain']);
  });

  it('tells direct messages from channels by their IDs', () => {
    expect(placeOf(alice, 'D0123ABC')).toEqual({ surface: 'slack', channelId: 'D0123ABC', direct: true });
    expect(placeOf({ surface: 'teams', id: 'x' }, 'a:1personal')).toEqual({ surface: 'teams', channelId: 'a:1personal', direct: true });
    expect(placeOf({ surface: 'cli', id: 'root' }, undefined)).toBeUndefined();
  });
});
