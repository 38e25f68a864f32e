/**
 * Issue 11, break 7: an alert must survive a crash during its post and be delivered exactly once.
 * A poster process (test/security/fixtures/alert-poster.ts: the store's outbox and the real Slack
 * notifier, against the fake Slack cloud) is killed with SIGKILL at random moments while
 * chat.postMessage is in flight — Slack has the message, the poster never hears back — then
 * restarted, several times. At the end every alert is in the channel exactly once, and none is
 * pending. SQLite here; the outbox's store operations run on PostgreSQL too (test/store contract).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { startFakeSlackApi, type FakeSlackApi } from '../helpers/fake-slack-api.js';

const BOT = 'xoxb-krbops-crash';
const CHANNEL = 'CALERTS';
const ALERTS = 6;
const POSTER = fileURLToPath(new URL('./fixtures/alert-poster.ts', import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let fake: FakeSlackApi;
let dir: string;

beforeAll(async () => {
  fake = await startFakeSlackApi({ botTokens: [BOT] });
  dir = mkdtempSync(join(tmpdir(), 'krbops-crash-'));
});
afterAll(async () => {
  await fake?.close();
  rmSync(dir, { recursive: true, force: true });
});

function poster(): { child: ChildProcess; done: Promise<number | null>; out: () => string } {
  let out = '';
  // node itself (tsx as a loader), so SIGKILL hits the process that posts, not a wrapper.
  const child = spawn(process.execPath, ['--import', 'tsx', POSTER], {
    env: { ...process.env, KRBOPS_DB: join(dir, 'krbops.db'), SLACK_BOT_TOKEN: BOT, SLACK_API_URL: fake.apiUrl, KRBOPS_ALERT_SLACK_CHANNEL: CHANNEL, ALERTS: String(ALERTS), LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d: Buffer) => (out += String(d)));
  child.stderr!.on('data', (d: Buffer) => (out += String(d)));
  const done = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, done, out: () => out };
}

describe('the alert outbox across kill -9 during chat.postMessage', () => {
  it('delivers every alert exactly once', async () => {
    // Slack keeps each message at once and answers 100–400 ms later: the window a crash falls into.
    fake.delayPosts({ min: 100, max: 400 });
    let killedMidPost = 0;
    for (let round = 0; round < 5; round++) {
      const p = poster();
      const before = fake.callsOf('chat.postMessage').length;
      // Wait for a post to start, then kill at a random moment while it is in flight.
      const started = await Promise.race([
        fake.waitFor(() => (fake.callsOf('chat.postMessage').length > before ? true : undefined), 60_000, 'a post').then(() => true, () => false),
        p.done.then(() => false),
      ]);
      if (!started) break; // everything was delivered already
      await sleep(Math.random() * 90);
      p.child.kill('SIGKILL');
      await p.done;
      killedMidPost++;
    }
    expect(killedMidPost).toBeGreaterThanOrEqual(3);
    fake.delayPosts(undefined);
    const last = poster();
    expect(await last.done, last.out()).toBe(0);
    expect(last.out()).toContain('done');

    const keys = (fake.history.get(CHANNEL) ?? []).map((m) => m.metadata?.event_payload?.alert_key as string);
    const counts = Object.fromEntries(Array.from({ length: ALERTS }, (_, i) => [`crash-test:${i}`, keys.filter((k) => k === `crash-test:${i}`).length]));
    expect(counts).toEqual(Object.fromEntries(Array.from({ length: ALERTS }, (_, i) => [`crash-test:${i}`, 1])));
    // Some posts were re-delivered: their first post was found in the channel instead of posted again.
    expect(fake.callsOf('conversations.history').length).toBeGreaterThanOrEqual(1);

    const store = await openStore(join(dir, 'krbops.db'));
    try {
      expect(await store.pendingAlerts(new Date(Date.now() + 60_000))).toEqual([]);
      expect((await store.listPosted()).filter((p) => p.key.startsWith('crash-test:'))).toHaveLength(ALERTS);
    } finally {
      await store.close();
    }
  }, 180_000);
});
