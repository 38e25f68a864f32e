/*
 * The krbops playground page. Sends what the person types to the server, which runs it exactly as a
 * chat would, and shows both answers: the Teams Adaptive Cards drawn by the official adaptivecards
 * renderer (served from the npm package), and the Slack Block Kit blocks drawn here as Slack lays
 * them out, with their JSON for Slack's Block Kit Builder. Buttons post back to the server.
 * Everything the server sends is data: text is escaped before it reaches innerHTML.
 */
'use strict';

const HOST_CONFIG = {
  fontFamily: "'Segoe UI', 'Liberation Sans', 'DejaVu Sans', sans-serif",
  fontTypes: {
    default: { fontFamily: "'Segoe UI', 'Liberation Sans', 'DejaVu Sans', sans-serif" },
    monospace: { fontFamily: "Consolas, 'DejaVu Sans Mono', 'Liberation Mono', monospace" },
  },
  supportsInteractivity: true,
  containerStyles: {
    default: { backgroundColor: '#FFFFFF', foregroundColors: { default: { default: '#242424', subtle: '#616161' }, accent: { default: '#5B5FC7' }, good: { default: '#0E700E' }, warning: { default: '#835B00' }, attention: { default: '#C4314B' } } },
    emphasis: { backgroundColor: '#F5F5F5', foregroundColors: { default: { default: '#242424', subtle: '#616161' }, accent: { default: '#5B5FC7' }, good: { default: '#0E700E' }, warning: { default: '#835B00' }, attention: { default: '#C4314B' } } },
    accent: { backgroundColor: '#E8EBFA', foregroundColors: { default: { default: '#242424', subtle: '#616161' } } },
    good: { backgroundColor: '#E7F2DA', foregroundColors: { default: { default: '#242424', subtle: '#616161' } } },
    attention: { backgroundColor: '#FCF4F6', foregroundColors: { default: { default: '#242424', subtle: '#616161' } } },
    warning: { backgroundColor: '#FBF6D9', foregroundColors: { default: { default: '#242424', subtle: '#616161' } } },
  },
  actions: { maxActions: 6, buttonSpacing: 8, actionsOrientation: 'horizontal', actionAlignment: 'left' },
};

const EMOJI = {
  hourglass_flowing_sand: '⏳', white_check_mark: '✅', no_entry: '⛔', heavy_multiplication_x: '✖️', large_green_circle: '🟢',
  warning: '⚠️', x: '❌', memo: '📝', red_circle: '🔴', large_orange_circle: '🟠', large_yellow_circle: '🟡', large_blue_circle: '🔵',
  white_circle: '⚪', question: '❓', mag: '🔍', rotating_light: '🚨', information_source: 'ℹ️', heavy_check_mark: '✔️', lock: '🔒',
};

const $ = (sel, el = document) => el.querySelector(sel);

function escapeHtml(s) {
  return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

function emoji(s) {
  return s.replace(/:([a-z0-9_+-]+):/g, (all, name) => EMOJI[name] ?? all);
}

/** Slack escapes &, < and > in text as entities; undo that, then escape for HTML ourselves. */
function slackDecode(s) {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** Inline mrkdwn (no code blocks): links, `code`, *bold*, _italic_, ~strike~, :emoji:. */
function inline(raw) {
  const parts = [];
  // <url|text>, <url>, <#C123>, <@U123>: the only raw angle brackets Slack text has.
  const re = /<([^<>|]+)(?:\|([^<>]+))?>/g;
  let last = 0;
  let m;
  while ((m = re.exec(raw))) {
    parts.push({ text: raw.slice(last, m.index) });
    parts.push({ link: m[1], label: m[2] });
    last = re.lastIndex;
  }
  parts.push({ text: raw.slice(last) });
  return parts
    .map((p) => {
      if (p.link !== undefined) {
        const label = p.label ?? p.link;
        if (/^https?:\/\//i.test(p.link)) return `<a href="${escapeHtml(p.link)}" target="_blank" rel="noopener noreferrer">${escapeHtml(slackDecode(label))}</a>`;
        return `<span class="sk-mention">${escapeHtml(slackDecode(label))}</span>`;
      }
      const codeParts = p.text.split('`');
      return codeParts
        .map((t, i) => {
          const e = escapeHtml(slackDecode(t));
          if (i % 2 === 1 && i < codeParts.length - 1) return `<code>${e}</code>`;
          const body = (i % 2 === 1 ? '`' : '') + e;
          return body
            // As Slack does: a marker opens after a non-word character and closes before one.
            .replace(/(^|[^A-Za-z0-9*])\*(\S(?:.*?\S)?)\*(?=$|[^A-Za-z0-9*])/g, '$1<b>$2</b>')
            .replace(/(^|[^A-Za-z0-9_])_(\S(?:.*?\S)?)_(?=$|[^A-Za-z0-9_])/g, '$1<i>$2</i>')
            .replace(/(^|[^A-Za-z0-9~])~(\S(?:.*?\S)?)~(?=$|[^A-Za-z0-9~])/g, '$1<s>$2</s>')
            .replace(/:([a-z0-9_+-]+):/g, (all, name) => EMOJI[name] ?? all);
        })
        .join('');
    })
    .join('');
}

/** mrkdwn → HTML: ``` blocks, > quotes, then inline formatting. */
function mrkdwn(text) {
  const chunks = String(text).split('```');
  return chunks
    .map((c, i) => {
      if (i % 2 === 1 && i < chunks.length - 1) return `<pre>${escapeHtml(slackDecode(c.replace(/^\n/, '')))}</pre>`;
      return c
        .split('\n')
        .map((line) => (line.startsWith('&gt; ') || line.startsWith('> ') ? `<span class="sk-quote">${inline(line.replace(/^(&gt;|>) /, ''))}</span>` : inline(line)))
        .join('\n');
    })
    .join('');
}

function renderBlocks(blocks, onButton) {
  const root = document.createElement('div');
  for (const b of blocks) {
    let el;
    if (b.type === 'header') {
      el = document.createElement('div');
      el.className = 'sk-header';
      el.textContent = b.text.emoji === false ? b.text.text : emoji(b.text.text);
    } else if (b.type === 'section') {
      el = document.createElement('div');
      if (b.text) {
        const t = document.createElement('div');
        t.className = 'sk-section';
        t.innerHTML = b.text.type === 'mrkdwn' ? mrkdwn(b.text.text) : escapeHtml(b.text.text);
        el.appendChild(t);
      }
      if (b.fields?.length) {
        const f = document.createElement('div');
        f.className = 'sk-fields';
        for (const x of b.fields) {
          const d = document.createElement('div');
          d.innerHTML = x.type === 'mrkdwn' ? mrkdwn(x.text) : escapeHtml(x.text);
          f.appendChild(d);
        }
        el.appendChild(f);
      }
    } else if (b.type === 'context') {
      el = document.createElement('div');
      el.className = 'sk-context';
      el.innerHTML = b.elements.map((x) => (x.type === 'mrkdwn' ? mrkdwn(x.text) : escapeHtml(x.text ?? ''))).join(' ');
    } else if (b.type === 'divider') {
      el = document.createElement('hr');
      el.className = 'sk-divider';
    } else if (b.type === 'actions') {
      el = document.createElement('div');
      el.className = 'sk-actions';
      for (const x of b.elements) {
        const btn = document.createElement('button');
        btn.type = 'button';
        btn.className = `sk-button ${x.style ?? ''}`;
        btn.textContent = x.text.text;
        btn.addEventListener('click', () => onButton(x));
        el.appendChild(btn);
      }
    } else {
      el = document.createElement('pre');
      el.textContent = JSON.stringify(b, null, 2);
    }
    root.appendChild(el);
  }
  return root;
}

function slackMessage(msg, onButton) {
  const box = document.createElement('div');
  box.className = 'sk-message';
  box.innerHTML = '<div class="sk-bot">krbops<span class="app">APP</span></div>';
  box.appendChild(renderBlocks(msg.blocks, onButton));
  const details = document.createElement('details');
  details.className = 'sk-json';
  const json = JSON.stringify({ blocks: msg.blocks }, null, 2);
  details.innerHTML = `<summary>Block Kit JSON</summary><pre></pre><a target="_blank" rel="noopener noreferrer">Open in Block Kit Builder</a>`;
  $('pre', details).textContent = json;
  $('a', details).href = `https://app.slack.com/block-kit-builder#${encodeURIComponent(JSON.stringify({ blocks: msg.blocks }))}`;
  box.appendChild(details);
  return box;
}

function teamsCard(card, onExecute) {
  const AC = window.AdaptiveCards;
  const box = document.createElement('div');
  box.className = 'card';
  const ac = new AC.AdaptiveCard();
  ac.hostConfig = new AC.HostConfig(HOST_CONFIG);
  ac.onExecuteAction = (action) => {
    if (action instanceof AC.ExecuteAction) onExecute({ verb: action.verb, data: action.data });
    else if (action instanceof AC.OpenUrlAction && /^https?:/i.test(action.url)) window.open(action.url, '_blank', 'noopener');
  };
  ac.parse(card);
  const el = ac.render();
  if (el) box.appendChild(el);
  return box;
}

async function post(path, body) {
  const res = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${res.status} ${res.statusText}`);
  return res.json();
}

let exchanges = 0;

function exchange(label, who) {
  const ex = document.createElement('section');
  ex.className = 'exchange';
  ex.dataset.n = String(++exchanges);
  ex.innerHTML = '<div class="asked"></div><div class="panes"><div class="pane teams"><h2>Microsoft Teams</h2><div class="out"><p class="working">Working on it…</p></div></div><div class="pane slack"><h2>Slack</h2><div class="out"><p class="working">Working on it…</p></div></div></div>';
  $('.asked', ex).textContent = label;
  const w = document.createElement('span');
  w.className = 'who';
  w.textContent = `as ${who}`;
  $('.asked', ex).appendChild(w);
  $('#log').prepend(ex);
  return ex;
}

function show(ex, answer) {
  const teams = $('.teams .out', ex);
  const slack = $('.slack .out', ex);
  teams.innerHTML = '';
  slack.innerHTML = '';
  ex.dataset.kind = answer.kind;
  for (const card of answer.teams) teams.appendChild(teamsCard(card, (a) => act(`Teams button: ${a.verb}`, { surface: 'teams', verb: a.verb, data: a.data })));
  for (const msg of [answer.slack, ...(answer.slack.followUps ?? [])]) slack.appendChild(slackMessage(msg, (b) => act(`Slack button: ${b.text.text}`, { surface: 'slack', actionId: b.action_id, value: b.value })));
}

async function run(label, path, body) {
  const who = $('#as').value;
  const ex = exchange(label, who === 'admin' ? 'demo admin' : 'demo engineer');
  try {
    show(ex, await post(path, { ...body, as: who }));
  } catch (e) {
    for (const out of ex.querySelectorAll('.out')) out.innerHTML = `<p class="failed">${escapeHtml(e.message)}</p>`;
  }
}

function act(label, action) {
  return run(label, '/playground/api/action', action);
}

async function init() {
  try {
    const info = await (await fetch('/playground/api/info')).json();
    const src = $('#source');
    if (info.demo) {
      src.textContent = `DEMO DATA: answers come from the made-up contoso.com (${info.directory}) with recorded DNS and HTTP answers. Buttons record requests in a throwaway store; "demo admin" (${info.admin}) can approve.`;
      src.classList.add('demo');
    } else {
      src.textContent = `Directory: ${info.directory ?? 'not configured'}. Approvals as ${info.admin}.`;
    }
  } catch {
    $('#source').textContent = 'krbops did not answer.';
  }
  $('#ask').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const text = $('#command').value.trim();
    if (text) run(text, '/playground/api/command', { text });
  });
  document.body.dataset.ready = 'true';
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
else init();
