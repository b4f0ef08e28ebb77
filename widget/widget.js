/*
 * Online abuse support: the website chat widget.
 *
 * Embed with one tag; it works on any site because every URL it uses is derived
 * from its own src:
 *
 *   <script src="https://HOST/webhooks/widget/widget.js" defer></script>
 *
 * Optional attributes on that script tag:
 *   data-exit-url="https://..."  where Quick exit and Esc go (default: a weather search)
 *   data-title="..."             the panel heading (default "Online abuse support")
 *   data-launcher-label="..."    the floating button's text (default "Get support")
 *
 * If the page has an element with id="abuse-support-widget" the chat fills it
 * ("inline", as on the demo page); otherwise a button at the bottom right opens it.
 *
 * Safety and privacy, for people who may be watched:
 * - Nothing is written to the device: no cookies, no localStorage, no sessionStorage.
 *   The conversation id is random (crypto.getRandomValues, 192 bits) and lives only
 *   in this page's memory, so a reload or a re-opened tab starts a fresh, empty chat.
 *   When the page is left for good (pagehide, not kept in the back/forward cache) the
 *   server copy is deleted too, since nobody could ever read it again.
 * - Quick exit (the button, or Esc while the chat is open) wipes the conversation from
 *   the page, tells the server to forget it (sendBeacon, which survives navigation) and
 *   replaces the page with a neutral one, so Back does not return to it.
 * - Message text only ever reaches the page through textContent; bot Markdown is turned
 *   into elements, and only https:, tel: and mailto: links become links.
 *
 * Plain ES2019, no dependencies, no build step. Strict-CSP safe: no inline styles, no eval.
 */
(() => {
  'use strict';

  const script = document.currentScript ||
    document.querySelector('script[src$="/widget.js"], script[src="widget.js"]');
  if (!script || !script.src) return;

  const BASE = new URL('.', script.src).href; // ".../webhooks/widget/"
  const DEFAULT_EXIT = 'https://www.google.com/search?q=weather';
  const CONTAINER_ID = 'abuse-support-widget';
  const MAX_LENGTH = 2000;
  const REPLY_TIMEOUT = 30000;
  const LINK_SCHEMES = ['https:', 'tel:', 'mailto:'];
  const STORAGE_PREFIX = 'asw:'; // we never write storage; Quick exit still sweeps this prefix

  const config = {
    exitUrl: exitTarget(script.getAttribute('data-exit-url')),
    title: script.getAttribute('data-title') || 'Online abuse support',
    launcherLabel: script.getAttribute('data-launcher-label') || 'Get support',
  };

  const INTRO = "Hi, I'm here to help with online harassment, threats, doxxing and abuse. " +
    "Tell me in your own words what's happening, and where you are if you're comfortable sharing.";
  const NOTE = 'General information, not legal advice. This chat is not stored on your device. ' +
    'Quick exit or Esc leaves immediately.';

  const state = {
    sender: newSender(),
    started: false, // a message has been sent, so the server may hold a conversation
    busy: false,
    exiting: false,
    request: null, // AbortController of the message in flight
    emergencyLoaded: false,
    emergencyShown: 0, // bumped by every reply, so a slow first fetch cannot overwrite a newer line
  };

  let ui = null;

  // -- helpers ---------------------------------------------------------------------------

  function exitTarget(value) {
    if (value) {
      try {
        const url = new URL(value, document.baseURI);
        if (url.protocol === 'https:' || url.protocol === 'http:') return url.href;
      } catch (error) { /* fall through to the default */ }
    }
    return DEFAULT_EXIT;
  }

  function newSender() {
    const bytes = new Uint8Array(24); // 24 bytes -> 32 url-safe characters
    crypto.getRandomValues(bytes);
    let binary = '';
    bytes.forEach((b) => { binary += String.fromCharCode(b); });
    return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function srOnly(text) {
    return el('span', 'asw-sr', text);
  }

  function button(className, label) {
    const node = el('button', 'asw-btn ' + className, label);
    node.type = 'button';
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  function reducedMotion() {
    return !!(window.matchMedia && window.matchMedia('(prefers-reduced-motion: reduce)').matches);
  }

  // -- network ---------------------------------------------------------------------------

  async function api(path, body, timeout) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeout);
    if (body) state.request = controller;
    try {
      const response = await fetch(BASE + path, {
        method: body ? 'POST' : 'GET',
        headers: body ? { 'Content-Type': 'application/json' } : undefined,
        body: body ? JSON.stringify(body) : undefined,
        credentials: 'omit',
        cache: 'no-store',
        referrerPolicy: 'no-referrer',
        signal: controller.signal,
      });
      if (!response.ok) throw new Error('HTTP ' + response.status);
      return await response.json();
    } finally {
      clearTimeout(timer);
      if (state.request === controller) state.request = null;
    }
  }

  function forgetOnServer(sender) {
    const url = BASE + 'forget';
    const body = JSON.stringify({ sender });
    try {
      // A string body is sent as text/plain: no CORS preflight, so it survives navigation.
      if (navigator.sendBeacon && navigator.sendBeacon(url, body)) return;
    } catch (error) { /* fall back to fetch */ }
    try {
      fetch(url, { method: 'POST', body, keepalive: true, credentials: 'omit', referrerPolicy: 'no-referrer' })
        .catch(() => {});
    } catch (error) { /* nothing more we can do */ }
  }

  // -- the emergency line ------------------------------------------------------------------

  function validNumber(entry) {
    return entry && typeof entry.number === 'string' && /^\+?[0-9][0-9 ()-]{0,19}$/.test(entry.number);
  }

  function telLink(number, label) {
    const link = el('a', 'asw-tel', label);
    link.href = 'tel:' + number.replace(/[^0-9+]/g, '');
    return link;
  }

  /* "Triple Zero (000)" -> "Triple Zero"; "111 (Police, Fire, Ambulance)" -> "Police, Fire, Ambulance"; "911" -> "" */
  function serviceName(name, number) {
    let text = String(name || '').split('(' + number + ')').join('').trim();
    if (text === number) return '';
    if (text.indexOf(number + ' ') === 0) text = text.slice(number.length).trim();
    return text.replace(/^\((.*)\)$/, '$1').trim();
  }

  function renderEmergency(data) {
    const line = ui.emergency;
    const numbers = data && Array.isArray(data.numbers) ? data.numbers.filter(validNumber) : [];
    clear(line);
    line.appendChild(el('strong', 'asw-emergency-lead', 'In danger?'));
    line.appendChild(document.createTextNode(' '));
    if (data && data.place && numbers.length) {
      const first = numbers[0];
      const service = serviceName(first.name, first.number);
      line.appendChild(telLink(first.number, 'Call ' + first.number + (service ? ' (' + service + ')' : '')));
    } else if (numbers.length) {
      line.appendChild(document.createTextNode('Call your emergency number:'));
      const list = el('ul', 'asw-numbers');
      numbers.forEach((entry) => {
        const item = el('li', 'asw-number');
        item.appendChild(telLink(entry.number, String(entry.place || '') + ' ' + entry.number));
        list.appendChild(item);
      });
      line.appendChild(list);
    } else {
      line.appendChild(document.createTextNode('Call your local emergency number now.'));
    }
  }

  async function loadEmergency() {
    const query = state.started ? '?sender=' + encodeURIComponent(state.sender) : '';
    const shown = state.emergencyShown;
    try {
      const data = await api('emergency' + query, null, 10000);
      if (!state.exiting && shown === state.emergencyShown) {
        renderEmergency(data);
        state.emergencyLoaded = true;
      }
    } catch (error) { /* keep the generic line; the next reply brings the numbers */ }
  }

  // -- Markdown (a small, safe subset) -> elements ---------------------------------------

  // No lookbehind: Safari before 16.4 cannot parse it, and the whole widget would fail to load.
  const INLINE = new RegExp([
    '\\*\\*(.+?)\\*\\*', // 1: **bold**
    '(^|[^\\p{L}\\p{N}_])_([^\\s_](?:[^_]*[^\\s_])?)_(?![\\p{L}\\p{N}_])', // 2, 3: _italic_ (2: char before)
    '\\[([^\\]\\n]{1,300})\\]\\(([^()\\s]{1,2000})\\)', // 4, 5: [text](url)
    '((?:https:\\/\\/|mailto:|tel:)[^\\s<>"\'`]+)', // 6: bare https:, mailto:, tel:
  ].join('|'), 'gu');
  const TRAILING = /[.,;:!?'"\]]$/;

  function safeLink(href, label) {
    let url;
    try {
      url = new URL(href);
    } catch (error) {
      return null;
    }
    if (LINK_SCHEMES.indexOf(url.protocol) === -1) return null;
    if (url.protocol === 'https:' && !url.hostname) return null;
    const link = el('a', 'asw-link', label);
    link.href = url.href;
    if (url.protocol === 'https:') {
      link.target = '_blank';
      link.rel = 'noopener noreferrer';
      link.referrerPolicy = 'no-referrer';
      link.appendChild(srOnly(' (opens in a new tab)'));
    }
    return link;
  }

  function trimUrl(url) {
    let trail = '';
    for (;;) {
      const last = url.slice(-1);
      const unbalanced = last === ')' && (url.match(/\(/g) || []).length < (url.match(/\)/g) || []).length;
      if (!TRAILING.test(url) && !unbalanced) break;
      trail = last + trail;
      url = url.slice(0, -1);
    }
    return [url, trail];
  }

  function renderInline(text, into, depth) {
    const pattern = new RegExp(INLINE.source, INLINE.flags); // own lastIndex: safe to recurse
    let last = 0;
    let match;
    while ((match = pattern.exec(text)) !== null) {
      let start = match.index;
      let source = match[0];
      if (match[2]) { // the character before an _italic_ is plain text
        start += match[2].length;
        source = source.slice(match[2].length);
      }
      if (start > last) into.appendChild(document.createTextNode(text.slice(last, start)));
      let node = null;
      let after = '';
      if (match[1] !== undefined && depth < 3) {
        node = el('strong');
        renderInline(match[1], node, depth + 1);
      } else if (match[3] !== undefined && depth < 3) {
        node = el('em');
        renderInline(match[3], node, depth + 1);
      } else if (match[4] !== undefined) {
        node = safeLink(match[5], match[4]);
      } else if (match[6] !== undefined) {
        const parts = trimUrl(match[6]);
        node = parts[0].length > 8 ? safeLink(parts[0], parts[0]) : null;
        if (node) after = parts[1];
      }
      into.appendChild(node || document.createTextNode(source));
      if (after) into.appendChild(document.createTextNode(after));
      last = pattern.lastIndex;
    }
    if (last < text.length) into.appendChild(document.createTextNode(text.slice(last)));
  }

  const BULLET = /^\s*[-*•]\s+/;
  const NUMBERED = /^\s*(\d{1,3})[.)]\s+/;

  function renderMarkdown(text, into) {
    const blocks = String(text).replace(/\r\n?/g, '\n').split(/\n[ \t]*\n/);
    blocks.forEach((block) => {
      const lines = block.split('\n').filter((line) => line.trim() !== '');
      let i = 0;
      while (i < lines.length) {
        if (BULLET.test(lines[i]) || NUMBERED.test(lines[i])) {
          const numbered = !BULLET.test(lines[i]);
          const marker = numbered ? NUMBERED : BULLET;
          const list = el(numbered ? 'ol' : 'ul', 'asw-list');
          if (numbered) list.start = parseInt(NUMBERED.exec(lines[i])[1], 10);
          while (i < lines.length && marker.test(lines[i]) && (numbered || !NUMBERED.test(lines[i]))) {
            const item = el('li');
            renderInline(lines[i].replace(marker, ''), item, 0);
            list.appendChild(item);
            i += 1;
          }
          into.appendChild(list);
        } else {
          const paragraph = el('p', 'asw-p');
          let first = true;
          while (i < lines.length && !BULLET.test(lines[i]) && !NUMBERED.test(lines[i])) {
            if (!first) paragraph.appendChild(el('br'));
            renderInline(lines[i].trim(), paragraph, 0);
            first = false;
            i += 1;
          }
          into.appendChild(paragraph);
        }
      }
    });
  }

  // -- the conversation ----------------------------------------------------------------------

  function addMessage(who, fill) {
    const message = el('div', 'asw-msg asw-msg-' + who);
    message.appendChild(srOnly(who === 'user' ? 'You said: ' : 'Support said: '));
    const bubble = el('div', 'asw-bubble');
    fill(bubble);
    message.appendChild(bubble);
    ui.log.insertBefore(message, ui.typing);
    return message;
  }

  function addUserMessage(text) {
    return addMessage('user', (bubble) => { bubble.textContent = text; });
  }

  function addBotMessage(text) {
    return addMessage('bot', (bubble) => renderMarkdown(text, bubble));
  }

  function addSuggestions(buttons) {
    const valid = buttons.filter((b) => b && typeof b.title === 'string' && b.title.trim() &&
      (typeof b.payload === 'string' || typeof b.payload === 'undefined'));
    if (!valid.length) return null;
    const group = el('div', 'asw-suggestions');
    group.setAttribute('role', 'group');
    group.setAttribute('aria-label', 'Suggested replies');
    valid.forEach((b) => {
      const chip = button('asw-chip', b.title.trim());
      chip.addEventListener('click', (event) => {
        const fromKeyboard = event.detail === 0;
        if (submit(b.payload || b.title, b.title.trim()) && fromKeyboard) ui.input.focus();
      });
      group.appendChild(chip);
    });
    ui.log.insertBefore(group, ui.typing);
    return group;
  }

  function removeAll(selector) {
    Array.prototype.slice.call(ui.log.querySelectorAll(selector)).forEach((node) => node.remove());
  }

  function scrollToShow(node) {
    const top = node ? Math.max(0, node.offsetTop - 12) : ui.log.scrollHeight;
    const behavior = reducedMotion() ? 'auto' : 'smooth';
    if (ui.log.scrollTo) ui.log.scrollTo({ top, behavior });
    else ui.log.scrollTop = top;
  }

  function setBusy(busy) {
    state.busy = busy;
    ui.typing.hidden = !busy;
    ui.send.setAttribute('aria-disabled', busy ? 'true' : 'false');
    if (busy) scrollToShow(null);
  }

  function renderReplies(data) {
    const messages = data && Array.isArray(data.messages) ? data.messages : [];
    let first = null;
    messages.forEach((message) => {
      if (!message || typeof message !== 'object') return;
      const text = typeof message.text === 'string' && message.text.trim() ? addBotMessage(message.text) : null;
      const chips = Array.isArray(message.buttons) ? addSuggestions(message.buttons) : null;
      first = first || text || chips; // scroll to the start of the reply, not to its end
    });
    if (data && data.emergency) {
      state.emergencyShown += 1;
      renderEmergency(data.emergency);
      state.emergencyLoaded = true;
    }
    if (first) scrollToShow(first);
  }

  function showError(message, bubble) {
    removeAll('.asw-error');
    bubble.classList.add('asw-failed');
    const status = el('span', 'asw-failed-label', 'Not sent');
    bubble.parentNode.appendChild(status);
    const box = el('div', 'asw-msg asw-error');
    box.appendChild(el('p', 'asw-p',
      "Sorry, your message didn't reach us. Check your connection and try again. " +
      'If you are in danger, call the emergency number at the top.'));
    const retry = button('asw-retry', 'Retry');
    retry.addEventListener('click', (event) => {
      if (state.busy || state.exiting) return;
      const fromKeyboard = event.detail === 0;
      box.remove();
      status.remove();
      bubble.classList.remove('asw-failed');
      deliver(message, bubble);
      if (fromKeyboard) ui.input.focus();
    });
    box.appendChild(retry);
    ui.log.insertBefore(box, ui.typing);
    scrollToShow(box);
  }

  async function deliver(message, bubble) {
    state.started = true;
    setBusy(true);
    try {
      const data = await api('webhook', { sender: state.sender, message }, REPLY_TIMEOUT);
      if (!state.exiting) renderReplies(data);
    } catch (error) {
      if (!state.exiting) showError(message, bubble);
    } finally {
      if (!state.exiting) setBusy(false);
    }
  }

  /* Send `message` to the assistant, showing `shown` (a button's title) as what the person said. */
  function submit(message, shown) {
    if (state.busy || state.exiting) return false;
    const text = String(message).slice(0, MAX_LENGTH).trim();
    if (!text) return false;
    removeAll('.asw-suggestions, .asw-error');
    const bubble = addUserMessage(shown || text).querySelector('.asw-bubble');
    deliver(text, bubble);
    return true;
  }

  // -- quick exit ----------------------------------------------------------------------------

  function sweepSessionStorage() {
    try {
      const keys = [];
      for (let i = 0; i < window.sessionStorage.length; i += 1) {
        const key = window.sessionStorage.key(i);
        if (key && key.indexOf(STORAGE_PREFIX) === 0) keys.push(key);
      }
      keys.forEach((key) => window.sessionStorage.removeItem(key));
    } catch (error) { /* storage blocked: then there is nothing of ours in it */ }
  }

  function quickExit() {
    if (state.exiting) {
      window.location.replace(config.exitUrl);
      return;
    }
    state.exiting = true;
    // 1. wipe the conversation from the page
    if (state.request) state.request.abort();
    if (ui) {
      clear(ui.log);
      ui.input.value = '';
      ui.root.hidden = true;
    }
    if (document.body) document.body.hidden = true; // the host page may say what this is, too
    // 2. our sessionStorage entries (we make none; sweep in case an older version did)
    sweepSessionStorage();
    // 3. the server forgets the conversation
    if (state.started) forgetOnServer(state.sender);
    state.sender = '';
    // 4. leave, replacing this page in history so Back does not return to it
    window.location.replace(config.exitUrl);
  }

  function onKeydown(event) {
    if (event.key !== 'Escape' || event.isComposing || event.keyCode === 229) return;
    if (ui.inline || !ui.panel.hidden) {
      event.preventDefault();
      quickExit();
    }
  }

  function onPagehide(event) {
    // Leaving for good: the id dies with the page, so nobody could read the server copy again.
    if (!event.persisted && state.started && !state.exiting) forgetOnServer(state.sender);
  }

  // -- building the UI -----------------------------------------------------------------------

  function ensureStylesheet() {
    const href = BASE + 'widget.css';
    const present = Array.prototype.some.call(document.querySelectorAll('link[rel~="stylesheet"]'),
      (link) => link.href === href);
    if (present) return;
    const link = document.createElement('link');
    link.rel = 'stylesheet';
    link.href = href;
    link.referrerPolicy = 'no-referrer';
    document.head.appendChild(link);
  }

  function build(container) {
    const inline = !!container;
    const root = el('div', 'asw-root ' + (inline ? 'asw-inline' : 'asw-floating'));
    root.setAttribute('data-asw-root', '');
    root.lang = 'en';
    root.dir = 'ltr';

    const panel = el('section', 'asw-panel');
    const titleId = 'asw-title';
    panel.setAttribute('aria-labelledby', titleId);
    if (!inline) {
      panel.setAttribute('role', 'dialog');
      panel.setAttribute('aria-modal', 'false');
      panel.tabIndex = -1;
      panel.hidden = true;
    }

    const emergency = el('div', 'asw-emergency');
    panel.appendChild(emergency);

    const header = el('div', 'asw-header');
    const headingLevel = inline && !document.querySelector('h1') ? 'h1' : 'h2';
    const title = el(headingLevel, 'asw-title', config.title);
    title.id = titleId;
    header.appendChild(title);
    const exit = button('asw-exit', 'Quick exit');
    exit.setAttribute('aria-keyshortcuts', 'Escape');
    exit.addEventListener('click', quickExit);
    header.appendChild(exit);
    let close = null;
    if (!inline) {
      close = button('asw-close', '');
      close.setAttribute('aria-label', 'Close chat');
      close.appendChild(el('span', 'asw-close-icon', '\u00d7')).setAttribute('aria-hidden', 'true');
      header.appendChild(close);
    }
    panel.appendChild(header);

    panel.appendChild(el('p', 'asw-note', NOTE));

    const log = el('div', 'asw-log');
    log.setAttribute('role', 'log');
    log.setAttribute('aria-live', 'polite');
    log.setAttribute('aria-label', 'Conversation');
    log.tabIndex = 0;
    const typing = el('div', 'asw-msg asw-msg-bot asw-typing');
    typing.setAttribute('aria-hidden', 'true');
    const dots = el('div', 'asw-bubble asw-dots');
    for (let i = 0; i < 3; i += 1) dots.appendChild(el('span', 'asw-dot'));
    typing.appendChild(dots);
    typing.hidden = true;
    log.appendChild(typing);
    panel.appendChild(log);

    const form = el('form', 'asw-form');
    form.noValidate = true;
    form.setAttribute('aria-label', 'Send a message');
    const inputId = 'asw-input';
    const label = el('label', 'asw-sr', 'Your message');
    label.htmlFor = inputId;
    form.appendChild(label);
    const input = el('textarea', 'asw-input');
    input.id = inputId;
    input.rows = 1;
    input.maxLength = MAX_LENGTH;
    input.placeholder = 'Type your message';
    input.setAttribute('autocomplete', 'off');
    input.setAttribute('enterkeyhint', 'send');
    input.setAttribute('aria-describedby', inputId + '-hint');
    form.appendChild(input);
    const send = el('button', 'asw-btn asw-send', 'Send');
    send.type = 'submit';
    send.setAttribute('aria-disabled', 'false');
    form.appendChild(send);
    panel.appendChild(form);
    const hint = el('p', 'asw-hint', 'Enter sends. Shift+Enter adds a new line.');
    hint.id = inputId + '-hint';
    panel.appendChild(hint);

    let launcher = null;
    if (!inline) {
      launcher = button('asw-launcher', config.launcherLabel);
      launcher.setAttribute('aria-expanded', 'false');
      launcher.setAttribute('aria-haspopup', 'dialog');
      root.appendChild(launcher);
    }
    root.appendChild(panel);

    ui = { root, panel, inline, emergency, log, typing, input, send, launcher, close };
    renderEmergency(null);
    addBotMessage(INTRO);

    form.addEventListener('submit', (event) => {
      event.preventDefault();
      if (submit(input.value)) input.value = '';
    });
    input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
        event.preventDefault();
        if (submit(input.value)) input.value = '';
      }
    });
    if (launcher) {
      launcher.addEventListener('click', () => setOpen(true));
      close.addEventListener('click', () => setOpen(false));
    }

    (container || document.body).appendChild(root);
    return root;
  }

  function setOpen(open) {
    ui.panel.hidden = !open;
    ui.launcher.hidden = open;
    ui.launcher.setAttribute('aria-expanded', open ? 'true' : 'false');
    if (open) {
      if (!state.emergencyLoaded) loadEmergency();
      ui.panel.focus();
    } else {
      ui.launcher.focus();
    }
  }

  function start() {
    if (document.querySelector('[data-asw-root]')) return; // embedded twice: keep the first
    const container = document.getElementById(CONTAINER_ID);
    ensureStylesheet();
    build(container);
    document.addEventListener('keydown', onKeydown, true);
    window.addEventListener('pagehide', onPagehide);
    if (ui.inline) loadEmergency();
  }

  // Everything above is defined; now start.
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start, { once: true });
  } else {
    start();
  }
})();
