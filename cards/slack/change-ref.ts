/**
 * The "Request this change" button carries the SPN changes of a finding in its `value` (at most
 * 2000 characters), compactly: `{"v":1,"r":"spn-missing-fqdn","c":[["+","HTTP/crm","CONTOSO\\svc"]]}`.
 * Slack signs the interaction that brings it back; the handler still validates it before use.
 */
import type { SpnChange } from '../../src/model/index.js';
import { SLACK_LIMITS } from './limits.js';

/** Every action id krbops uses starts with this, so one listener (a RegExp) catches them all. */
export const REQUEST_CHANGE_ACTION = 'krbops:request-change';

export interface ChangeRef {
  /** Rule that proposed the change. */
  ruleId: string;
  /** What the finding was about (SPN, account, URL), shown in the request. */
  subject?: string;
  /** The finding's title. */
  title?: string;
  /** The why-401 URL the finding came from. */
  url?: string;
  changes: SpnChange[];
}

type Wire = { v: 1; r: string; s?: string; t?: string; u?: string; c: [string, string, string, string?][] };

/**
 * `full`: with the finding's subject, title, URL and the accounts' DNs; otherwise only what the
 * change needs (rule, SPN, account), for values that would not fit in 2000 characters.
 */
export function encodeChangeRef(ref: ChangeRef, full = true): string {
  const wire: Wire = {
    v: 1,
    r: ref.ruleId,
    ...(full && ref.subject ? { s: ref.subject } : {}),
    ...(full && ref.title ? { t: ref.title } : {}),
    ...(full && ref.url ? { u: ref.url } : {}),
    c: ref.changes.map((c) => {
      const t: [string, string, string, string?] = [c.action === 'add' ? '+' : '-', c.spn, c.account];
      if (full && c.accountDn) t.push(c.accountDn);
      return t;
    }),
  };
  return JSON.stringify(wire);
}

/**
 * Button values for a finding's changes: one value when they fit in 2000 characters (with DNs if
 * possible), otherwise one value per change. Changes that cannot fit even alone are returned in
 * `tooLong` so the card can say so instead of dropping them.
 */
export function changeRefValues(ref: ChangeRef): { values: { value: string; changes: SpnChange[] }[]; tooLong: SpnChange[] } {
  const max = SLACK_LIMITS.buttonValue;
  for (const full of [true, false]) {
    const v = encodeChangeRef(ref, full);
    if (v.length <= max) return { values: [{ value: v, changes: ref.changes }], tooLong: [] };
  }
  const values: { value: string; changes: SpnChange[] }[] = [];
  const tooLong: SpnChange[] = [];
  for (const c of ref.changes) {
    const one = { ...ref, changes: [c] };
    const v = [encodeChangeRef(one, true), encodeChangeRef(one, false)].find((x) => x.length <= max);
    if (v) values.push({ value: v, changes: [c] });
    else tooLong.push(c);
  }
  return { values, tooLong };
}

/** Parses a button value back; `undefined` when it is not one krbops produced. */
export function decodeChangeRef(value: string | undefined): ChangeRef | undefined {
  if (!value || value.length > SLACK_LIMITS.buttonValue) return undefined;
  let w: unknown;
  try {
    w = JSON.parse(value);
  } catch {
    return undefined;
  }
  const o = w as Partial<Wire>;
  if (!o || o.v !== 1 || typeof o.r !== 'string' || !Array.isArray(o.c) || o.c.length === 0) return undefined;
  const changes: SpnChange[] = [];
  for (const t of o.c) {
    if (!Array.isArray(t) || (t[0] !== '+' && t[0] !== '-') || typeof t[1] !== 'string' || typeof t[2] !== 'string' || !t[1] || !t[2]) return undefined;
    if (t[3] !== undefined && typeof t[3] !== 'string') return undefined;
    changes.push({ action: t[0] === '+' ? 'add' : 'remove', spn: t[1], account: t[2], ...(t[3] ? { accountDn: t[3] } : {}) });
  }
  return {
    ruleId: o.r,
    ...(typeof o.s === 'string' ? { subject: o.s } : {}),
    ...(typeof o.t === 'string' ? { title: o.t } : {}),
    ...(typeof o.u === 'string' ? { url: o.u } : {}),
    changes,
  };
}

