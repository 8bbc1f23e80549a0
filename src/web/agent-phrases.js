// @ts-check
/*
 * Agent console, quick phrases (loaded after agent.js, uses window.AgentConsole): the shop's
 * phrases (published in /manage, templates/quick_phrases.yaml) as buttons beside the
 * suggestions and as a menu when the agent types "/code" in the reply box. Variables are
 * filled from the open chat. What was sent (as inserted or edited) is counted on the server.
 */
(function () {
  'use strict';
  var AC = window.AgentConsole;
  if (!AC) return;
  var $ = function (id) {
    return document.getElementById(id);
  };
  var phrases = [];
  var menu = { items: [], active: 0, start: -1 };
  var inserted = null; // { code, text } of the last phrase put in the box

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function current() {
    return AC.state.current ? AC.state.convs.get(AC.state.current) : null;
  }
  /** The phrase with {{buyerName}}, {{agentName}}, {{orderNumber}} filled from the open chat. */
  function render(p) {
    var c = current();
    var v = c ? c.conversation : {};
    var values = {
      buyerName: v.buyerName || '亲',
      agentName: AC.state.me ? AC.state.me.name : '',
      orderNumber: v.order ? v.order.number : '【订单号】',
    };
    return p.text.replace(/\{\{\s*(\w+)\s*\}\}/g, function (m, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? values[name] : m;
    });
  }

  function load() {
    fetch('/api/agent/quick-phrases', { headers: { authorization: 'Bearer ' + AC.state.token } })
      .then(function (r) {
        return r.ok ? r.json() : { phrases: [] };
      })
      .then(function (body) {
        phrases = body.phrases || [];
        renderBar();
      })
      .catch(function () {});
  }
  function renderBar() {
    var box = $('phrases');
    box.textContent = '';
    if (phrases.length === 0) box.appendChild(el('span', 'none', '店铺还没有设置快捷短语'));
    phrases.forEach(function (p) {
      var b = el('button', 'small secondary phrase', '/' + p.code + ' ' + p.title);
      b.type = 'button';
      b.dataset.code = p.code;
      b.title = p.text;
      b.addEventListener('click', function () {
        insert(p, null);
      });
      box.appendChild(b);
    });
  }

  /** Puts the phrase in the reply box, replacing the typed "/code" when there is one. */
  function insert(p, replaceFrom) {
    var ta = /** @type {HTMLTextAreaElement} */ ($('compose-text'));
    var text = render(p);
    var end = ta.selectionEnd;
    var from = replaceFrom === null ? ta.selectionStart : replaceFrom;
    ta.value = ta.value.slice(0, from) + text + ta.value.slice(end);
    var caret = from + text.length;
    ta.focus();
    ta.setSelectionRange(caret, caret);
    inserted = { code: p.code, text: ta.value };
    closeMenu();
    ta.dispatchEvent(new Event('input', { bubbles: true }));
  }

  // --- the "/code" menu ------------------------------------------------------------------
  function closeMenu() {
    $('phrase-menu').hidden = true;
    menu.items = [];
    menu.start = -1;
  }
  function updateMenu() {
    var ta = /** @type {HTMLTextAreaElement} */ ($('compose-text'));
    var before = ta.value.slice(0, ta.selectionStart);
    var m = /(^|\s)\/([a-z0-9_]*)$/i.exec(before);
    if (!m || phrases.length === 0) {
      closeMenu();
      return;
    }
    var q = m[2].toLowerCase();
    var items = phrases.filter(function (p) {
      return p.code.indexOf(q) === 0 || p.title.indexOf(q) >= 0;
    });
    if (items.length === 0) {
      closeMenu();
      return;
    }
    menu.items = items;
    menu.start = before.length - m[2].length - 1;
    menu.active = Math.min(menu.active, items.length - 1);
    var ul = $('phrase-menu');
    ul.textContent = '';
    items.forEach(function (p, i) {
      var li = el('li', 'phrase-option' + (i === menu.active ? ' active' : ''));
      li.setAttribute('role', 'option');
      li.setAttribute('aria-selected', String(i === menu.active));
      li.dataset.code = p.code;
      li.appendChild(el('b', null, '/' + p.code));
      li.appendChild(el('span', 'ptitle', p.title));
      li.appendChild(el('span', 'ptext', render(p)));
      // mousedown: a click would blur the box first and lose the caret.
      li.addEventListener('mousedown', function (e) {
        e.preventDefault();
        insert(p, menu.start);
      });
      ul.appendChild(li);
    });
    ul.hidden = false;
  }
  $('compose-text').addEventListener('input', function () {
    if (!(/** @type {HTMLTextAreaElement} */ ($('compose-text')).value)) inserted = null;
    updateMenu();
  });
  $('compose-text').addEventListener('blur', function () {
    setTimeout(closeMenu, 150);
  });

  // Capture phase: runs before agent.js's own Enter-to-send on the box.
  document.addEventListener(
    'keydown',
    function (e) {
      if (e.target !== $('compose-text')) return;
      if (!$('phrase-menu').hidden && menu.items.length) {
        if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
          menu.active = (menu.active + (e.key === 'ArrowDown' ? 1 : menu.items.length - 1)) % menu.items.length;
          updateMenu();
        } else if ((e.key === 'Enter' || e.key === 'Tab') && !e.isComposing) {
          insert(menu.items[menu.active], menu.start);
        } else if (e.key === 'Escape') {
          closeMenu();
        } else {
          return;
        }
        e.preventDefault();
        e.stopPropagation();
        return;
      }
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) countUse();
    },
    true,
  );
  document.addEventListener(
    'submit',
    function (e) {
      if (e.target === $('compose')) countUse();
    },
    true,
  );

  /** Reports the phrase in the box as sent, as inserted or edited. */
  function countUse() {
    var text = /** @type {HTMLTextAreaElement} */ ($('compose-text')).value.trim();
    if (!inserted || !text || !AC.state.current) return;
    var use = text === inserted.text.trim() ? 'sent_as_is' : 'edited';
    var code = inserted.code;
    inserted = null;
    fetch('/api/agent/quick-phrases/' + encodeURIComponent(code) + '/uses', {
      method: 'POST',
      headers: { authorization: 'Bearer ' + AC.state.token, 'content-type': 'application/json' },
      body: JSON.stringify({ use: use }),
    }).catch(function () {});
  }

  document.addEventListener('agent:frame', function (e) {
    if (/** @type {CustomEvent} */ (e).detail.type === 'hello') load();
  });
})();
