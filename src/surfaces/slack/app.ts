/**
 * The Slack surface: one Bolt app whose listeners run every command of the registry.
 *
 *  - HTTP mode (SLACK_SIGNING_SECRET + SLACK_BOT_TOKEN): `createSlackHttpSurface` mounts Bolt's
 *    ExpressReceiver router on the shared server at POST /slack/events; `startSlackApp` listens on
 *    its own port (tests, single-surface deployments).
 *  - Socket Mode (SLACK_APP_TOKEN + SLACK_BOT_TOKEN): no inbound HTTP at all.
 *
 * Every slash command is acknowledged at once (Slack waits 3 s), then run; the card goes back
 * through `respond` (the payload's response_url). A command still running after `workingAfterMs`
 * first shows "Working on it…", which the answer then replaces.
 */
import { randomUUID } from 'node:crypto';
import { App, ExpressReceiver, type Receiver, type RespondFn, type webApi } from '@slack/bolt';
import { Router, type Application } from 'express';
import type { Logger } from 'pino';
import {
  APPROVAL_ACTION_RE, approvalCard, approvalDecisionNotice, approvalRequestedCard, changeRequestedCard, changeRequestInvalidCard,
  changeRequestUnavailableCard, decodeChangeRef, errorCard, helpCard, renderResult, REQUEST_CHANGE_ACTION, workingCard, type SlackReply,
} from '../../../cards/slack/index.js';
import { commands as registry } from '../../../commands/index.js';
import type { AnyCommand, CommandObservation } from '../../../commands/types.js';
import type { Actor, SpnChange } from '../../model/index.js';
import type { ChangeRequestInput, ChangeRequestView } from '../../approvals/types.js';
import { ApprovalStateError } from '../../approvals/errors.js';
import type { ApprovalActions } from '../../approvals/ports.js';
import type { Config } from '../../config.js';
import { createContext, type CoreOptions } from '../../core.js';
import { ConfigError, KrbopsError } from '../../errors.js';
import { silentLogger } from '../../log.js';
import { deliverReply, respondWithRetry } from './deliver.js';
import { errorResultOf, planChatCommand, SLASH_COMMANDS, type Visibility } from './dispatch.js';
import { boltLogger } from './logger.js';
import { replayGuard } from './replay-guard.js';

/** The path Slack posts slash commands and interactions to (Bolt's default). */
export const SLACK_EVENTS_PATH = '/slack/events';

/**
 * Web API retries. A `rate_limited` (429) answer waits for its Retry-After and then counts as one
 * retry; network errors and 5xx back off from `minTimeout`. Default: 4 retries, 0.5 s → 8 s.
 */
export const DEFAULT_RETRY_CONFIG: webApi.RetryOptions = { retries: 4, factor: 2, minTimeout: 500, maxTimeout: 8000, randomize: true };


/**
 * What the approvals flow offers the "Request this change" button (src/approvals wires it; the
 * Teams surface takes the same object). Without one, the button says that nothing was recorded.
 */
export interface ChangeRequestPort {
  requestChange(input: ChangeRequestInput): Promise<ChangeRequestView>;
}


export type { CommandObservation, ChangeRequestInput, ChangeRequestView };


export interface SlackDeps {
  /** Default: silent. */
  log?: Logger;
  /** The registry to serve. Default: commands/index.ts. */
  commands?: AnyCommand[];
  /** Passed to createContext (a different directory opener, clock). Default: the LDAP directory of `config`. */
  core?: CoreOptions;
  /**
   * The approvals flow; without it the button says plainly that nothing was recorded. With the
   * approval actions too (src/approvals createChatApprovals), each request is posted as an approval
   * card to KRBOPS_ALERT_SLACK_CHANNEL (else the requester's channel) with Approve / Reject, then
   * "Verify in AD".
   */
  approvals?: ChangeRequestPort & Partial<ApprovalActions>;
  /** Post "Working on it…" when a command runs longer than this. Default 1500 ms. */
  workingAfterMs?: number;
  /** Web API retry policy. Default DEFAULT_RETRY_CONFIG. */
  retryConfig?: webApi.RetryOptions;
  /** Web API request timeout, default 10 000 ms. */
  apiTimeoutMs?: number;
  /** Called after each command. */
  observe?(o: CommandObservation): void;
}

export interface SlackBot {
  app: App;
  client: webApi.WebClient;
  /** Commands still running. */
  inFlight(): number;
  /** Waits for running commands to finish (graceful shutdown), at most `timeoutMs` (default 30 s). */
  drain(timeoutMs?: number): Promise<void>;
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

/** Registers the slash command and button listeners on a Bolt app. */
function registerListeners(app: App, config: Config, deps: SlackDeps, log: Logger, track: <T>(p: Promise<T>) => Promise<T>): void {
  const commands = deps.commands ?? registry;
  const workingAfterMs = deps.workingAfterMs ?? 1500;
  const slashRe = new RegExp(`^/(${SLASH_COMMANDS.join('|')})$`, 'i');

  app.command(slashRe, async ({ command, ack, respond, client }) => {
    await ack();
    const actor: Actor = { surface: 'slack', id: command.user_id, name: command.user_name };
    const clog = log.child({ slash: command.command, user: command.user_id, channel: command.channel_id });
    await track(
      handleSlash({ slash: command.command, text: command.text, channelId: command.channel_id, actor, respond, client, log: clog }).catch((e) =>
        clog.error({ err: e }, 'Slack command failed after acknowledgement'),
      ),
    );
  });

  async function handleSlash(a: { slash: string; text: string; channelId: string; actor: Actor; respond: RespondFn; client: webApi.WebClient; log: Logger }): Promise<void> {
    const started = performance.now();
    const slashName = a.slash.replace(/^\//, '').toLowerCase();
    const plan = planChatCommand(commands, a.slash, a.text);
    const observe = (command: string, result: { kind: string; code?: string }) =>
      deps.observe?.({
        surface: 'slack',
        command,
        outcome: result.kind === 'error' ? 'error' : 'ok',
        ...(result.kind === 'error' ? { code: result.code } : {}),
        durationMs: performance.now() - started,
        actor: a.actor,
      });
    const send = (reply: SlackReply, visibility: Visibility, replaceOriginal = false) =>
      deliverReply(reply, { respond: a.respond, visibility, replaceOriginal, log: a.log, client: a.client, channelId: a.channelId });

    if (plan.type === 'help') {
      await send(helpCard(commands, { group: plan.group }), plan.visibility);
      observe('help', { kind: 'help' });
      return;
    }
    if (plan.type === 'error') {
      a.log.info({ code: plan.error.code }, 'slash command refused');
      await send(errorCard(plan.error, { helpCommand: slashName, commands }), 'ephemeral');
      observe('invalid', plan.error);
      return;
    }

    const name = plan.command.path.join(' ');
    const ctx = createContext(config, a.log, a.actor, deps.core);
    let working: Promise<boolean> | undefined;
    const timer = setTimeout(() => {
      working = respondWithRetry(a.respond, { ...workingCard(plan.line), blocks: workingCard(plan.line).blocks as never, response_type: plan.visibility }, a.log).then(
        () => true,
        (e) => {
          a.log.warn({ err: e }, 'could not post "Working on it…"');
          return false;
        },
      );
    }, workingAfterMs);

    let result: { kind: string; code?: string };
    try {
      result = await plan.command.run(ctx, plan.args);
    } catch (e) {
      const ref = randomUUID().slice(0, 8);
      if (e instanceof KrbopsError) a.log.info({ code: e.code, command: name }, e.message);
      else a.log.error({ err: e, ref, command: name }, 'command failed');
      result = errorResultOf(e, ref);
    } finally {
      clearTimeout(timer);
      await ctx.close().catch((e) => a.log.warn({ err: e }, 'closing the directory failed'));
    }
    const replaced = working ? await working : false;

    let reply: SlackReply;
    try {
      reply = renderResult(result, plan.command, { commands, helpCommand: slashName });
    } catch (e) {
      const ref = randomUUID().slice(0, 8);
      a.log.error({ err: e, ref, command: name, kind: result.kind }, 'rendering the Slack card failed');
      result = errorResultOf(e, ref);
      reply = renderResult(result, plan.command, { commands, helpCommand: slashName });
    }

    if (result.kind === 'error' && plan.visibility === 'in_channel') {
      // A failure is for the person who asked, not the channel.
      if (replaced) await respondWithRetry(a.respond, { delete_original: true }, a.log).catch(() => undefined);
      await send(reply, 'ephemeral');
    } else {
      await send(reply, plan.visibility, replaced);
    }
    a.log.info({ command: name, kind: result.kind, ms: Math.round(performance.now() - started) }, 'slash command answered');
    observe(name, result);
  }

  app.action(new RegExp(`^${REQUEST_CHANGE_ACTION}`), async ({ ack, body, action, respond, client }) => {
    await ack();
    const value = (action as { value?: string }).value;
    const user = (body as { user?: { id: string; name?: string; username?: string } }).user;
    const channelId = (body as { channel?: { id?: string } }).channel?.id;
    const actor: Actor = { surface: 'slack', id: user?.id ?? 'unknown', name: user?.username ?? user?.name };
    const alog = log.child({ action: REQUEST_CHANGE_ACTION, user: actor.id });
    await track(
      (async () => {
        const ref = decodeChangeRef(value);
        let reply: SlackReply;
        if (!ref) reply = changeRequestInvalidCard();
        else if (!deps.approvals) reply = changeRequestUnavailableCard(ref.changes);
        else {
          try {
            const r = await deps.approvals.requestChange({
              changes: ref.changes,
              requester: actor,
              finding: { ruleId: ref.ruleId, title: ref.title, subject: ref.subject },
              ...(ref.url ? { url: ref.url } : {}),
              ...(channelId ? { channelId } : {}),
            });
            alog.info({ id: r.id, changes: ref.changes.length }, 'change requested');
            const flow = approvalFlow(deps.approvals);
            if (flow) {
              // The admins get the approval card; the requester hears that it is pending and who decides.
              const record = await flow.get(r.id);
              const target = config.slack?.alertChannel ?? channelId;
              let postFailed = false;
              if (target) {
                const card = approvalCard(record, { approvers: flow.approvers });
                await client.chat.postMessage({ channel: target, text: card.text, blocks: card.blocks as never, unfurl_links: false }).catch((e: unknown) => {
                  alog.warn({ err: e, channel: target, id: r.id }, 'could not post the approval card');
                  postFailed = true;
                });
              }
              reply = approvalRequestedCard(record, { approvers: flow.approvers, postedTo: target, postFailed });
            } else reply = changeRequestedCard({ ...r, changes: r.changes?.length ? r.changes : ref.changes });
          } catch (e) {
            const eref = randomUUID().slice(0, 8);
            if (!(e instanceof KrbopsError)) alog.error({ err: e, ref: eref }, 'change request failed');
            reply = errorCard(errorResultOf(e, eref));
          }
        }
        await deliverReply(reply, { respond, visibility: 'ephemeral', replaceOriginal: false, log: alog });
      })().catch((e) => alog.error({ err: e }, 'answering the button failed')),
    );
  });

  // Approve / Reject / "Verify in AD" on an approval card: the card is replaced with the new state;
  // a refusal (not an admin, own request) goes to the clicker alone and changes nothing.
  app.action(APPROVAL_ACTION_RE, async ({ ack, body, action, respond, client }) => {
    await ack();
    const name = APPROVAL_ACTION_RE.exec((action as { action_id?: string }).action_id ?? '')![1] as 'approve' | 'reject' | 'verify';
    const id = String((action as { value?: string }).value ?? '').slice(0, 40);
    const user = (body as { user?: { id: string; name?: string; username?: string } }).user;
    const channelId = (body as { channel?: { id?: string } }).channel?.id;
    const actor: Actor = { surface: 'slack', id: user?.id ?? 'unknown', name: user?.username ?? user?.name };
    const alog = log.child({ action: `approval:${name}`, user: actor.id, request: id });
    const refuse = (reply: SlackReply) => deliverReply(reply, { respond, visibility: 'ephemeral', replaceOriginal: false, log: alog });
    const show = (card: SlackReply) => respondWithRetry(respond, { replace_original: true, text: card.text, blocks: card.blocks as never }, alog);
    await track(
      (async () => {
        const flow = approvalFlow(deps.approvals);
        if (!flow) return refuse(errorCard({ kind: 'error', code: 'CONFIG_INVALID', message: 'SPN change approvals are not enabled on this krbops; nothing changed.' }));
        try {
          const record = name === 'verify' ? await flow.verify(id, actor) : await flow.decide(id, actor, name);
          alog.info({ status: record.status }, 'approval action recorded');
          await show(approvalCard(record, { approvers: flow.approvers }));
          if (name !== 'verify') {
            const origin = await flow.origin(record.id).catch(() => ({ channelId: undefined }));
            if (origin.channelId && origin.channelId !== channelId) {
              const notice = approvalDecisionNotice(record);
              await client.chat.postMessage({ channel: origin.channelId, text: notice.text, blocks: notice.blocks as never, unfurl_links: false }).catch((e: unknown) =>
                alog.info({ err: e, channel: origin.channelId }, 'could not tell the requester\'s channel about the decision'),
              );
            }
          }
        } catch (e) {
          const eref = randomUUID().slice(0, 8);
          if (!(e instanceof KrbopsError)) alog.error({ err: e, ref: eref }, 'approval action failed');
          else alog.info({ code: e.code }, e.message);
          await refuse(errorCard(errorResultOf(e, eref)));
          // Someone else decided first: show the card as it is now.
          if (e instanceof ApprovalStateError) await show(approvalCard(await flow.get(e.id), { approvers: flow.approvers })).catch(() => undefined);
        }
      })().catch((e) => alog.error({ err: e }, 'answering the approval button failed')),
    );
  });

  app.error(async (error) => {
    log.error({ err: error }, 'Slack app error');
  });
}

/** The approvals port when it offers the approval actions too (not only requestChange). */
function approvalFlow(p: SlackDeps['approvals']): (ChangeRequestPort & ApprovalActions) | undefined {
  return p && typeof p.get === 'function' && typeof p.decide === 'function' && typeof p.verify === 'function' && typeof p.origin === 'function' && Array.isArray(p.approvers)
    ? (p as ChangeRequestPort & ApprovalActions)
    : undefined;
}

function tracker() {
  const running = new Set<Promise<unknown>>();
  return {
    track<T>(p: Promise<T>): Promise<T> {
      running.add(p);
      void p.finally(() => running.delete(p)).catch(() => undefined);
      return p;
    },
    count: () => running.size,
    async drain(timeoutMs = 30_000) {
      if (!running.size) return;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled([...running]),
        new Promise((r) => {
          timer = setTimeout(r, timeoutMs);
        }),
      ]);
      clearTimeout(timer);
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
  registerListeners(app, config, deps, log, t.track);
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
