/**
 * Activities shaped as Microsoft Teams sends them (channelId msteams, 29:/28: IDs, Entra object IDs,
 * channel conversation IDs with ;messageid=, <at> mentions, channelData with team and tenant).
 */
import { randomUUID } from 'node:crypto';

export const TENANT_ID = '72f988bf-0000-4000-8000-2d7cd011db47';
export const TEAM_ID = '19:team-krbops-ops@thread.tacv2';
export const CHANNEL_ID = '19:c0ffee0000krbopsalerts@thread.tacv2';

export type Where = 'personal' | 'groupChat' | 'channel';

let seq = 1_732_000_000_000;
const nextId = () => String(seq++);

export interface TeamsActivityOptions {
  serviceUrl: string;
  appId: string;
  where?: Where;
  id?: string;
  user?: { id: string; name: string; aadObjectId: string };
}

const ADELE = { id: '29:1adele-vance-teams-user', name: 'Adele Vance', aadObjectId: '00000000-0000-4000-8000-00000000ad31' };

function conversation(where: Where, messageId: string) {
  if (where === 'channel') return { isGroup: true, conversationType: 'channel', tenantId: TENANT_ID, id: `${CHANNEL_ID};messageid=${messageId}` };
  if (where === 'groupChat') return { isGroup: true, conversationType: 'groupChat', tenantId: TENANT_ID, id: '19:meeting-groupchat-krbops@thread.v2' };
  return { conversationType: 'personal', tenantId: TENANT_ID, id: 'a:1personal-chat-with-krbops' };
}

function channelData(where: Where) {
  const base = { tenant: { id: TENANT_ID } };
  if (where !== 'channel') return base;
  return { ...base, teamsChannelId: CHANNEL_ID, teamsTeamId: TEAM_ID, channel: { id: CHANNEL_ID, name: 'kerberos-oncall' }, team: { id: TEAM_ID, name: 'Identity Ops' } };
}

/** A user's message to the bot; in channels and group chats the text starts with the bot's <at> mention. */
export function messageActivity(text: string, o: TeamsActivityOptions): Record<string, unknown> {
  const where = o.where ?? 'personal';
  const id = o.id ?? nextId();
  const bot = { id: `28:${o.appId}`, name: 'krbops' };
  const mention = where === 'personal' ? '' : '<at>krbops</at> ';
  return {
    type: 'message',
    id,
    timestamp: new Date().toISOString(),
    localTimestamp: new Date().toISOString(),
    serviceUrl: o.serviceUrl,
    channelId: 'msteams',
    from: o.user ?? ADELE,
    conversation: conversation(where, id),
    recipient: bot,
    textFormat: 'plain',
    text: `${mention}${text}`,
    locale: 'en-US',
    entities: mention ? [{ type: 'mention', text: '<at>krbops</at>', mentioned: bot }, { type: 'clientInfo', locale: 'en-US', platform: 'Web' }] : [{ type: 'clientInfo', locale: 'en-US', platform: 'Web' }],
    channelData: channelData(where),
  };
}

/** Teams' conversationUpdate when the bot is added to (or removed from) a team's channel. */
export function botChannelUpdate(change: 'added' | 'removed', o: TeamsActivityOptions): Record<string, unknown> {
  const bot = { id: `28:${o.appId}`, name: 'krbops' };
  return {
    type: 'conversationUpdate',
    id: `f:${randomUUID()}`,
    timestamp: new Date().toISOString(),
    serviceUrl: o.serviceUrl,
    channelId: 'msteams',
    from: o.user ?? ADELE,
    conversation: { isGroup: true, conversationType: 'channel', tenantId: TENANT_ID, id: CHANNEL_ID },
    recipient: bot,
    ...(change === 'added' ? { membersAdded: [bot] } : { membersRemoved: [bot] }),
    channelData: { ...channelData('channel'), eventType: change === 'added' ? 'teamMemberAdded' : 'teamMemberRemoved' },
  };
}

/** The invoke Teams sends when a user presses an Action.Execute button on a card the bot posted. */
export function cardActionInvoke(verb: string, data: unknown, o: TeamsActivityOptions & { cardMessageId?: string }): Record<string, unknown> {
  const where = o.where ?? 'channel';
  const cardId = o.cardMessageId ?? nextId();
  return {
    type: 'invoke',
    name: 'adaptiveCard/action',
    id: `f:${randomUUID()}`,
    timestamp: new Date().toISOString(),
    serviceUrl: o.serviceUrl,
    channelId: 'msteams',
    from: o.user ?? ADELE,
    conversation: conversation(where, cardId),
    recipient: { id: `28:${o.appId}`, name: 'krbops' },
    replyToId: cardId,
    value: { action: { type: 'Action.Execute', title: 'Request this change', verb, data }, trigger: 'manual' },
    channelData: channelData(where),
  };
}
