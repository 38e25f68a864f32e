/**
 * The Slack surface: one Bolt app whose listeners run every command of the registry.
 *
 *  - HTTP mode (SLACK_SIGNING_SECRET + SLACK_BOT_TOKEN): `createSlackHttpSurface` mounts Bolt's
 *    ExpressReceiver router on the shared server at POST /slack/events; `startSlackApp` listens on
 *    its own port (tests, single-surface deployments).
 *  - Socket Mode (SLACK_APP_TOKEN + SLACK_BOT_TOKEN): no inbound HTTP at all.
 *
 * The listeners (slash commands, buttons) live in ./listeners/, registered by folder.
 */
import { App, ExpressReceiver, type Receiver, type webApi } from '@slack/bolt';
import { Router, type Application } from 'express';
import type { Logger } from 'pino';
import type { Config } from '../../config.js';
import { ConfigError } from '../../errors.js';
import { silentLogger } from '../../log.js';
import { registerListeners } from './listeners/index.js';
import { boltLogger } from './logger.js';
import { replayGuard } from './replay-guard.js';
import { retryDedupe } from './retries.js';
import type { SlackDeps } from './types.js';
import { settledWithin } from '../../timeout.js';

/** The path Slack posts slash commands and interactions to (Bolt's default). */
export const SLACK_EVENTS_PATH = '/slack/events';

/**
 * Web API retries. A `rate_limited` (429) answer waits for its Retry-After and then counts as one
 * retry; network errors and 5xx back off from `minTimeout`. Default: 4 retries, 0.5 s → 8 s.
 */
export const DEFAULT_RETRY_CONFIG: webApi.RetryOptions = { retries: 4, factor: 2, minTimeout: 500, maxTimeout: 8000, randomize: true };


export type { ChangeRequestPort, SlackDeps, CommandObservation, ChangeRequestInput, ChangeRequestView } from './types.js';

export interface SlackBot {
  app: App;
  client: webApi.WebClient;
  /** Commands still running. */
  inFlight: () => number;
  /** Waits for running commands to finish (graceful shutdown), at most `timeoutMs` (default 30 s). */
  drain: (timeoutMs?: number) => Promise<void>;
}

type SlackSettings = NonNullable<Config['slack']>;

/** Which Slack mode the configuration selects: Socket Mode when SLACK_APP_TOKEN is set, else HTTP. */
export function slackMode(config: Config): 'socket' | 'http' | undefined {
  if (!config.slack) return undefined;
  return config.slack.appToken ? 'socket' : 'http';
}

function requireSlack(config: Config, mode: 'http' | 'socket'): SlackSettings & { botToken: string } {
  const s = config.slack;
  if (!s?.botToken) throw new ConfigError('SLACK_BOT_TOKEN', 'is required for Slack (the xoxb- token of the app\'s bot user)');
  if (mode === 'http' && !s.signingSecret) throw new ConfigError('SLACK_SIGNING_SECRET', 'is required for Slack over HTTP (Basic Information → Signing Secret); or set SLACK_APP_TOKEN for Socket Mode');
  if (mode === 'socket' && !s.appToken) throw new ConfigError('SLACK_APP_TOKEN', 'is required for Socket Mode (an xapp- token with connections:write)');
  return s as SlackSettings & { botToken: string };
}

/** Web API options shared by the Bolt app and the notifier. */
export function slackClientOptions(config: Config, deps: Pick<SlackDeps, 'retryConfig' | 'apiTimeoutMs'> = {}): webApi.WebClientOptions {
  const url = config.slack?.apiUrl;
  return {
    ...(url ? { slackApiUrl: url.endsWith('/') ? url : `${url}/` } : {}),
    retryConfig: deps.retryConfig ?? DEFAULT_RETRY_CONFIG,
    rejectRateLimitedCalls: false,
    timeout: deps.apiTimeoutMs ?? 10_000,
  };
}

/** Checks the bot token with auth.test (through `app.init`) and turns failures into ConfigErrors. */
async function initApp(app: App, config: Config): Promise<void> {
  try {
    await app.init();
  } catch (e) {
    const err = e as { code?: string; data?: { error?: string }; message?: string };
    if (err.code === 'slack_webapi_platform_error') throw new ConfigError('SLACK_BOT_TOKEN', `Slack refused the token (${err.data?.error ?? 'error'})`);
    throw new ConfigError('SLACK_API_URL', `Slack's Web API${config.slack?.apiUrl ? ` at ${config.slack.apiUrl}` : ''} did not answer auth.test (${err.message ?? 'error'})`);
  }
}

function tracker() {
  const running = new Set<Promise<unknown>>();
  return {
    track: <T>(p: Promise<T>): Promise<T> => {
      running.add(p);
      void p.finally(() => running.delete(p)).catch(() => undefined);
      return p;
    },
    count: () => running.size,
    drain: async (timeoutMs = 30_000): Promise<void> => {
      if (!running.size) return;
      await settledWithin(running, timeoutMs);
    },
  };
}

async function buildBot(config: Config, deps: SlackDeps, options: { receiver?: Receiver; socketMode?: boolean }): Promise<SlackBot> {
  const log = deps.log ?? silentLogger;
  const s = requireSlack(config, options.socketMode ? 'socket' : 'http');
  const t = tracker();
  const app = new App({
    token: s.botToken,
    ...(options.socketMode ? { socketMode: true, appToken: s.appToken } : { receiver: options.receiver }),
    logger: boltLogger(log),
    clientOptions: slackClientOptions(config, deps),
    deferInitialization: true,
  });
  app.use(retryDedupe({ log }));
  registerListeners(app, { config, deps, log, track: t.track });
  await initApp(app, config);
  return { app, client: app.client, inFlight: t.count, drain: t.drain };
}

/** Bolt's ExpressReceiver on a router of our own, behind the replay guard. */
function expressReceiver(config: Config, log: Logger): { receiver: ExpressReceiver; router: Router } {
  const secret = requireSlack(config, 'http').signingSecret!;
  const router = Router();
  router.post(SLACK_EVENTS_PATH, replayGuard({ signingSecret: secret, log }));
  const receiver = new ExpressReceiver({
    signingSecret: secret,
    router,
    endpoints: SLACK_EVENTS_PATH,
    logger: boltLogger(log),
    processBeforeResponse: false,
  });
  return { receiver, router };
}

/** The shape src/server.ts mounts: Slack's POST /slack/events on the shared express app. */
export interface SlackHttpSurface {
  name: 'slack';
  /** Mount before any body parser: Bolt verifies the signature over the raw body. */
  mount(app: Application): void;
  /** Waits for running commands (graceful shutdown). */
  stop(): Promise<void>;
  bot: SlackBot;
}

/** HTTP mode on the shared server. Checks the bot token (auth.test) before returning. */
export async function createSlackHttpSurface(config: Config, deps: SlackDeps = {}): Promise<SlackHttpSurface> {
  const log = deps.log ?? silentLogger;
  const { receiver, router } = expressReceiver(config, log);
  const bot = await buildBot(config, deps, { receiver });
  return {
    name: 'slack',
    mount(app) {
      app.use(router);
    },
    stop: () => bot.drain(),
    bot,
  };
}

export interface StartedSlackApp {
  mode: 'http' | 'socket';
  bot: SlackBot;
  /** HTTP mode: the events URL, e.g. http://127.0.0.1:3978/slack/events. */
  url?: string;
  port?: number;
  /** Stops receiving, then waits for running commands. */
  stop(): Promise<void>;
}

/**
 * Starts the Slack app on its own: Socket Mode when SLACK_APP_TOKEN is set (or `mode: 'socket'`),
 * otherwise HTTP on `listen` (default config.server, i.e. PORT/HOST).
 */
export async function startSlackApp(
  config: Config,
  deps: SlackDeps & { mode?: 'http' | 'socket'; listen?: { port: number; host: string } } = {},
): Promise<StartedSlackApp> {
  const mode = deps.mode ?? slackMode(config) ?? 'http';
  const log = deps.log ?? silentLogger;
  if (mode === 'socket') {
    const bot = await buildBot(config, deps, { socketMode: true });
    await bot.app.start();
    log.info('Slack app connected in Socket Mode');
    return {
      mode,
      bot,
      async stop() {
        await bot.app.stop();
        await bot.drain();
      },
    };
  }
  const { receiver } = expressReceiver(config, log);
  const bot = await buildBot(config, deps, { receiver });
  const listen = deps.listen ?? config.server;
  const server = await receiver.start({ port: listen.port, host: listen.host });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : listen.port;
  const host = listen.host.includes(':') ? `[${listen.host}]` : listen.host;
  const url = `http://${host}:${port}${SLACK_EVENTS_PATH}`;
  log.info({ url }, 'Slack app listening');
  return {
    mode,
    bot,
    url,
    port,
    async stop() {
      await receiver.stop().catch(() => undefined);
      await bot.drain();
    },
  };
}
