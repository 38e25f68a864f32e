/**
 * The Teams surface: one CloudAdapter on POST /api/messages, one onTurnError, the bot's turn logic,
 * and the notifier for alerts. The only place (with its siblings) that imports botbuilder.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CloudAdapter, type TurnContext } from 'botbuilder';
import { errorCard } from '../../../cards/teams/index.js';
import { createBotAuthentication, type BotFrameworkCloud } from './auth.js';
import { TeamsBot, type TeamsBotOptions } from './bot.js';
import { errorResultOf } from './dispatch.js';
import { BodyError, readJsonBody, toBotRequest, toBotResponse } from './http.js';
import { createTeamsNotifier, type TeamsNotifier } from './notifier.js';
import type { AlertPostStore, ConversationStore } from './ports.js';
import { newLogRef } from '../../log.js';

/** Default route of the Bot Framework messaging endpoint. */
export const TEAMS_MESSAGES_PATH = '/api/messages';

export type NodeHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** Anything that can route a POST to a handler (the krbops HTTP server, express, a test's server). */
export interface PostRouter {
  post(path: string, handler: NodeHandler): unknown;
}

export interface TeamsSurfaceOptions extends TeamsBotOptions {
  /** Replaces the public Bot Framework cloud's endpoints (sovereign clouds, tests). Default: public cloud. */
  cloud?: BotFrameworkCloud;
  /** Route of the messaging endpoint; default /api/messages. */
  path?: string;
}

export interface TeamsSurface {
  readonly name: 'teams';
  readonly path: string;
  readonly adapter: CloudAdapter;
  readonly bot: TeamsBot;
  /** Handles one request to the messaging endpoint (any method; non-POST gets 405 from the adapter). */
  handle: NodeHandler;
  /** Registers `handle` on the server for POST `path`. */
  mount(app: PostRouter): void;
  /** The notifier that posts alerts to the channels saved in the store (requires `store`). */
  notifier(): TeamsNotifier;
  /** Waits for answers still being sent (graceful shutdown). */
  stop(): Promise<void>;
}

/**
 * Builds the Teams surface from configuration (config.teams: MicrosoftAppId, MicrosoftAppPassword,
 * MicrosoftAppType, MicrosoftAppTenantId). Throws ConfigError when no app ID is configured.
 */
export function createTeamsSurface(options: TeamsSurfaceOptions): TeamsSurface {
  const auth = createBotAuthentication(options.config.teams, options.cloud);
  const appId = options.config.teams!.appId;
  const adapter = new CloudAdapter(auth);
  const log = options.log.child({ surface: 'teams' });
  const bot = new TeamsBot(adapter, appId, options);
  const path = options.path ?? TEAMS_MESSAGES_PATH;

  // The one place turn errors become a reply: an error card (with a log reference), never a stack trace.
  adapter.onTurnError = async (context: TurnContext, error: Error) => {
    const ref = newLogRef();
    log.error({ err: error, ref, activity: context.activity?.type }, 'turn failed');
    // Answer where someone is waiting: a message, or the channel the bot was just added to.
    const a = context.activity;
    if (a?.type !== 'message' && !(a?.type === 'conversationUpdate' && a.membersAdded?.length)) return;
    try {
      const result = errorResultOf(error, ref);
      await bot.sendCards(context, [errorCard({ ...result, details: { ...result.details, ref } })]);
    } catch (e) {
      log.error({ err: e, ref }, 'could not send the error card');
    }
  };

  const handle: NodeHandler = async (req, res) => {
    let body: Record<string, unknown>;
    try {
      body = req.method === 'POST' ? await readJsonBody(req) : {};
    } catch (e) {
      res.statusCode = e instanceof BodyError ? e.status : 400;
      res.end();
      return;
    }
    try {
      await adapter.process(toBotRequest(req, body), toBotResponse(res), bot.onTurn);
    } catch (e) {
      // process() answers errors itself; this is the last guard so a framework never sees a rejection.
      log.error({ err: e }, 'request failed');
      if (!res.headersSent) res.statusCode = 500;
      res.end();
    }
  };

  return {
    name: 'teams',
    path,
    adapter,
    bot,
    handle,
    mount(app) {
      app.post(path, handle);
    },
    notifier() {
      if (!options.store) throw new Error('The Teams notifier needs the store (saved channel conversation references)');
      const store = options.store as Partial<AlertPostStore> & ConversationStore;
      if (!store.getState || !store.setState) throw new Error('The Teams notifier needs the store (saved channel conversation references and alert posts)');
      return createTeamsNotifier({ adapter, appId, store: store as AlertPostStore, log });
    },
    async stop() {
      await bot.drain();
    },
  };
}
