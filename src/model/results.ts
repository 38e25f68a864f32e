/**
 * The answers of krbops' commands: the JSON documents `--json` prints, and what cards render. One
 * discriminated union (`CommandResult`, on `kind`) so renderers switch without casts.
 */
import type { AdfsCertificateSummary, AdfsFinding, SignatureStatus } from './adfs.js';
import type { ApprovalRecord, ApprovalStatus, AuditEvent } from './approval.js';
import type { AccountFacts, AliasCollision, DuplicateSpn, SpnHolder } from './directory.js';
import type { AuthenticationEvidence } from './evidence.js';
import type { EtypesResult } from './etypes.js';
import type { Finding, Fix, NotApplicableCheck, PassedCheck } from './finding.js';

/** The answer of `krb why-401` (the JSON document of `--json`). */
export interface Why401Result {
  kind: 'why-401';
  url: string;
  canonicalHost?: string;
  expectedSpns: string[];
  /** Inputs krbops inferred (identity from SPN holder, computer from DNS…), each one line. */
  inferred: string[];
  findings: Finding[];
  passed: PassedCheck[];
  /** The most likely cause in one sentence, or a healthy verdict. */
  verdict: string;
  durationMs: number;
  /** Collector failures (DNS down, probe timeout…), already reflected as evidence. */
  collectorErrors: { collector: string; code: string; message: string }[];
  /** Rules that did not apply, with the reason (absent in older results). */
  notApplicable?: NotApplicableCheck[];
  /** The Kerberos exchange (absent in older results). */
  authentication?: Why401Authentication;
}

/** The `authentication` block of the why-401 JSON (issue 10's shape). */
export interface Why401Authentication {
  attempted: boolean;
  reason?: string;
  as?: string;
  spn?: string;
  outcome?: NonNullable<AuthenticationEvidence['outcome']>;
  httpStatus?: number;
  kerberosError?: { code: number; name: string };
  user?: string;
  message?: string;
}

/** One recognised error in pasted text and what it points to. */
export interface ExplainMatch {
  /** The code as recognised: KRB_AP_ERR_MODIFIED, ID4175, 401.1, event 4… */
  code: string;
  /** The text that matched (as pasted, shortened). */
  matched: string;
  /** What the error means, one or two sentences. */
  meaning: string;
  /** Rules that can cause it, most likely first. */
  rules: { ruleId: string; title: string }[];
  /** What to check next, most useful first (commands or krbops commands). */
  nextChecks: string[];
}

/** The answer of `krb explain <text>`. */
export interface ExplainResult {
  kind: 'explain';
  /** The pasted text, shortened. */
  input: string;
  matches: ExplainMatch[];
  /** SPNs, hosts and URLs named in the text, for follow-up commands. */
  mentioned: { spns: string[]; hosts: string[]; urls: string[] };
  /** One sentence: the most likely meaning, or that nothing was recognised. */
  verdict: string;
  /** A pasted Negotiate header, decoded (src/explain/negotiate.ts). */
  decoded?: DecodedNegotiate;
}

/** What the header held, as structured data (the `decoded` field of the explain JSON): a pasted `WWW-Authenticate: Negotiate …` or `Authorization: Negotiate …`. */
export interface DecodedNegotiate {
  header: 'WWW-Authenticate' | 'Authorization' | 'Negotiate';
  token: 'spnego-init' | 'spnego-resp' | 'kerberos' | 'ntlm' | 'undecodable';
  negState?: string;
  mechanisms?: string[];
  kerberosError?: { code: number; name: string; serverName: string; serverTime: string; skewMs?: number; eText?: string };
  ticket?: { spn: string; realm: string; etype: number; etypeName: string; kvno?: number };
  error?: string;
}

export interface SpnListResult {
  kind: 'spn-list';
  /** The DC that answered. */
  server: string;
  account: AccountFacts;
  spns: string[];
}

export interface SpnQueryResult {
  kind: 'spn-query';
  server: string;
  spn: string;
  /** Every account holding the SPN (exact), then those answering through sPNMappings (via: 'alias'). */
  accounts: SpnHolder[];
  /** True when more than one account holds the exact SPN. */
  duplicate: boolean;
  /** A duplicate's fix: one `setspn -D` block per holder and a "Keep on" choice each (src/fix/duplicate.ts). */
  fix?: Fix;
}

/** A duplicate SPN of `spn dupes` with its fix (one block per holder, a "Keep on" choice each). */
export interface DuplicateSpnReport extends DuplicateSpn {
  fix: Fix;
}

export interface SpnDupesResult {
  kind: 'spn-dupes';
  server: string;
  duplicates: DuplicateSpnReport[];
  aliasCollisions: AliasCollision[];
  /** SPNs ignored because they are on the allow-list. */
  allowList: string[];
  scanned: { accounts: number; spns: number };
  durationMs: number;
}

/** A command that failed: what surfaces render for a KrbopsError (usage, DC down, not found…). */
export interface ErrorResult {
  kind: 'error';
  code: string;
  message: string;
  /** Usage text for CommandUsageError. */
  usage?: string;
  details?: Record<string, unknown>;
}

export interface AdfsCheckResult {
  kind: 'adfs-check';
  checkedAt: string;
  sources: {
    source: string;
    entityId?: string;
    ok: boolean;
    signature: SignatureStatus;
    /** Why the signature failed, or what verified it. */
    signatureDetail?: string;
    primaryThumbprint?: string;
    error?: { code: string; message: string };
  }[];
  /** Every certificate of every source; `source` says which. */
  certificates: (AdfsCertificateSummary & { source: string })[];
  /** Most severe first. */
  findings: AdfsFinding[];
}

export interface ApprovalsListResult {
  kind: 'approvals-list';
  /** The status asked for; undefined = every status. */
  status?: ApprovalStatus;
  approvals: ApprovalRecord[];
  /** How many admins can approve (KRBOPS_ADMINS). */
  admins: number;
  /** The most shown; `approvals.length === limit` means there may be more. */
  limit: number;
}

export interface ApprovalResult {
  kind: 'approval';
  approval: ApprovalRecord;
  /** Oldest first. */
  audit: AuditEvent[];
  /** True when AD was read by this command (krb verify). */
  checked: boolean;
  /** Who can approve (KRBOPS_ADMINS chat IDs), for a pending request. */
  approvers: string[];
}

/** Every result a command returns (ErrorResult for a command that failed). */
export type CommandResult =
  | SpnListResult
  | SpnQueryResult
  | SpnDupesResult
  | Why401Result
  | ExplainResult
  | AdfsCheckResult
  | ApprovalsListResult
  | ApprovalResult
  | EtypesResult
  | ErrorResult;

export type CommandResultKind = CommandResult['kind'];

/** Every `kind` of CommandResult (the union above, as data). */
export const COMMAND_RESULT_KINDS: readonly CommandResultKind[] = ['spn-list', 'spn-query', 'spn-dupes', 'why-401', 'explain', 'adfs-check', 'approvals-list', 'approval', 'krb-etypes', 'error'];

/** True for a result of one of krbops' own kinds (renderers then switch on `kind` without casts). */
export function isCommandResult(r: { kind: string }): r is CommandResult {
  return (COMMAND_RESULT_KINDS as readonly string[]).includes(r.kind);
}
