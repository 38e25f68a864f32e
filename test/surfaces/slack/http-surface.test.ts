/** The Slack surface mounted on a shared express app, as `krbops serve` mounts it. */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnyCommand } from '../../../commands/types.js';
import { loadConfig } from '../../../src/config.js';
import { createSlackHttpSurface, SLACK_EVENTS_PATH } from '../../../src/surfaces/slack/index.js';
import { allText, anAccount } from '../../cards/slack/builders.js';
import { postSigned, slashCommandForm, startFakeSlackApi, type FakeSlackApi } from '../../helpers/fake-slack-api.js';

const SECRET = 'shared-server-secret';
const BOT = 'xoxb-shared';
let runs = 0;
const slow: AnyCommand = {
  path: ['krb', 'slow'],
  summary: 'slow',
  positionals: [],
  options: [],
  examples: [],
  defaultVisibility: 'ephemeral',
  async run() {
    runs++;
    await new Promise((r) => setTimeout(r, 700));
    return { kind: 'spn-list', server: 'ldaps://dc1', account: anAccount(), spns: ['HTTP/drained.contoso.test'] };
  },
};

let fake: FakeSlackApi;
const servers: Server[] = [];
async function serve(app: express.Express): Promise<string> {
  const s = await new Promise<Server>((resolve) => {
    const srv = app.listen(0, '127.0.0.1', () => resolve(srv));
  });
  servers.push(s);
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}${SLACK_EVENTS_PATH}`;
}
const config = () => loadConfig({ SLACK_SIGNING_SECRET: SECRET, SLACK_BOT_TOKEN: BOT, SLACK_API_URL: fake.apiUrl });

beforeAll(async () => {
  fake = await startFakeSlackApi({ botTokens: [BOT] });
});
afterAll(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
  await fake?.close();
});

describe('the Slack HTTP surface on a shared server', () => {
  it('answers at POST /slack/events next to other routes and body parsers mounted after it', async () => {
    const app = express();
    const surface = await createSlackHttpSurface(config(), { commands: [slow], workingAfterMs: 5000 });
    surface.mount(app);
    app.use(express.json());
    app.get('/healthz', (_req, res) => void res.json({ ok: true }));
    const url = await serve(app);
    const r = fake.newResponseUrl();
    const res = await postSigned(url, SECRET, slashCommandForm('/krb', 'slow', r.url));
    expect(res.status).toBe(200);
    expect(res.ms).toBeLessThan(3000);
    const [answer] = await fake.waitForResponses(r.id);
    expect(allText(answer.body as never)).toContain('HTTP/drained.contoso.test');
    expect((await fetch(url.replace(SLACK_EVENTS_PATH, '/healthz'))).status).toBe(200);
    await surface.stop();
  });

  it('acknowledges every command at once but keeps only a few at work; a long one holds its place for holdMs only', async () => {
    let atWork = 0;
    let peak = 0;
    const started: Record<string, number> = {};
    const timed = (word: string, ms: number): AnyCommand => ({
      ...slow,
      path: ['krb', word],
      async run() {
        started[word] ??= Date.now();
        if (word === 'short') peak = Math.max(peak, ++atWork);
        await new Promise((r) => setTimeout(r, ms));
        if (word === 'short') atWork--;
        return { kind: 'spn-list', server: 'ldaps://dc1', account: anAccount(), spns: [`HTTP/${word}.contoso.test`] };
      },
    });
    const send = async (url: string, words: string[]) => {
      const ids: string[] = [];
      const acks = await Promise.all(
        words.map(async (word, i) => {
          await new Promise((r) => setTimeout(r, 10 * i));
          const r = fake.newResponseUrl();
          ids.push(r.id);
          return postSigned(url, SECRET, slashCommandForm('/krb', word, r.url));
        }),
      );
      for (const a of acks) expect(a.status).toBe(200);
      expect(Math.max(...acks.map((a) => a.ms))).toBeLessThan(1000);
      for (const id of ids) await fake.waitForResponses(id, 1, 5000);
    };
    const commands = [timed('long', 1500), timed('short', 200)];

    // One place: the short command starts when the long one's holdMs is over, not when it ends.
    const app = express();
    const one = await createSlackHttpSurface(config(), { commands, workingAfterMs: 5000, workQueue: { max: 1, holdMs: 300 } });
    one.mount(app);
    await send(await serve(app), ['long', 'short']);
    expect(started.short! - started.long!).toBeGreaterThanOrEqual(250);
    expect(started.short! - started.long!).toBeLessThan(1000);
    await one.stop();

    // Two places: five overlapping commands, never more than two at work.
    const app2 = express();
    const two = await createSlackHttpSurface(config(), { commands, workingAfterMs: 5000, workQueue: { max: 2, holdMs: 5000 } });
    two.mount(app2);
    await send(await serve(app2), ['short', 'short', 'short', 'short', 'short']);
    expect(peak).toBe(2);
    await two.stop();
  });

  it('finishes running commands before stop() resolves (graceful shutdown)', async () => {
    const app = express();
    const surface = await createSlackHttpSurface(config(), { commands: [slow], workingAfterMs: 5000 });
    surface.mount(app);
    const url = await serve(app);
    const r = fake.newResponseUrl();
    await postSigned(url, SECRET, slashCommandForm('/krb', 'slow', r.url));
    expect(surface.bot.inFlight()).toBe(1);
    await surface.stop();
    expect(fake.responsesFor(r.id)).toHaveLength(1);
    expect(surface.bot.inFlight()).toBe(0);
  });

  it('refuses loudly (500, nothing run) when a body parser consumed the request before it', async () => {
    const app = express();
    app.use(express.urlencoded({ extended: false }));
    const surface = await createSlackHttpSurface(config(), { commands: [slow] });
    surface.mount(app);
    const url = await serve(app);
    const before = runs;
    const r = fake.newResponseUrl();
    const res = await postSigned(url, SECRET, slashCommandForm('/krb', 'slow', r.url));
    expect(res.status).toBe(500);
    await new Promise((x) => setTimeout(x, 300));
    expect(runs).toBe(before);
    await surface.stop();
  });
});
