/**
 * Microsoft Teams: the botbuilder bot (CloudAdapter on POST /api/messages), its notifier for
 * alerts, and the Bot Framework authentication. Every botbuilder import stays in this folder.
 */
export { createTeamsSurface, TEAMS_MESSAGES_PATH, type TeamsSurface, type TeamsSurfaceOptions, type PostRouter, type NodeHandler } from './surface.js';
export { createBotAuthentication, sdkSettings, type BotFrameworkCloud, type TeamsConfig } from './auth.js';
export { TeamsBot, actorOf, conversationKey, type TeamsBotOptions } from './bot.js';
export { createTeamsNotifier, type TeamsNotifier, type TeamsNotifierOptions, type TeamsPostResult } from './notifier.js';
export { planTeamsMessage, teamsText, errorResultOf, type TeamsPlan } from './dispatch.js';
export type { ChangeRequester, ChangeRequestInput, ConversationStore, TeamsAlert } from './ports.js';
