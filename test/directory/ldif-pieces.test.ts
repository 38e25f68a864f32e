/**
 * The index pass in pieces and on worker threads (src/directory/ldif-pieces.ts, ldif-parallel.ts)
 * gives the index one pass gives: pieces cut at every byte of the export (inside a folded line, between
 * the CR and LF of a line end, inside a run of blank lines), merged in order; the real workers at
 * several thread counts and piece sizes; errors name the line in the whole file; a worker that dies
 * is a coded error, not a hang.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { IndexBuilder, INDEX_ATTRS } from '../../src/directory/ldif-build.js';
import { LdifDirectory } from '../../src/directory/ldif-directory.js';
import { recordBoundary, scanLdifFile } from '../../src/directory/ldif-files.js';
import { indexLdif, IndexWorkerError } from '../../src/directory/ldif-parallel.js';
import { LdifError } from '../../src/directory/ldif-parse.js';
import { indexPiece, mergePieces, pieceRange, type IndexDump } from '../../src/directory/ldif-pieces.js';
import { open } from 'node:fs/promises';
import { exportText, snapshot } from '../helpers/ldif-export.js';

const dir = mkdtempSync(path.join(tmpdir(), 'krbops-pieces-'));
const write = (name: string, text: string | Buffer) => {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
};

async function single(file: string): Promise<IndexBuilder> {
  const x = new IndexBuilder();
  await scanLdifFile(file, path.basename(file), INDEX_ATTRS, x);
  return x;
}

/** The pieces of `size` bytes indexed one after another in this thread, merged. */
async function inPieces(file: string, size: number, fileSize: number): Promise<IndexBuilder> {
  const dumps: IndexDump[] = [];
  for (let k = 0; k * size < fileSize || k === 0; k++) {
    const r = await indexPiece(file, path.basename(file), k, size, fileSize);
    if (!('dump' in r)) throw new Error(JSON.stringify(r.error));
    dumps.push(r.dump);
  }
  return mergePieces(dumps);
}

describe('the index in pieces', () => {
  for (const [shape, eol] of [['LF', '\n'], ['CRLF', '\r\n']] as const) {
    it(`gives one pass's index wherever the pieces are cut (${shape})`, async () => {
      const text = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(exportText(eol), 'utf8')]);
      const file = write(`all-${shape}.ldf`, text);
      const whole = snapshot(await single(file));
      expect(whole.rest[0]).toEqual({ objects: 14, accounts: 7 });
      // Every cut: piece sizes 1…60 put a piece boundary guess on every byte of the file.
      for (let size = 1; size <= 60; size++) expect(snapshot(await inPieces(file, size, text.length)), `pieces of ${size} bytes`).toEqual(whole);
      for (const size of [97, 200, 512, 1500, text.length]) expect(snapshot(await inPieces(file, size, text.length)), `pieces of ${size} bytes`).toEqual(whole);
    });
  }

  it('finds record boundaries only after a blank line: not inside a folded line, not between CR and LF', async () => {
    const text = Buffer.from(exportText('\r\n'), 'utf8');
    const file = write('bounds.ldf', text);
    const fh = await open(file, 'r');
    try {
      const folded = text.indexOf(' oso.test'); // the continuation of a folded SPN
      const crlf = text.indexOf('\r\n', folded) + 1; // between the CR and the LF
      const next = text.indexOf('dn: CN=skipped');
      for (const guess of [folded, folded + 1, crlf, crlf + 1, next - 2, next - 1, next]) expect(await recordBoundary(fh, guess, text.length), `from ${guess}`).toBe(next);
      const blanks = text.indexOf('\r\n\r\n\r\n') + 2; // inside the run of two blank lines
      expect(await recordBoundary(fh, blanks, text.length)).toBe(blanks + 2);
      expect(await recordBoundary(fh, text.length - 5, text.length)).toBe(text.length);
      // A piece that starts at a folded line's continuation is the piece after the record.
      expect(await pieceRange(file, 1, folded, text.length)).toEqual({ start: next, end: text.indexOf('dn: CN=', 2 * folded) });
    } finally {
      await fh.close();
    }
  });

  it('holds the SPN store as one pass does, and drops it past its budget as one pass does', async () => {
    const text = exportText('\n');
    const file = write('store.ldf', text);
    for (const budget of [64, 150, 1 << 20]) {
      const one = new IndexBuilder(budget);
      await scanLdifFile(file, 'store.ldf', INDEX_ATTRS, one);
      for (const size of [40, 300]) {
        const dumps: IndexDump[] = [];
        for (let k = 0; k * size < text.length; k++) dumps.push((await indexPiece(file, 'store.ldf', k, size, text.length, budget) as { dump: IndexDump }).dump);
        const merged = mergePieces(dumps, budget);
        expect([merged.spns.dropped, merged.spns.holders], `budget ${budget}, pieces of ${size}`).toEqual([one.spns.dropped, one.spns.holders]);
        for (let k = 0; k < one.spns.holders; k++) expect(merged.spns.get(k)).toEqual(one.spns.get(k));
      }
    }
  });
});

describe('the index on worker threads', () => {
  // Many records, so that the pieces are many and the workers take several each.
  const big = Array.from({ length: 40 }, (_, i) => exportText(i % 2 ? '\r\n' : '\n').replaceAll('contoso', `contoso${i}`)).join('\n\n');
  const bigFile = write('big.ldf', big);

  it("gives one pass's index at 2, 3 and 4 threads and several piece sizes", async () => {
    const whole = await single(bigFile);
    const view = (x: IndexBuilder) => ({ ...snapshot(x), holders: Array.from({ length: x.spns.holders }, (_, k) => x.spns.get(k)), names: x.names.startingWith('', 1e6), dns: [0, 77, 300].map((i) => x.slots.get(i)) });
    expect(whole.counts.objects).toBe(560);
    for (const [threads, pieceBytes] of [[2, 1000], [3, 4096], [4, 333]] as const) {
      const x = await indexLdif(bigFile, 'big.ldf', { threads, pieceBytes, minBytes: 0 });
      expect(view(x), `${threads} threads, pieces of ${pieceBytes} bytes`).toEqual(view(whole));
    }
  });

  it('answers the same questions from a directory indexed on several threads', async () => {
    const d = await LdifDirectory.open(bigFile, { threads: 2, pieceBytes: 2000, minBytes: 0 });
    expect((await d.findAccount('contoso7\\crmweb')).dn).toBe('CN=crmweb,OU=Service Accounts,DC=contoso0,DC=test');
    // The folded SPN is the same in every copy (its line break splits "contoso"): 40 holders, read back from every piece.
    const holders = (await d.spnHolders('HTTP/folded.contoso.test')).map((h) => h.dn);
    expect(holders).toHaveLength(40);
    expect(holders).toContain('CN=folded,OU=Service Accounts,DC=contoso33,DC=test');
    // Jürgen's DN is base64 in every copy: DC=contoso has the most accounts.
    expect(await d.info()).toMatchObject({ defaultNamingContext: 'DC=contoso,DC=test', highestCommittedUSN: '1000' });
  });

  it.each([
    ['a change record', 'dn: CN=a,DC=x\nobjectClass: user\nchangetype: modify\n', 3, /changetype: modify is a change/],
    ['a continuation line after a blank line', 'dn: CN=a,DC=x\n\n folded\n', 3, /continuation line/],
    ['bad base64 in an SPN', 'dn: CN=a,DC=x\r\nservicePrincipalName:: ***\r\n', 2, /not valid base64/],
  ])('names the line of %s in the whole file, as one pass does', async (_name, bad, line, message) => {
    const before = big.split('\n').length; // lines of the good records, then a blank line
    const file = write('bad.ldf', `${big}\n\n${bad}\n${big}`);
    const error = await indexLdif(file, 'bad.ldf', { threads: 2, pieceBytes: 3000, minBytes: 0 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LdifError);
    expect((error as LdifError).details).toEqual({ file: 'bad.ldf', line: before + 1 + line });
    expect((error as Error).message).toMatch(message);
    const once = await single(file).catch((e: unknown) => e);
    expect((once as Error).message).toBe((error as Error).message);
  });

  it.each([
    ['exits', 'exiting-worker.mjs', /stopped \(exit code 3\)/],
    ['throws', 'throwing-worker.mjs', /failed \(out of luck\)/],
  ])('a worker that %s is a coded error, and the index pass ends', async (_what, program, message) => {
    const worker = new URL(`../fixtures/ldif/${program}`, import.meta.url);
    const error = await indexLdif(bigFile, 'big.ldf', { threads: 3, pieceBytes: 1000, minBytes: 0, worker }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IndexWorkerError);
    expect(error).toMatchObject({ code: 'INTERNAL', details: { file: 'big.ldf' } });
    expect((error as Error).message).toMatch(message);
  });

  it('stays on one thread for a small file or one thread', async () => {
    const whole = snapshot(await single(bigFile));
    const worker = new URL('../fixtures/ldif/exiting-worker.mjs', import.meta.url); // never started
    expect(snapshot(await indexLdif(bigFile, 'big.ldf', { threads: 4, worker }))).toEqual(whole);
    expect(snapshot(await indexLdif(bigFile, 'big.ldf', { threads: 1, minBytes: 0, worker }))).toEqual(whole);
  });
});
