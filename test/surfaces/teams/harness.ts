/**
 * The real Teams surface (CloudAdapter, JWT validation, MSAL tokens) on a loopback HTTP server,
 * talking to a FakeBotConnector instead of Microsoft's cloud.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../../src/config.js';
import { silentLogger } from '../../../src/log.js';
import { createTeamsSurface, type NodeHandler, type TeamsSurface, type TeamsSurfaceOptions } from '../../../src/surfaces/teams/index.js';
import { FakeBotConnector } from '../../helpers/fake-bot-connector.js';

export const APP_ID = '3d5f7a1c-0b1e-4c8a-9f00-6b7a2c4d1e90';
export const APP_PASSWORD = 'krbops-test-client-secret~not-real';

export interface Harness {
  fake: FakeBotConnector;
  surface: TeamsSurface;
  /** http://127.0.0.1:<port>/api/messages */
  url: string;
  close(): Promise<void>;
}

/** A server with just the routes the surface mounts (the way `krbops serve` mounts it). */
function routerServer() {
  const routes = new Map<string, NodeHandler>();
  const server = http.createServer((req, res) => {
    const handler = req.method === 'POST' ? routes.get(new URL(req.url ?? '/', 'http://x').pathname) : undefined;
    if (!handler) {
      res.writeHead(404).end();
      return;
    }
    handler(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  return { server, router: { post: (path: string, h: NodeHandler) => routes.set(path, h) } };
}

export async function startHarness(env: Record<string, string>, options: Partial<TeamsSurfaceOptions> = {}, fake?: FakeBotConnector): Promise<Harness> {
  const connector = fake ?? (await FakeBotConnector.start({ appId: APP_ID, appPassword: APP_PASSWORD }));
  const config = loadConfig({ MicrosoftAppId: APP_ID, MicrosoftAppPassword: APP_PASSWORD, MicrosoftAppType: 'MultiTenant', ...env });
  const surface = createTeamsSurface({ config, log: silentLogger, cloud: connector.cloud, ...options });
  const { server, router } = routerServer();
  surface.mount(router);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${surface.path}`;
  return {
    fake: connector,
    surface,
    url,
    async close() {
      await surface.stop();
      await new Promise((r) => server.close(r));
      server.closeAllConnections();
      if (!fake) await connector.close();
    },
  };
}

/** The Adaptive Cards of a recorded activity. */
export function cardsOf(activity: Record<string, unknown>): Record<string, unknown>[] {
  const atts = (activity.attachments ?? []) as { contentType: string; content: Record<string, unknown> }[];
  return atts.filter((a) => a.contentType === 'application/vnd.microsoft.card.adaptive').map((a) => a.content);
}

/** Every text of a card, in order. */
export function cardTexts(card: unknown): string[] {
  const out: string[] = [];
  const visit = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (o.type === 'TextBlock') out.push(String(o.text));
      if (o.type === 'FactSet') for (const f of o.facts as { title: string; value: string }[]) out.push(`${f.title}: ${f.value}`);
      Object.values(o).forEach(visit);
    }
  };
  visit(card);
  return out;
}
