/**
 * The committed WebAssembly scanner (src/directory/ldif-scan-wasm.ts) is what its C source
 * (src/directory/ldif-scan.c) compiles to: nobody ships a module the source does not describe.
 * Needs clang-14 and lld-14 (.ci/run installs them); without them this fails, it does not skip.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.join(import.meta.dirname, '..', '..');

describe('the LDIF scanner module', () => {
  it('is the C source compiled (npm run build:wasm)', () => {
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'krbops-wasm-test-')), 'ldif-scan-wasm.ts');
    try {
      execFileSync(process.execPath, [path.join(root, 'build', 'ldif-wasm.mjs'), out], { stdio: 'pipe' });
    } catch (e) {
      const stderr = String((e as { stderr?: Buffer }).stderr ?? '');
      throw new Error(/ENOENT/.test(stderr) ? 'clang-14 is not installed: .ci/run installs it (apt-get install -y clang-14 lld-14)' : stderr);
    }
    const committed = readFileSync(path.join(root, 'src', 'directory', 'ldif-scan-wasm.ts'), 'utf8');
    expect(readFileSync(out, 'utf8'), 'src/directory/ldif-scan-wasm.ts is stale: run `npm run build:wasm`').toBe(committed);
  });

  it('has no imports and exports the scanner', async () => {
    const { LDIF_SCAN_WASM } = await import('../../src/directory/ldif-scan-wasm.js');
    const m = new WebAssembly.Module(Buffer.from(LDIF_SCAN_WASM, 'base64'));
    expect(WebAssembly.Module.imports(m)).toEqual([]);
    expect(WebAssembly.Module.exports(m).map((e) => e.name).sort()).toEqual(['dupes_begin', 'dupes_pass', 'dupes_spns', 'greatest', 'heap_base', 'index_at', 'index_out', 'lines', 'memory', 'rec_count', 'recs', 'scan', 'set_lines', 'spns', 'stopped_full']);
  });

  it('says by a coded error, not a stack trace, that a Node.js without WebAssembly cannot read an export', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'krbops-jitless-'));
    const script = path.join(dir, 'scan.mts');
    const scanner = pathToFileURL(path.join(root, 'src', 'directory', 'ldif-scan.ts')).href;
    writeFileSync(script, `import { scanLdifBytes } from ${JSON.stringify(scanner)};
try { scanLdifBytes(Buffer.from('dn: CN=a\\n\\n'), 'x.ldf', new Set(), { fast: () => true, slow: () => {} }); console.log('scanned'); }
catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })); }
`);
    const out = execFileSync(process.execPath, ['--jitless', '--import', 'tsx', script], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(JSON.parse(out.trim())).toEqual({ code: 'INTERNAL', message: 'x.ldf: reading an LDIF export needs WebAssembly, which this Node.js has switched off (--jitless?)' });
  });
});
