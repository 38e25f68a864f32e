/**
 * `krbops serve`: the composition root. One store, one approvals service, the chat surfaces that
 * are configured (Slack over HTTP or Socket Mode, Teams), their notifiers for the watchers' alerts,
 * and the shared HTTP server with /healthz, /metrics and the schedules (src/server.ts).
 */
import type { Logger } from 'pino';
import { createApprovals, createChatApprovals } from './approvals/index.js';
import { redactedConfig, type Config } from './config.js';
import { demoBanner } from './demo.js';
import { ldapGroupMembership } from './directory/membership.js';
import { createDirectoryOpener } from './directory/open.js';
import { KerberosHelper } from './collectors/kerberos-helper.js';
import { createCommandAudit } from './audit/recorder.js';
import { createAccessControl } from './policy/access.js';
import { createCommandGate } from './policy/gate.js';
import { describePolicy, policyGroups } from './policy/evaluate.js';
import { createLogger } from './log.js';
import { Metrics } from './metrics.js';
import type { Notifier } from './notify.js';
import { startServer, type HttpSurface, type RunningServer } from './server.js';
import { openStore } from './store/index.js';
import { createSlackHttpSurface, createSlackNotifier, slackMode, startSlackApp, type SlackBot } from './surfaces/slack/index.js';
import { createPlaygroundSurface, isLoopback } from './surfaces/playground/index.js';
import { createTeamsSurface } from './surfaces/teams/index.js';

export interface ServeOptions {
  log?: Logger;
  /** Install SIGTERM/SIGINT handlers (default true; tests that run serve in-process turn it off). */
  handleSignals?: boolean;
}

export async function serve(config: Config, options: ServeOptions = {}): Promise<RunningServer> {
  const log = options.log ?? createLogger(config.logLevel);
  log.info({ config: redactedConfig(config) }, 'krbops starting');
  if (config.ldap && !config.ldap.tlsRejectUnauthorized) {
    log.warn('LDAP_TLS_REJECT_UNAUTHORIZED=false: DC certificates are NOT verified; set LDAP_CA_FILE instead');
  }
  if (!config.ldap && !config.ldifFile) log.warn('LDAP_URL is not set: directory commands and the duplicate-SPN watch answer with a configuration error');

  const store = await openStore(config.dbUrl, { postgres: { onError: (e) => log.warn({ err: e }, 'a pooled PostgreSQL connection failed; it will be replaced') } });
  const metrics = new Metrics();
  const observe = (o: Parameters<Metrics['recordCommand']>[0]) => metrics.recordCommand(o);
  const approvals = createApprovals({ store, config, log });
  // Who may run what in chat, with AD groups matched through the chat user's e-mail (read-only, cached).
  // One bounded LDAP connection pool for every chat request, health check, job and group lookup (LDAP_POOL_SIZE).
  const directories = createDirectoryOpener(config, log);
  const dcSearcher = () => directories.dcSearcher()!;
  const access = createAccessControl({ policy: config.access, membership: config.ldap ? ldapGroupMembership(config.ldap, log, dcSearcher) : undefined, log });
  for (const line of describePolicy(config.access)) log.info({ access: line }, 'access policy');
  if (!config.ldap && (policyGroups(config.access).length || config.approverGroupDn)) log.warn('AD group rules need LDAP_URL: members of KRBOPS_ALLOW_GROUP_DNS / KRBOPS_APPROVER_GROUP_DN are not recognised');
  const chatApprovals = createChatApprovals({ approvals, config, log, access });
  // Every chat command passes the access check first and is written to the command audit after.
  const gate = createCommandGate({ access, audit: createCommandAudit({ store, log }), log });
  // One Kerberos helper process for every why-401 (kinit/kvno/GSSAPI): the bot never forks per request.
  const kerberosHelper = new KerberosHelper();
  const core = { approvals, openDirectory: directories.open, kerberosHelper };

  const surfaces: HttpSurface[] = [];
  const notifiers: Notifier[] = [];
  let slackSocket: { stop(): Promise<void> } | undefined;
  let slackBot: SlackBot | undefined;
  const mode = slackMode(config);
  if (mode === 'http') {
    const slack = await createSlackHttpSurface(config, { log, approvals: chatApprovals, core, observe, gate });
    surfaces.push(slack);
    slackBot = slack.bot;
  } else if (mode === 'socket') {
    const slack = await startSlackApp(config, { log, approvals: chatApprovals, core, observe, gate });
    slackSocket = slack;
    slackBot = slack.bot;
  }
  if (slackBot && config.slack?.alertChannel) notifiers.push(createSlackNotifier(config, { log, client: slackBot.client }));
  if (config.teams) {
    const teams = createTeamsSurface({ config, log, store, approvals: chatApprovals, core, observe, gate });
    surfaces.push(teams);
    notifiers.push(teams.notifier());
  }
  if (config.playground) {
    if (isLoopback(config.server.host)) surfaces.push(createPlaygroundSurface({ config, log, approvals: chatApprovals, core, observe }));
    else log.warn({ host: config.server.host }, 'KRBOPS_PLAYGROUND=true but HOST is not a loopback address: the playground is not served (it has no login)');
  }
  if (!surfaces.length && !slackSocket) log.warn('no chat surface configured (SLACK_* or MicrosoftAppId): serving /healthz, /metrics and the watchers only');

  const server = await startServer(config, {
    log,
    store,
    metrics,
    surfaces: slackSocket ? [...surfaces, { name: 'slack-socket', mount() {}, stop: () => slackSocket!.stop() }] : surfaces,
    notifiers,
    openDirectory: directories.open,
    directoryPool: directories,
    kerberosHelper,
    handleSignals: options.handleSignals ?? true,
  });
  if (config.demo) process.stderr.write(`${demoBanner(server.url)}\n`);
  log.info({ url: server.url, surfaces: [...surfaces.map((s) => s.name), ...(slackSocket ? ['slack (Socket Mode)'] : [])], notifiers: notifiers.map((n) => n.name) }, 'krbops serving');
  return server;
}
