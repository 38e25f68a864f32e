/**
 * The ADFS metadata collector: the only I/O of the certificate watch. Fetches (or reads) one
 * metadata source, parses it, checks its signature against the pinned certificates and returns an
 * AdfsSnapshot. It never throws for a bad endpoint or document: the failure is in `snapshot.error`.
 */
import { X509Certificate } from 'node:crypto';
import { ErrorCode, isKrbopsError } from '../errors.js';
import { loadMetadata, type FetchMetadataOptions } from '../adfs/fetch.js';
import { parseMetadata } from '../adfs/parse.js';
import { verifyMetadataSignature } from '../adfs/signature.js';
import type { AdfsSnapshot, AdfsState } from '../model/index.js';

export interface CollectAdfsOptions extends FetchMetadataOptions {
  now: Date;
  /** The previous state: its token-signing certificates are the signature pins. Default: none. */
  previousState?: AdfsState;
  /** Extra pinned certificates (PEM, or DER as a Buffer), e.g. `adfs check --pin`. Default: none. */
  pins?: (string | Buffer)[];
  /** Accept a local file path as the source (CLI only; never from chat). Default false. */
  allowFiles?: boolean;
}

/** PEM for a PEM string or a DER/PEM buffer; throws on anything that is not a certificate. */
export function toPem(pin: string | Buffer): string {
  return new X509Certificate(pin).toString();
}

export async function collectAdfs(source: string, options: CollectAdfsOptions): Promise<AdfsSnapshot> {
  const fetchedAt = options.now.toISOString();
  const empty = { source, fetchedAt, certificates: [], problems: [], signature: { status: 'unsigned' as const, pinnedThumbprints: [] } };
  try {
    const fetched = await loadMetadata(source, options);
    const meta = parseMetadata(fetched.xml, { now: options.now, source });
    const pins = [...(options.pins ?? []).map(toPem), ...(options.previousState?.signing.map((s) => s.pem) ?? [])];
    const signature = verifyMetadataSignature(fetched.xml, meta, pins, options.now);
    const signing = meta.certificates.filter((c) => c.uses.includes('signing'));
    // AD FS signs its metadata with the primary token-signing certificate.
    const signer = signature.verifiedWith ?? signature.claimedSigner;
    const primary = signing.find((c) => c.thumbprint === signer) ?? (signing.length === 1 ? signing[0] : undefined);
    if (primary) primary.primary = true;
    return {
      source,
      fetchedAt,
      entityId: meta.entityId,
      certificates: meta.certificates,
      primaryThumbprint: primary?.thumbprint,
      signature,
      problems: meta.problems,
    };
  } catch (e) {
    if (isKrbopsError(e)) return { ...empty, error: { code: e.code, name: e.name, message: e.message } };
    return { ...empty, error: { code: ErrorCode.Internal, name: 'Error', message: `Internal error while reading ${source}: ${(e as Error).message?.slice(0, 160)}` } };
  }
}
