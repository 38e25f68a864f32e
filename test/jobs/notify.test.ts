import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompositeNotifier, deliverAlert, LogNotifier, type Alert } from '../../src/notify.js';
import { RecordingNotifier } from '../helpers/recording-notifier.js';
import { createLogger } from '../../src/log.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/types.js';
import { Writable } from 'node:stream';

const dir = mkdtempSync(join(tmpdir(), 'krbops-notify-'));
let store: Store;
beforeAll(async () => {
  store = await openStore(join(dir, 'krbops.db'));
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const alert = (key: string): Alert => ({ key, title: `New duplicate SPN: ${key}`, severity: 'critical', text: 'HTTP/crm.contoso.test is held by 2 accounts', job: 'dupes-watch' });

describe('deliverAlert', () => {
  it('posts an alert key once per destination, however often it is delivered', async () => {
    const slack = new RecordingNotifier('slack');
    const teams = new RecordingNotifier('teams');
    expect(await deliverAlert(store, [slack, teams], alert('a1'))).toEqual({ posted: ['slack', 'teams'], already: [], failed: [], waiting: [] });
    expect(await deliverAlert(store, [slack, teams], alert('a1'))).toEqual({ posted: [], already: ['slack', 'teams'], failed: [], waiting: [] });
    expect(slack.alerts.map((a) => a.key)).toEqual(['a1']);
    expect(teams.alerts.map((a) => a.key)).toEqual(['a1']);
  });

  it('retries only the destination that refused, on the next delivery', async () => {
    const slack = new RecordingNotifier('slack');
    const teams = new RecordingNotifier('teams');
    teams.failNext();
    const first = await deliverAlert(store, [slack, teams], alert('a2'));
    expect(first).toEqual({ posted: ['slack'], already: [], failed: [{ target: 'teams', error: 'teams: destination unavailable' }], waiting: [] });
    const second = await deliverAlert(store, [slack, teams], alert('a2'));
    expect(second).toEqual({ posted: ['teams'], already: ['slack'], failed: [], waiting: [] });
    expect(slack.alerts).toHaveLength(1);
    expect(teams.alerts).toHaveLength(1);
  });

  it('treats the destinations of a composite notifier one by one', async () => {
    const slack = new RecordingNotifier('slack');
    const teams = new RecordingNotifier('teams');
    const both = new CompositeNotifier([slack, teams]);
    expect(both.name).toBe('slack+teams');
    expect((await deliverAlert(store, [both], alert('a3'))).posted).toEqual(['slack', 'teams']);
    teams.failNext();
    await expect(both.post(alert('direct'))).rejects.toThrow('1 of 2 destinations refused alert direct');
    expect(slack.alerts.map((a) => a.key)).toEqual(['a3', 'direct']);
  });

  it('writes alerts to the JSON log', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (c, _e, cb) => (lines.push(String(c)), cb()) });
    const log = new LogNotifier(createLogger('info', sink));
    await log.post(alert('a4'));
    const entry = JSON.parse(lines[0]) as { msg: string; alert: { key: string; severity: string } };
    expect(entry.msg).toBe('alert: New duplicate SPN: a4');
    expect(entry.alert).toMatchObject({ key: 'a4', severity: 'critical' });
  });
});
