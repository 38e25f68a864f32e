/**
 * The encryption-type risk of one account under the 2026 AES-only KDC default. Pure.
 *
 * - fails-now: no AES keys likely and nothing but AES allowed (not set, or AES bits only); DES only.
 * - at-risk: RC4 only; AES keys likely missing while RC4 is still allowed explicitly; krbtgt without
 *   AES keys; or AES only while krbops cannot tell whether AES keys exist.
 * - kerberoastable: a user account (not a computer, not a managed service account) with SPNs that
 *   allows RC4.
 * - ok.
 */
import type { EncryptionScanAccount, EtypeAccountReport, EtypeRisk } from '../model/index.js';
import { AES_BITS, DES_BITS, decodeSupportedEncryptionTypes, effectiveEncryptionTypes, ETYPE } from './decode.js';
import { accountFix, kerberoastFix, krbtgtFix, type Fix, type FixNames } from './fix.js';

export const RISK_ORDER: EtypeRisk[] = ['fails-now', 'at-risk', 'kerberoastable', 'ok'];
/** The risk classes in words, as alerts and cards name them. */
export const RISK_LABEL: Record<EtypeRisk, string> = { 'fails-now': 'fails now', 'at-risk': 'at risk', kerberoastable: 'Kerberoastable', ok: 'OK' };


export interface AesSince {
  /** The instant from which passwords set in this domain get AES keys (ISO-8601), or undefined when unknown. */
  at?: string;
  /** How it was found, for the evidence. */
  basis: string;
}

export interface ClassifyContext extends FixNames {
  aesSince: AesSince;
  now: Date;
}

const UAC_DISABLED = 0x2;
const UAC_USE_DES_KEY_ONLY = 0x200000;

export const HEURISTIC_NOTE =
  'This is a heuristic: confirm with event 4769 on a Windows Server 2019+ DC (its "Available Keys" field lists the keys the account has), or with the KDCSVC events 201–209 logged since the January 2026 updates.';

export function isKrbtgt(a: { sAMAccountName: string }): boolean {
  return /^krbtgt(_\d+)?$/i.test(a.sAMAccountName);
}

function day(iso: string): string {
  return iso.slice(0, 10);
}

/** Password set after the domain could make AES keys ⇒ the account likely has them. */
export function aesKeysLikely(a: Pick<EncryptionScanAccount, 'pwdLastSet' | 'kind'>, since: AesSince): boolean | null {
  if (!a.pwdLastSet) return a.kind === 'gmsa' || a.kind === 'msa' ? false : null;
  if (!since.at) return null;
  // whenCreated has whole seconds; a password set in the same second counts as after.
  return Date.parse(a.pwdLastSet) >= Math.floor(Date.parse(since.at) / 1000) * 1000;
}

function keysReason(a: EncryptionScanAccount, likely: boolean | null, since: AesSince): string {
  if (likely === true) return `AES keys likely: password last set ${day(a.pwdLastSet!)}, after the domain could make AES keys (${since.basis}).`;
  if (likely === false && !a.pwdLastSet) return `No AES keys likely: the managed password was never set (pwdLastSet is empty). ${HEURISTIC_NOTE}`;
  if (likely === false) return `AES keys likely missing: password last set ${day(a.pwdLastSet!)}, before the domain could make AES keys (${since.basis}). ${HEURISTIC_NOTE}`;
  if (!a.pwdLastSet) return `Cannot tell whether AES keys exist: pwdLastSet is empty (never set, or "must change password at next logon"). ${HEURISTIC_NOTE}`;
  return `Cannot tell whether AES keys exist: ${since.basis}. ${HEURISTIC_NOTE}`;
}

function ageText(iso: string | undefined, now: Date): string {
  if (!iso) return 'password age unknown (pwdLastSet empty)';
  const days = Math.floor((now.getTime() - Date.parse(iso)) / 86_400_000);
  return `password last set ${day(iso)} (${days} day${days === 1 ? '' : 's'} ago${days >= 365 ? `, ${(days / 365.25).toFixed(1)} years` : ''})`;
}

export function classifyAccount(a: EncryptionScanAccount, ctx: ClassifyContext): EtypeAccountReport {
  const decoded = decodeSupportedEncryptionTypes(a.supportedEncryptionTypes);
  const useDesKeyOnly = (a.userAccountControl & UAC_USE_DES_KEY_ONLY) !== 0;
  const eff = effectiveEncryptionTypes(a.supportedEncryptionTypes, { useDesKeyOnly });
  const likely = aesKeysLikely(a, ctx.aesSince);
  const allowsAes = (eff.bits & AES_BITS) !== 0;
  const allowsRc4 = (eff.bits & ETYPE.RC4_HMAC) !== 0;
  const target = { sAMAccountName: a.sAMAccountName, kind: a.kind, spns: a.spns, useDesKeyOnly };
  const reasons: string[] = [];

  const setText = decoded.value === null ? 'not set' : `${decoded.value} (${decoded.hex}: ${[...decoded.names, ...decoded.features].join(', ') || 'no encryption-type bit'})`;
  if (eff.source === 'default-2026') reasons.push(`msDS-SupportedEncryptionTypes ${setText}: since the April 2026 updates the KDC assumes AES only (0x18) for it.`);
  else if (eff.source === 'use-des-key-only') reasons.push(`userAccountControl has USE_DES_KEY_ONLY: only DES, which every supported KDC refuses.`);
  else reasons.push(`msDS-SupportedEncryptionTypes ${setText}.`);
  if (decoded.unknownBits) reasons.push(`Unknown bits 0x${decoded.unknownBits.toString(16)} are set.`);
  reasons.push(keysReason(a, likely, ctx.aesSince));
  // krbtgt is always disabled: saying so would only distract.
  if (a.userAccountControl & UAC_DISABLED && !isKrbtgt(a)) reasons.push('The account is disabled.');

  let risk: EtypeRisk;
  let fix: Fix;
  if (isKrbtgt(a)) {
    risk = likely === true ? 'ok' : 'at-risk';
    if (risk === 'at-risk') reasons.push(likely === false ? 'krbtgt without AES keys breaks every ticket once RC4 is refused: TGTs are encrypted with its key.' : 'krbtgt encrypts every TGT: confirm it has AES keys.');
    fix = risk === 'ok' ? { summary: 'Nothing to do.', commands: [] } : krbtgtFix();
  } else if (!eff.bits) {
    risk = 'fails-now';
    reasons.push(`DES only (${eff.source === 'use-des-key-only' ? 'USE_DES_KEY_ONLY' : `allowed: ${decodeSupportedEncryptionTypes(eff.allowedBits & DES_BITS).names.join(', ')}`}): the KDC issues no ticket (KDC_ERR_ETYPE_NOSUPP).`);
    fix = accountFix(target, { allowAes: true, resetKeys: likely !== true }, ctx);
  } else if (allowsAes && !allowsRc4 && likely === false) {
    risk = 'fails-now';
    reasons.push('Only AES is allowed and the account likely has no AES key: the KDC cannot issue a ticket (KDC_ERR_ETYPE_NOSUPP); browsers fall back to NTLM or prompt.');
    fix = accountFix(target, { allowAes: eff.source === 'default-2026', resetKeys: true }, ctx);
  } else if (allowsRc4 && !allowsAes) {
    risk = 'at-risk';
    reasons.push('RC4 only: every client or DC that refuses RC4 gets no ticket.');
    if (a.kind === 'user' && a.spns.length) reasons.push(`Also Kerberoastable: its RC4 tickets crack offline; ${ageText(a.pwdLastSet, ctx.now)}.`);
    fix = accountFix(target, { allowAes: true, resetKeys: likely !== true }, ctx);
  } else if (allowsRc4 && likely === false) {
    risk = 'at-risk';
    reasons.push('RC4 is still allowed explicitly and AES keys are likely missing: the KDC issues RC4 tickets, which fail wherever RC4 is refused.');
    fix = accountFix(target, { allowAes: true, resetKeys: true }, ctx);
  } else if (!allowsRc4 && likely === null) {
    risk = 'at-risk';
    reasons.push('Only AES is allowed: if the account has no AES key the KDC issues no ticket.');
    fix = accountFix(target, { allowAes: eff.source === 'default-2026', resetKeys: true }, ctx);
  } else if (allowsRc4 && a.kind === 'user' && a.spns.length) {
    risk = 'kerberoastable';
    reasons.push(`Kerberoastable: a user account with SPNs that allows RC4; its RC4 tickets crack offline hundreds of times faster than AES ones; ${ageText(a.pwdLastSet, ctx.now)}.`);
    fix = kerberoastFix(target, likely, ctx);
  } else {
    risk = 'ok';
    if (allowsRc4 && likely === null) reasons.push('RC4 is allowed, so the KDC can fall back to it if AES keys are missing.');
    fix = { summary: 'Nothing to do.', commands: [] };
  }

  return {
    sAMAccountName: a.sAMAccountName,
    kind: a.kind,
    spns: a.spns,
    supportedEncryptionTypes: decoded,
    effectiveEncryptionTypes: eff.names,
    aesKeysLikely: likely,
    pwdLastSet: a.pwdLastSet ?? null,
    risk,
    reasons,
    fix,
  };
}
