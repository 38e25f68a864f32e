/** The approvals flow as chat surfaces and cards see it (one shape for Slack and Teams). */
import type { Actor, SpnChange } from '../model/index.js';

/** A click on "Request this change". */
export interface ChangeRequestInput {
  changes: SpnChange[];
  requester: Actor;
  /** The finding the button was on. */
  finding?: { ruleId?: string; title?: string; subject?: string };
  /** The why-401 URL the finding came from. */
  url?: string;
  /** The Slack channel the button was clicked in, for the decision's reply. */
  channelId?: string;
  /** Teams: the conversation reference of the click, so each decision reaches the requester's thread. */
  reference?: Record<string, unknown>;
}

/** What the requester is told back. */
export interface ChangeRequestView {
  /** Identifier of the request in the approvals store. */
  id: string;
  status: string;
  changes: SpnChange[];
  requestedBy?: string;
  /** What happens next ("waiting for an approver in #krbops-admins"). */
  next?: string;
}
