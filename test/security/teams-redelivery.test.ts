/**
 * Issue 11, break 7 for Teams: the outbox re-delivers an alert left pending by a poster that died,
 * and Teams must not get it twice. Through the real botbuilder CloudAdapter and the local Bot
 * Connector (test/helpers/fake-bot-connector.ts), the real SQLite store and src/notify.ts's outbox:
 *  - a crash between the post and the outbox's commit (the Bot Connector answered, the alert is still
 *    pending): after a restart, re-delivery finds the activity ids recorded per channel and posts nothing;
 *  - a crash halfway through two channels: re-delivery posts only to the channel that did not get it.
 * The "poster" that dies is a delivery whose store never answers again at that step (the process
 * state is abandoned); the restart is a new Teams surface and a new store handle on the same file.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverAlert, redeliverPending, type Alert } from '../../src/notify.js';
import { openStore, type Store } from '../../src/store/index.js';
import { alertPostKey } from '../../src/surfaces/teams/notifier.js';
import { FakeBotConnector } from '../helpers/fake-bot-connector.js';
import { botChannelUpdate, CHANNEL_ID } from '../surfaces/teams/activities.js';
import { APP_ID, APP_PASSWORD, startHarness, type Harness } from '../surfaces/teams/harness.js';

const SECOND = '19:beef0000krbopsoncall@thread.tacv2';
const never = new Promise<never>(() => {});

let fake: FakeBotConnector;
let dir: string;
const opened: Store[] = [];
const harnesses: Harness[] = [];

/** A krbops process: a store handle on the shared file and a Teams surface on the shared Bot Connector. */
async function start(wrap: (s: Store) => Store = (s) => s): Promise<{ store: Store; h: Harness }> {
  const store = await openStore(join(dir, 'krbops.db'));
  opened.push(store);
  const h = await startHarness({ KRBOPS_DB: join(dir, 'krbops.db') }, { store: wrap(store) }, fake);
  harnesses.push(h);
  return { store, h };
}

/** The same store, except that `step` never returns once `when` holds: the poster dies there. */
function diesAt<K extends keyof Store>(store: Store, step: K, when: (...args: Parameters<Extract<Store[K], (...a: never[]) => unknown>>) => boolean): Store {
  return new Proxy(store, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (prop !== step || typeof v !== 'function') return typeof v === 'function' ? v.bind(target) : v;
      return (...args: never[]) => ((when as (...a: never[]) => boolean)(...args) ? never : (v as (...a: never[]) => unknown).apply(target, args));
    },
  }) as Store;
}

const messagesIn = (conversation: string) => fake.messages().filter((m) => m.conversationId.split(';')[0] === conversation);
const anAlert = (key: string): Alert => ({ key, title: `New duplicate SPN: HTTP/${key}.contoso.test`, severity: 'critical', text: `HTTP/${key}.contoso.test is on crmweb and crmweb2.`, job: 'dupes-watch' });
const later = () => new Date(Date.now() + 5 * 60_000);

beforeAll(async () => {
  fake = await FakeBotConnector.start({ appId: APP_ID, appPassword: APP_PASSWORD });
  dir = mkdtempSync(join(tmpdir(), 'krbops-teams-redelivery-'));
  // krbops is added to two channels: the first as Teams announces it, the second saved alike.
  const { store, h } = await start();
  await fake.postActivity(h.url, botChannelUpdate('added', { serviceUrl: fake.serviceUrl, appId: APP_ID }));
  for (let i = 0; i < 100 && !(await store.listConversations()).length; i++) await new Promise((r) => setTimeout(r, 50));
  const [first] = await store.listConversations();
  const reference = first.reference as { conversation: { id: string } };
  await store.saveConversation({ id: SECOND, name: 'Identity Ops / alerts', reference: { ...reference, conversation: { ...reference.conversation, id: SECOND } } });
});
afterAll(async () => {
  for (const h of harnesses) await h.close();
  for (const s of opened) await s.close().catch(() => undefined);
  await fake?.close();
});

describe('Teams alert re-delivery after a crash', () => {
  it('posts nothing again when the poster died between the post and the outbox commit', async () => {
    const { store, h } = await start();
    fake.clear();
    const alert = anAlert('crash-after-post');
    // The poster dies in confirmPosted: both channels have the alert, the outbox still says pending.
    void deliverAlert(diesAt(store, 'confirmPosted', () => true), [h.surface.notifier()], alert);
    await fake.waitForActivities(2, { filter: (a) => a.activity.type === 'message' });
    await expect.poll(() => store.getState<{ activityIds?: string[] }>(alertPostKey(alert.key, SECOND)).then((r) => r?.activityIds?.length ?? 0)).toBe(1);
    expect((await store.pendingAlerts(later())).map((p) => p.key)).toContain(alert.key);

    // Restart: a new process re-delivers what is pending.
    const next = await start();
    const delivered = await redeliverPending(next.store, [next.h.surface.notifier()], { now: later });
    expect(delivered).toBe(1);
    expect(messagesIn(CHANNEL_ID)).toHaveLength(1);
    expect(messagesIn(SECOND)).toHaveLength(1);
    expect((await next.store.pendingAlerts(later())).map((p) => p.key)).not.toContain(alert.key);
    // The ids recorded are the Bot Connector's, and the activity carries the client-generated post id.
    const rec = await next.store.getState<{ postId: string; activityIds: string[] }>(alertPostKey(alert.key, CHANNEL_ID));
    expect(rec?.activityIds).toHaveLength(1);
    expect(messagesIn(CHANNEL_ID)[0].activity.channelData).toMatchObject({ krbopsAlert: { key: alert.key, postId: rec!.postId } });
    // And a later run of the job does not post it either.
    expect((await deliverAlert(next.store, [next.h.surface.notifier()], alert)).already).toEqual(['teams']);
    expect(fake.messages()).toHaveLength(2);
  });

  it('posts only to the channel that did not get it when the poster died halfway through the channels', async () => {
    const alert = anAlert('crash-halfway');
    // The poster dies as it is about to post to the second channel (recording its intent there).
    const { store, h } = await start((s) => diesAt(s, 'setState', (key: string) => key === alertPostKey(alert.key, SECOND)));
    fake.clear();
    void deliverAlert(store, [h.surface.notifier()], alert);
    await fake.waitForActivities(1, { filter: (a) => a.activity.type === 'message' });
    await expect.poll(() => store.getState<{ activityIds?: string[] }>(alertPostKey(alert.key, CHANNEL_ID)).then((r) => r?.activityIds?.length ?? 0)).toBe(1);
    expect(messagesIn(SECOND)).toHaveLength(0);

    const next = await start();
    expect(await redeliverPending(next.store, [next.h.surface.notifier()], { now: later })).toBe(1);
    expect(messagesIn(CHANNEL_ID)).toHaveLength(1);
    expect(messagesIn(SECOND)).toHaveLength(1);
    expect((await next.store.pendingAlerts(later())).map((p) => p.key)).not.toContain(alert.key);
  });
});
