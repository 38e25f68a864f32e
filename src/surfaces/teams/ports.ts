/**
 * What the Teams surface needs from the rest of krbops, as narrow interfaces: the store's
 * conversation references, the approvals flow, and the alerts the scheduler posts. `krbops serve`
 * passes the real implementations; nothing here imports botbuilder.
 */
import type { StoreOps } from '../../store/types.js';
import type { ChangeRequestPort } from '../../approvals/ports.js';
import type { ChangeRequestInput, ChangeRequestView } from '../../approvals/types.js';

export type { ChangeRequestInput, ChangeRequestView };
import type { AlertView } from '../../../cards/teams/alert.js';

/** The part of the store the Teams surface uses (src/store implements it). */
export type ConversationStore = Pick<StoreOps, 'saveConversation' | 'listConversations' | 'deleteConversation'>;

/** What the Teams alert notifier keeps besides the conversations: each alert's activity ids per conversation (src/store's kv). */
export type AlertPostStore = ConversationStore & Pick<StoreOps, 'getState' | 'setState'>;


/** @deprecated The one approvals port is ChangeRequestPort (src/approvals/ports.ts), shared with Slack. */
export type ChangeRequester = ChangeRequestPort;

/** An alert from a scheduled watcher (ADFS certificates, new duplicate SPNs): the Slack alert's shape plus `text` and `key`. */
export type TeamsAlert = AlertView;
