/**
 * Decodes what travels in `Authorization: Negotiate …` and `WWW-Authenticate: Negotiate …`:
 * SPNEGO (RFC 4178) NegTokenInit / NegTokenResp around a Kerberos GSS token (RFC 4121 §4.1: OID,
 * 2-byte token id, then the message), and the Kerberos messages inside (RFC 4120 §5): AP-REQ (which
 * service ticket the client presents), AP-REP (mutual authentication) and KRB-ERROR (why the server
 * refused). Only the clear-text parts are read; nothing is decrypted. NTLM tokens are recognised
 * and named, not decoded.
 */
import { kerberosErrorMeaning, kerberosErrorName, etypeName } from './codes.js';
import { APPLICATION, CONTEXT, DerError, UNIVERSAL, children, expectTag, explicitFields, readInt, readOctets, readOid, readString, readTime, readTlv, readWhole, required, type Tlv } from './der.js';

export const OID_SPNEGO = '1.3.6.1.5.5.2';
export const OID_KRB5 = '1.2.840.113554.1.2.2';
/** The OID Windows sends first (a historical mis-encoding of the Kerberos OID). */
export const OID_KRB5_MS = '1.2.840.48018.1.2.2';
export const OID_NTLMSSP = '1.3.6.1.4.1.311.2.2.10';

const MECH_NAMES: Record<string, string> = { [OID_KRB5]: 'Kerberos', [OID_KRB5_MS]: 'Kerberos (Microsoft OID)', [OID_NTLMSSP]: 'NTLM', [OID_SPNEGO]: 'SPNEGO', '1.3.6.1.4.1.311.2.2.30': 'NegoEx' };
export const mechName = (oid: string): string => MECH_NAMES[oid] ?? oid;

export interface PrincipalName {
  nameType: number;
  /** Components joined with '/': HTTP/crm.contoso.com. */
  name: string;
}

export interface KrbError {
  type: 'krb-error';
  code: number;
  name: string;
  meaning: string;
  /** The server's clock when it answered (ISO-8601). */
  stime: string;
  /** The client's time, when the server echoes it. */
  ctime?: string;
  realm: string;
  /** Principal of the service that answered (the acceptor's name, as it knows itself). */
  sname: string;
  crealm?: string;
  cname?: string;
  eText?: string;
}

export interface ApReq {
  type: 'ap-req';
  /** The ticket's service principal and realm. */
  sname: string;
  realm: string;
  /** Encryption type of the ticket (the service account's key type). */
  etype: number;
  etypeName: string;
  /** Key version of the service account's key the ticket is encrypted with. */
  kvno?: number;
  mutualRequired: boolean;
}

export interface ApRep {
  type: 'ap-rep';
  etype: number;
  etypeName: string;
}

export type KerberosMessage = KrbError | ApReq | ApRep;

export type NegState = 'accept-completed' | 'accept-incomplete' | 'reject' | 'request-mic';
const NEG_STATES: NegState[] = ['accept-completed', 'accept-incomplete', 'reject', 'request-mic'];

export type DecodedToken =
  | { wrapper: 'spnego-init'; mechTypes: string[]; mechToken?: InnerToken }
  | { wrapper: 'spnego-resp'; negState?: NegState; supportedMech?: string; responseToken?: InnerToken }
  | { wrapper: 'kerberos'; token: InnerToken }
  | { wrapper: 'ntlm'; messageType: number };

/** What a mechanism token holds: a Kerberos message, NTLM, or something not decoded. */
export type InnerToken = { mech: 'kerberos'; message: KerberosMessage } | { mech: 'ntlm'; messageType: number } | { mech: 'other'; length: number };

export class TokenDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TokenDecodeError';
  }
}

/** Largest token accepted (a Kerberos ticket with a large PAC is ~12 KB; Windows allows 48 KB headers). */
export const MAX_TOKEN_BYTES = 64 * 1024;

function principal(t: Tlv): PrincipalName {
  const f = explicitFields(t, 'PrincipalName');
  const parts = children(expectTag(required(f, 1, 'PrincipalName'), UNIVERSAL, 16, 'name-string')).map(readString);
  return { nameType: readInt(required(f, 0, 'PrincipalName')), name: parts.join('/') };
}

function krbError(t: Tlv): KrbError {
  const f = explicitFields(readWhole(t.value), 'KRB-ERROR');
  const code = readInt(required(f, 6, 'KRB-ERROR'), 'error-code');
  const e: KrbError = {
    type: 'krb-error',
    code,
    name: kerberosErrorName(code),
    meaning: kerberosErrorMeaning(code),
    stime: readTime(required(f, 4, 'KRB-ERROR')),
    realm: readString(required(f, 9, 'KRB-ERROR')),
    sname: principal(required(f, 10, 'KRB-ERROR')).name,
  };
  if (f.has(2)) e.ctime = readTime(f.get(2)!);
  if (f.has(7)) e.crealm = readString(f.get(7)!);
  if (f.has(8)) e.cname = principal(f.get(8)!).name;
  if (f.has(11)) e.eText = readString(f.get(11)!).slice(0, 500);
  return e;
}

function encryptedData(t: Tlv): { etype: number; kvno?: number } {
  const f = explicitFields(t, 'EncryptedData');
  return { etype: readInt(required(f, 0, 'EncryptedData'), 'etype'), ...(f.has(1) ? { kvno: readInt(f.get(1)!, 'kvno') } : {}) };
}

function apReq(t: Tlv): ApReq {
  const f = explicitFields(readWhole(t.value), 'AP-REQ');
  const options = expectTag(required(f, 2, 'AP-REQ'), UNIVERSAL, 3, 'ap-options').value;
  const ticketApp = expectTag(required(f, 3, 'AP-REQ'), APPLICATION, 1, 'Ticket');
  const tf = explicitFields(readWhole(ticketApp.value), 'Ticket');
  const enc = encryptedData(required(tf, 3, 'Ticket'));
  return {
    type: 'ap-req',
    sname: principal(required(tf, 2, 'Ticket')).name,
    realm: readString(required(tf, 1, 'Ticket')),
    etype: enc.etype,
    etypeName: etypeName(enc.etype),
    ...(enc.kvno !== undefined ? { kvno: enc.kvno } : {}),
    // BIT STRING: first byte = unused bits; mutual-required is bit 2 of the first octet.
    mutualRequired: ((options[1] ?? 0) & 0x20) !== 0,
  };
}

function apRep(t: Tlv): ApRep {
  const f = explicitFields(readWhole(t.value), 'AP-REP');
  const enc = encryptedData(required(f, 2, 'AP-REP'));
  return { type: 'ap-rep', etype: enc.etype, etypeName: etypeName(enc.etype) };
}

/** A Kerberos message by its APPLICATION tag: 14 AP-REQ, 15 AP-REP, 30 KRB-ERROR. */
export function decodeKerberosMessage(buf: Buffer): KerberosMessage {
  const t = readWhole(buf);
  if (t.cls !== APPLICATION) throw new DerError('not a Kerberos message (no APPLICATION tag)');
  if (t.tag === 14) return apReq(t);
  if (t.tag === 15) return apRep(t);
  if (t.tag === 30) return krbError(t);
  throw new DerError(`Kerberos message type ${t.tag} is not one krbops decodes (AP-REQ, AP-REP, KRB-ERROR)`);
}

const isNtlm = (b: Buffer) => b.length >= 12 && b.subarray(0, 8).toString('latin1') === 'NTLMSSP\0';

/** A mechanism token: a GSS-wrapped Kerberos token, a bare Kerberos message, or NTLM. */
function innerToken(b: Buffer): InnerToken {
  if (isNtlm(b)) return { mech: 'ntlm', messageType: b.readUInt32LE(8) };
  const t = readTlv(b, 0);
  if (t.cls === APPLICATION && t.tag === 0 && t.constructed) {
    // RFC 2743 §3.1 InitialContextToken framing (also used by RFC 4121 for every token): OID, then the inner bytes.
    const oidTlv = readTlv(t.value, 0);
    const oid = readOid(oidTlv);
    const rest = t.value.subarray(oidTlv.size);
    if (oid !== OID_KRB5 && oid !== OID_KRB5_MS) return { mech: 'other', length: b.length };
    if (rest.length < 3) throw new DerError('Kerberos token too short');
    return { mech: 'kerberos', message: decodeKerberosMessage(rest.subarray(2)) };
  }
  if (t.cls === APPLICATION && [14, 15, 30].includes(t.tag)) return { mech: 'kerberos', message: decodeKerberosMessage(b.subarray(0, t.size)) };
  return { mech: 'other', length: b.length };
}

function negTokenInit(t: Tlv): DecodedToken {
  const f = explicitFields(t, 'NegTokenInit');
  const mechTypes = children(expectTag(required(f, 0, 'NegTokenInit'), UNIVERSAL, 16, 'mechTypes')).map(readOid);
  const mt = f.get(2);
  return { wrapper: 'spnego-init', mechTypes, ...(mt ? { mechToken: innerToken(readOctets(mt)) } : {}) };
}

function negTokenResp(t: Tlv): DecodedToken {
  const f = explicitFields(t, 'NegTokenResp');
  const out: Extract<DecodedToken, { wrapper: 'spnego-resp' }> = { wrapper: 'spnego-resp' };
  if (f.has(0)) {
    const s = readInt(f.get(0)!, 'negState');
    out.negState = NEG_STATES[s];
  }
  if (f.has(1)) out.supportedMech = readOid(f.get(1)!);
  if (f.has(2)) out.responseToken = innerToken(readOctets(f.get(2)!));
  return out;
}

/** Decodes raw token bytes. Throws TokenDecodeError with what was wrong. */
export function decodeTokenBytes(b: Buffer): DecodedToken {
  if (!b.length) throw new TokenDecodeError('the token is empty');
  if (b.length > MAX_TOKEN_BYTES) throw new TokenDecodeError(`the token is ${b.length} bytes; krbops decodes at most ${MAX_TOKEN_BYTES}`);
  try {
    if (isNtlm(b)) return { wrapper: 'ntlm', messageType: b.readUInt32LE(8) };
    const t = readWhole(b);
    if (t.cls === APPLICATION && t.tag === 0) {
      const oidTlv = readTlv(t.value, 0);
      if (readOid(oidTlv) === OID_SPNEGO) {
        const inner = readWhole(t.value.subarray(oidTlv.size));
        if (inner.cls === CONTEXT && inner.tag === 0) return negTokenInit(readWhole(inner.value));
        if (inner.cls === CONTEXT && inner.tag === 1) return negTokenResp(readWhole(inner.value));
        throw new DerError('SPNEGO token is neither NegTokenInit nor NegTokenResp');
      }
      return { wrapper: 'kerberos', token: innerToken(b) };
    }
    if (t.cls === CONTEXT && t.tag === 1) return negTokenResp(readWhole(t.value));
    if (t.cls === CONTEXT && t.tag === 0) return negTokenInit(readWhole(t.value));
    if (t.cls === APPLICATION) return { wrapper: 'kerberos', token: innerToken(b) };
    throw new DerError('not a SPNEGO, Kerberos or NTLM token');
  } catch (e) {
    if (e instanceof DerError) throw new TokenDecodeError(`the token is not valid DER: ${e.message}`);
    throw e;
  }
}

/** Decodes a base64 token (the text after `Negotiate `). */
export function decodeNegotiateToken(base64: string): DecodedToken {
  const text = base64.trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) throw new TokenDecodeError('the token is not base64');
  if (text.length > (MAX_TOKEN_BYTES * 4) / 3 + 4) throw new TokenDecodeError(`the token is longer than ${MAX_TOKEN_BYTES} bytes`);
  return decodeTokenBytes(Buffer.from(text, 'base64'));
}

/** The Kerberos message inside a decoded token, if any. */
export function kerberosMessageOf(d: DecodedToken): KerberosMessage | undefined {
  const inner = d.wrapper === 'spnego-init' ? d.mechToken : d.wrapper === 'spnego-resp' ? d.responseToken : d.wrapper === 'kerberos' ? d.token : undefined;
  return inner?.mech === 'kerberos' ? inner.message : undefined;
}
