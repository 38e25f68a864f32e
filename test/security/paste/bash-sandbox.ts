/**
 * Pastes a command into a real bash whose PATH holds only recording stubs (setspn, appcmd,
 * powershell, curl, ktpass, kvno, klist, ktutil, ldapsearch, and what an injection would start:
 * touch, calc, id, sh, rm…). Each stub appends its name and argv to a log; nothing else runs. The
 * working directory is an empty sandbox, so a redirection an injection slipped in shows up as a file.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const STUBS = [
  'krbops', 'setspn', 'appcmd', 'appcmd.exe', 'powershell', 'pwsh', 'curl', 'ktpass', 'kvno', 'klist', 'ktutil', 'ldapsearch', 'nslookup', 'w32tm',
  'touch', 'calc', 'id', 'sh', 'rm', 'cat', 'ls', 'whoami', 'env', 'tee', 'x', 'b', 'a', 'crm', 'PWNED',
];

export interface Pasted {
  /** Each program that ran: its name and arguments. */
  runs: { program: string; argv: string[] }[];
  /** Files that appeared in the working directory. */
  files: string[];
  stderr: string;
  status: number | null;
}

export class BashSandbox {
  private constructor(private readonly root: string) {}

  static create(): BashSandbox {
    const root = mkdtempSync(join(tmpdir(), 'krbops-paste-'));
    const bin = join(root, 'bin');
    mkdirSync(bin);
    mkdirSync(join(root, 'cwd'));
    // \x1f between fields, \x1e after each run: values never hold control characters (src/fix refuses them).
    const stub = `#!/bin/bash\n{ printf '%s' "\${0##*/}"; for a in "$@"; do printf '\\x1f%s' "$a"; done; printf '\\x1e'; } >> "$STUB_LOG"\n`;
    for (const name of STUBS) {
      writeFileSync(join(bin, name), stub);
      chmodSync(join(bin, name), 0o755);
    }
    return new BashSandbox(root);
  }

  paste(command: string): Pasted {
    const log = join(this.root, 'runs.log');
    const cwd = join(this.root, 'cwd');
    writeFileSync(log, '');
    const r = spawnSync('/bin/bash', ['--noprofile', '--norc', '-c', command], {
      cwd,
      env: { PATH: join(this.root, 'bin'), HOME: cwd, STUB_LOG: log, LC_ALL: 'C.UTF-8' },
      input: '',
      timeout: 10_000,
      encoding: 'utf8',
    });
    const runs = readFileSync(log, 'utf8')
      .split('\x1e')
      .filter(Boolean)
      .map((rec) => {
        const [program, ...argv] = rec.split('\x1f');
        return { program, argv };
      });
    const files = readdirSync(cwd);
    for (const f of files) rmSync(join(cwd, f), { recursive: true, force: true });
    return { runs, files, stderr: r.stderr ?? '', status: r.status };
  }

  close(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}
