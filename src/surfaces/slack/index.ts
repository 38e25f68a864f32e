/**
 * The Slack surface (the only importer of @slack/bolt). What `krbops serve` wires:
 *  - `createSlackHttpSurface(config, deps)` → mount on the shared express app (POST /slack/events);
 *  - `startSlackApp(config, deps)` → Socket Mode when SLACK_APP_TOKEN is set, or HTTP on its own port;
 *  - `createSlackNotifier(config, deps)` → alerts to KRBOPS_ALERT_SLACK_CHANNEL.
 */
export * from './app.js';
export { planChatCommand, errorResultOf, SLASH_COMMANDS, SHARE_FLAG, type ChatPlan, type Visibility } from './dispatch.js';
export { replayGuard, type ReplayGuardOptions } from './replay-guard.js';
export { boltLogger } from './logger.js';
export { createSlackNotifier, type SlackNotifier, type SlackNotifierDeps, type SlackAlert } from './notifier.js';
