// @ts-check
/*
 * Agent console, keyboard shortcuts (loaded after agent.js, uses window.AgentConsole). Alt
 * combinations work while typing; "?" opens the list when the focus is not in a text box.
 * Keys are matched by their physical position (KeyboardEvent.code), so Alt on a Mac, which
 * types special characters, works too.
 */
(function () {
  'use strict';
  var AC = window.AgentConsole;
  if (!AC) return;
  var $ = function (id) {
    return document.getElementById(id);
  };

  var KEYS = [
    {
      keys: 'Alt + J',
      code: 'KeyJ',
      what: '下一个会话（优先有未读的）',
      run: function () {
        step(1);
      },
    },
    {
      keys: 'Alt + K',
      code: 'KeyK',
      what: '上一个会话',
      run: function () {
        step(-1);
      },
    },
    { keys: 'Alt + 1 / 2 / 3', code: null, what: '采用第 1/2/3 条推荐回复（放进回复框，Enter 发送）' },
    {
      keys: 'Alt + W',
      code: 'KeyW',
      what: '结束当前会话（按所选结案标签）',
      run: function () {
        clickIf('btn-close');
      },
    },
    {
      keys: 'Alt + T',
      code: 'KeyT',
      what: '转接当前会话（转给所选同事，默认退回队列）',
      run: function () {
        clickIf('btn-transfer');
      },
    },
    {
      keys: 'Alt + F',
      code: 'KeyF',
      what: '搜索会话',
      run: function () {
        AC.state.current && document.body.dataset.view === 'main' && clickTab('side');
        $('search-q').focus();
      },
    },
    { keys: '?', code: null, what: '显示 / 关闭本帮助' },
    { keys: 'Esc', code: null, what: '关闭帮助' },
  ];

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function clickIf(id) {
    if (AC.state.current) $(id).click();
  }
  function clickTab(view) {
    var b = /** @type {HTMLElement | null} */ (document.querySelector('.tabs button[data-view="' + view + '"]'));
    if (b && b.offsetParent !== null) b.click();
  }

  /** Moves to the next (+1) or previous (-1) held chat; forwards, an unread one comes first. */
  function step(dir) {
    var ids = Array.from(AC.state.convs.keys());
    if (ids.length === 0) return;
    var at = ids.indexOf(AC.state.current);
    if (dir > 0) {
      for (var k = 1; k <= ids.length; k++) {
        var id = ids[(at + k) % ids.length];
        var c = AC.state.convs.get(id);
        if (c && c.unread) {
          AC.select(id);
          return;
        }
      }
    }
    AC.select(ids[(at + dir + ids.length) % ids.length]);
  }

  function acceptSuggestion(n) {
    var buttons = /** @type {NodeListOf<HTMLElement>} */ (document.querySelectorAll('#suggestions .suggestion .edit-suggestion'));
    var b = buttons[n - 1];
    if (b) b.click();
  }

  // --- help overlay -----------------------------------------------------------------------
  function buildHelp() {
    var back = el('div', 'keys-back');
    back.id = 'keys-help';
    back.hidden = true;
    var box = el('section', 'keys-box');
    box.setAttribute('role', 'dialog');
    box.setAttribute('aria-modal', 'true');
    box.setAttribute('aria-labelledby', 'keys-title');
    var h = el('h2', null, '键盘快捷键');
    h.id = 'keys-title';
    box.appendChild(h);
    var dl = el('dl', 'keys-list');
    KEYS.forEach(function (k) {
      var dt = el('dt');
      dt.appendChild(el('kbd', null, k.keys));
      dl.appendChild(dt);
      dl.appendChild(el('dd', null, k.what));
    });
    box.appendChild(dl);
    var close = el('button', 'secondary', '关闭');
    close.type = 'button';
    close.addEventListener('click', hideHelp);
    box.appendChild(close);
    back.appendChild(box);
    back.addEventListener('click', function (e) {
      if (e.target === back) hideHelp();
    });
    document.body.appendChild(back);
    return back;
  }
  var help = buildHelp();
  function showHelp() {
    help.hidden = false;
    help.querySelector('button').focus();
  }
  function hideHelp() {
    help.hidden = true;
  }
  $('btn-keys').addEventListener('click', showHelp);

  function typing(t) {
    return (
      t &&
      (t.tagName === 'TEXTAREA' ||
        t.tagName === 'SELECT' ||
        (t.tagName === 'INPUT' && t.type !== 'checkbox' && t.type !== 'radio') ||
        t.isContentEditable)
    );
  }

  document.addEventListener('keydown', function (e) {
    if ($('app').hidden || e.isComposing) return;
    if (e.key === 'Escape' && !help.hidden) {
      hideHelp();
      e.preventDefault();
      return;
    }
    if (e.key === '?' && !e.altKey && !e.ctrlKey && !e.metaKey && !typing(e.target)) {
      if (help.hidden) showHelp();
      else hideHelp();
      e.preventDefault();
      return;
    }
    if (!e.altKey || e.ctrlKey || e.metaKey) return;
    var digit = /^Digit([1-3])$/.exec(e.code);
    if (digit) {
      acceptSuggestion(Number(digit[1]));
      e.preventDefault();
      return;
    }
    for (var i = 0; i < KEYS.length; i++) {
      if (KEYS[i].code === e.code && KEYS[i].run) {
        KEYS[i].run();
        e.preventDefault();
        return;
      }
    }
  });
})();
