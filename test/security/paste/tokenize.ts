/**
 * Small models of how cmd.exe and PowerShell read a pasted line, for the hostile-paste test: a line
 * becomes words (their decoded value) and live operators. Deliberately conservative: anything a
 * shell could act on outside a literal is an operator.
 *
 * - cmd.exe: `"` toggles quoting; outside quotes & | < > ^ are operators; `%` (variable expansion)
 *   and `!` (delayed expansion) are operators even inside quotes; a `\"` is reported as an operator
 *   too (the program's argv parser would read an escaped quote). Spaces and tabs split words.
 * - PowerShell: '…' (and the typographic single quotes PowerShell accepts: ‘ ’ ‚ ‛) is literal, a
 *   doubled quote inside is one quote; "…" (and “ ” „) expands `$` and the backtick, so those are
 *   operators inside it; outside quotes $ ` ; ( ) { } @ | & < > , = # are operators. Spaces split words.
 */

export interface Token {
  kind: 'word' | 'op';
  /** For a word: its value after quote removal; for an operator: its character. */
  value: string;
}

const isSpace = (c: string) => c === ' ' || c === '\t';

export function cmdTokens(line: string): Token[] {
  const out: Token[] = [];
  let word: string | undefined;
  let quoted = false;
  const flush = () => {
    if (word !== undefined) out.push({ kind: 'word', value: word });
    word = undefined;
  };
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '\n' || c === '\r') {
      flush();
      out.push({ kind: 'op', value: '\\n' });
      continue;
    }
    if (c === '%' || c === '!') {
      flush();
      out.push({ kind: 'op', value: c });
      continue;
    }
    if (c === '"') {
      if (line[i - 1] === '\\') out.push({ kind: 'op', value: '\\"' });
      quoted = !quoted;
      word ??= '';
      continue;
    }
    if (quoted) {
      word = (word ?? '') + c;
      continue;
    }
    if (isSpace(c)) {
      flush();
      continue;
    }
    if ('&|<>^'.includes(c)) {
      flush();
      out.push({ kind: 'op', value: c });
      continue;
    }
    word = (word ?? '') + c;
  }
  flush();
  if (quoted) out.push({ kind: 'op', value: 'unclosed "' });
  return out;
}

const PS_SINGLE = "'\u2018\u2019\u201a\u201b";
const PS_DOUBLE = '"\u201c\u201d\u201e';
const PS_OPS = '$`;(){}@|&<>,=#';

export function psTokens(line: string): Token[] {
  const out: Token[] = [];
  let word: string | undefined;
  const flush = () => {
    if (word !== undefined) out.push({ kind: 'word', value: word });
    word = undefined;
  };
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '\n' || c === '\r') {
      flush();
      out.push({ kind: 'op', value: '\\n' });
    } else if (PS_SINGLE.includes(c)) {
      // A literal string: runs to the next single quote that is not doubled.
      let s = '';
      let j = i + 1;
      for (; j < line.length; j++) {
        if (PS_SINGLE.includes(line[j])) {
          if (j + 1 < line.length && PS_SINGLE.includes(line[j + 1])) {
            s += line[j];
            j++;
            continue;
          }
          break;
        }
        s += line[j];
      }
      if (j >= line.length) out.push({ kind: 'op', value: "unclosed '" });
      word = (word ?? '') + s;
      i = j;
    } else if (PS_DOUBLE.includes(c)) {
      // An expandable string: $ and ` inside are live.
      let s = '';
      let j = i + 1;
      for (; j < line.length && !PS_DOUBLE.includes(line[j]); j++) {
        if (line[j] === '$' || line[j] === '`') out.push({ kind: 'op', value: `"${line[j]}` });
        s += line[j];
      }
      if (j >= line.length) out.push({ kind: 'op', value: 'unclosed "' });
      word = (word ?? '') + s;
      i = j;
    } else if (isSpace(c)) {
      flush();
    } else if (PS_OPS.includes(c)) {
      flush();
      out.push({ kind: 'op', value: c });
    } else {
      word = (word ?? '') + c;
    }
  }
  flush();
  return out;
}

/** The shell a krbops command is pasted into, by its program (src/fix/index.ts lists them). */
export function shellOf(command: string): 'cmd' | 'powershell' | 'posix' {
  const first = command.trim().split(/\s+/)[0];
  if (/^(curl|kvno|ldapsearch|printf|krbops)$/.test(first) || /^klist -[ke]/.test(command)) return 'posix';
  if (/^[A-Z][a-z]+-[A-Z][A-Za-z]+$/.test(first)) return 'powershell';
  return 'cmd';
}
