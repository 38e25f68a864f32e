/**
 * The state store: one interface, two backends (SQLite file by default, PostgreSQL for several
 * replicas). Everything krbops must remember across restarts lives here: job state, alerts already
 * posted, job runs and their leases, Teams conversation references, SPN change requests and their
 * audit trail. Every method is async so both backends share one contract (test/store/store.contract.ts).
 */
import type { Actor } from '../model/actor.js';
import type { ApprovalRecord, ApprovalStatus, AuditEvent } from '../model/approval.js';

export type StoreKind = 'sqlite' | 'postgres';

/** How a job run ended. `running` while in progress; `abandoned` when its replica stopped renewing the lease. */
export type RunOutcome = 'running' | 'ok' | 'failed' | 'abandoned';

export interface JobRun {
  id: number;
  job: string;
  /** The schedule slot the run belongs to (ISO-8601). Unique per job: one run per tick. */
  tick: string;
  /** The replica that ran it (host:pid:random). */
  holder: string;
  startedAt: string;
  finishedAt?: string;
  outcome: RunOutcome;
  error?: string;
  /** A small JSON summary the job returned (counts, scan mode…). */
  summary?: unknown;
}

export type ClaimResult =
  | { claimed: true; runId: number; /** Runs of the previous holder marked abandoned because its lease had expired. */ abandoned: number }
  | { claimed: false; reason: 'taken' | 'busy' };

export interface ClaimOptions {
  job: string;
  tick: Date;
  holder: string;
  /** How long the lease lasts without renewal; a replica that dies frees the job after this. */
  leaseMs: number;
  now?: Date;
}

export interface PostedAlert {
  key: string;
  target: string;
  job?: string;
  title?: string;
  postedAt: string;
}

/** A Teams conversation reference saved when the bot is added to a channel (opaque JSON for the Teams surface). */
export interface ConversationRecord {
  id: string;
  reference: unknown;
  /** Channel or team name, for listing. */
  name?: string;
  savedAt: string;
}

/** One account's SPNs as last read from the directory (the duplicate watch keeps these per scope). */
export interface SpnOwner {
  dn: string;
  sAMAccountName: string;
  whenChanged?: string;
  disabled?: boolean;
  spns: string[];
}


/**
 * One command run from any surface (the command audit, for a SIEM): who, where, what (secrets
 * stripped by src/audit/redact.ts before it gets here), how it ended and how long it took.
 */
export interface CommandAuditEntry {
  id?: number;
  /** ISO-8601, when the command was received. */
  at: string;
  surface: Actor['surface'];
  actor: { id: string; name?: string };
  /** Slack channel / Teams conversation the command was typed in. */
  channelId?: string;
  /** `spn list`, `help`, `invalid`, `request change`, `approve`… */
  command: string;
  /** The words as typed, secrets stripped. */
  text?: string;
  outcome: 'ok' | 'error' | 'refused';
  /** Error code or refusal kind. */
  code?: string;
  durationMs: number;
}

/** Everything a store can do, inside or outside a transaction. */
export interface StoreOps {
  // ── key/value job state ──
  getState<T = unknown>(key: string): Promise<T | undefined>;
  setState(key: string, value: unknown): Promise<void>;
  deleteState(key: string): Promise<void>;

  // ── alerts posted (posted once, survives restarts) ──
  /**
   * Atomic insert-if-absent: true when this caller recorded the alert first (and so must post it),
   * false when it was already recorded. `target` separates destinations (slack, teams) so a failed
   * destination can be retried without re-posting to the others; default 'default'.
   */
  markPosted(key: string, meta?: { target?: string; job?: string; title?: string }): Promise<boolean>;
  /** Forgets a mark (the post failed; the next run retries). */
  unmarkPosted(key: string, target?: string): Promise<void>;
  isPosted(key: string, target?: string): Promise<boolean>;

  // ── the alert outbox (pending → posted) ──
  /**
   * Claims an alert for one destination before it is posted. `claimed`: recorded now as pending
   * (with the alert, for re-delivery), post it; `posted`: already delivered; `busy`: another caller
   * claimed it less than `staleMs` ago (it is posting now); `redeliver`: pending since a claim older
   * than `staleMs` (its poster crashed or failed mid-post) and now claimed by this caller — look for
   * it at the destination before posting again.
   */
  claimAlert(key: string, target: string, o: { job?: string; title?: string; payload: string; now: Date; staleMs: number }): Promise<'claimed' | 'posted' | 'busy' | 'redeliver'>;
  /** Marks a claimed alert posted, with the destination's id for the message (Slack ts, Teams activity id). */
  confirmPosted(key: string, target: string, ref?: string): Promise<void>;
  /** Pending alerts whose claim is older than `olderThan` (their poster died), oldest first. */
  pendingAlerts(olderThan: Date, limit?: number): Promise<{ key: string; target: string; payload: string }[]>;
  listPosted(options?: { job?: string; limit?: number }): Promise<PostedAlert[]>;

  // ── job runs and leases ──
  /**
   * Claims one schedule tick of a job: records the run (unique per job and tick) and takes the job's
   * lease (no overlapping runs across replicas). `taken`: another replica has this tick; `busy`: a run
   * of this job still holds an unexpired lease. An expired lease is taken over and its run marked abandoned.
   */
  claimRun(options: ClaimOptions): Promise<ClaimResult>;
  /** Extends the lease while a run is in progress; false when the lease was lost. */
  renewLease(job: string, holder: string, leaseMs: number, now?: Date): Promise<boolean>;
  /** Records the end of a run and releases the holder's lease, atomically. */
  finishRun(runId: number, result: { outcome: Exclude<RunOutcome, 'running'>; error?: string; summary?: unknown; holder: string; now?: Date }): Promise<void>;
  /** Releases a lease without finishing a run (shutdown). */
  releaseLease(job: string, holder: string): Promise<void>;
  /** The latest run of every job (health check). */
  lastRuns(): Promise<JobRun[]>;
  listRuns(options?: { job?: string; limit?: number }): Promise<JobRun[]>;

  // ── Teams conversation references ──
  saveConversation(record: { id: string; reference: unknown; name?: string }): Promise<void>;
  listConversations(): Promise<ConversationRecord[]>;
  deleteConversation(id: string): Promise<void>;

  // ── SPN owner map of the duplicate watch (per scope, usually the domain's naming context) ──
  /** Inserts or replaces accounts (an account's SPN set is replaced by its new set). */
  upsertSpnOwners(scope: string, owners: SpnOwner[]): Promise<void>;
  deleteSpnOwners(scope: string, dns: string[]): Promise<void>;
  /** Replaces the whole map of a scope (full scan). */
  replaceSpnOwners(scope: string, owners: SpnOwner[]): Promise<void>;
  loadSpnOwners(scope: string, options?: { dns?: string[] }): Promise<SpnOwner[]>;
  /**
   * The accounts that share an SPN instance (the part after the service class, case-insensitive)
   * with another account: the only accounts that can be in a duplicate or an alias collision.
   * Lets a watch cycle avoid loading the whole forest.
   */
  spnCollisionCandidates(scope: string): Promise<SpnOwner[]>;
  /** The accounts holding an SPN with the same instance as any of `spns` (the partners a changed account may collide with). */
  spnOwnersSharing(scope: string, spns: string[]): Promise<SpnOwner[]>;
  countSpnOwners(scope: string): Promise<number>;
  /** Replaces scope `to` with the contents of scope `from` (a full scan staged under `from`, swapped in at commit). */
  moveSpnOwners(from: string, to: string): Promise<void>;
  /** Deletes a scope, or with `prefix` every scope starting with it (stale staging scopes). */
  clearSpnOwners(scope: string, options?: { prefix?: boolean }): Promise<void>;

  // ── SPN change requests and their audit trail ──
  insertApproval(record: ApprovalRecord): Promise<void>;
  getApproval(id: string): Promise<ApprovalRecord | undefined>;
  /** Compare-and-set: applies the patch only when the status is still `fromStatus`; false otherwise. */
  updateApproval(id: string, fromStatus: ApprovalStatus, patch: Partial<Omit<ApprovalRecord, 'id' | 'createdAt' | 'requester'>>): Promise<boolean>;
  listApprovals(options?: { status?: ApprovalStatus; limit?: number }): Promise<ApprovalRecord[]>;
  appendAudit(event: AuditEvent): Promise<void>;
  listAudit(options?: { requestId?: string; limit?: number }): Promise<AuditEvent[]>;

  // ── command audit ──
  appendCommandAudit(entry: CommandAuditEntry): Promise<void>;
  /** In the order recorded, received at or after `since` (ISO-8601), after entry `afterId` (paging); at most `limit` (default 10 000). */
  listCommandAudit(options?: { since?: string; afterId?: number; limit?: number }): Promise<CommandAuditEntry[]>;
}

export interface Store extends StoreOps {
  readonly kind: StoreKind;
  /** Where the data lives, without credentials (for logs and /healthz). */
  readonly location: string;
  /**
   * Runs `fn` in one transaction: all of its writes land together or not at all. Use only the
   * `tx` handle inside (the SQLite backend serialises access; calling the outer store from inside
   * would wait for the transaction itself).
   */
  transaction<T>(fn: (tx: StoreOps) => Promise<T>): Promise<T>;
  /** Proves the store is writable (health check). */
  ping(): Promise<void>;
  /** Applied migration versions, ascending. */
  migrations(): Promise<number[]>;
  close(): Promise<void>;
}
