/**
 * What the Teams surface needs from the rest of krbops, as narrow interfaces: the store's
 * conversation references, the approvals flow, and the alerts the scheduler posts. `krbops serve`
 * passes the real implementations; nothing here imports botbuilder.
 */
import type { Actor, SpnChange } from '../../model/index.js';
import type { StoreOps } from '../../store/types.js';
import type { ChangeRequestInput, ChangeRequestView } from '../../approvals/types.js';

export type { ChangeRequestInput, ChangeRequestView };
import type { AlertView } from '../../../cards/teams/alert.js';

/** The part of the store the Teams surface uses (src/store implements it). */
export type ConversationStore = Pick<StoreOps, 'saveConversation' | 'listConversations' | 'deleteConversation'>;


/**
 * The approvals flow as the "Request this change" button sees it. When none is given the button
 * answers that approvals are not configured and records nothing.
 */
export interface ChangeRequester {
  requestChange(input: ChangeRequestInput): Promise<ChangeRequestView>;
}

/** An alert from a scheduled watcher (ADFS certificates, new duplicate SPNs): the Slack alert's shape plus `text` and `key`. */
export type TeamsAlert = AlertView;
