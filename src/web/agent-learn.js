// @ts-check
/*
 * Agent console, "理解错了" (loaded after agent.js, uses window.AgentConsole): on each buyer
 * message of the open chat a small action opens a picker with the intents the bot thought
 * likely (top 3) and a searchable list of every intent by its Chinese name; one click records
 * a correction for the managers to review in /manage (src/learn). A message already marked
 * shows what was picked and where the review stands.
 * Everything from the server is shown with textContent: nothing is ever parsed as HTML.
 */
(function () {
  'use strict';
  var AC = window.AgentConsole;
  if (!AC) return;

  var STATUS = { pending: '待店长审核', accepted: '已采纳', rejected: '未采纳' };

  /** @type {{ id: string, label: string, category: string, categoryLabel: string }[] | null} */
  var intents = null;
  /** Corrections by conversation id, then by message seq. @type {Map<string, Map<number, any>>} */
  var byConversation = new Map();
  /** Conversation ids whose corrections are being fetched. */
  var loading = new Set();
  /** @type {HTMLElement | null} */
  var picker = null;
  /** @type {HTMLElement | null} */
  var returnFocus = null;

  /**
   * @param {string} tag
   * @param {string | null} [cls]
   * @param {unknown} [text]
   * @returns {HTMLElement}
   */
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  /**
   * @param {string} method
   * @param {string} path
   * @param {unknown} [body]
   * @returns {Promise<any>}
   */
  function call(method, path, body) {
    /** @type {RequestInit & { headers: Record<string, string> }} */
    var init = { method: method, headers: { authorization: 'Bearer ' + AC.state.token } };
    if (body) {
      init.headers['content-type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    return fetch(path, init).then(function (r) {
      return r.json().then(function (b) {
        if (!r.ok) throw new Error((b && b.error && b.error.message) || 'HTTP ' + r.status);
        return b;
      });
    });
  }
  /** @param {string} id */
  function label(id) {
    var found = (intents || []).filter(function (i) {
      return i.id === id;
    })[0];
    return found ? found.label : AC.intentName(id);
  }
  function loadIntents() {
    if (intents) return Promise.resolve(intents);
    return call('GET', '/api/corrections/intents').then(function (b) {
      intents = b.intents || [];
      return intents;
    });
  }

  // The stylesheet this module and the /manage review panel share.
  if (!document.querySelector('link[href="/static/learn.css"]')) {
    var link = document.createElement('link');
    link.rel = 'stylesheet';
    link.href = '/static/learn.css';
    document.head.appendChild(link);
  }

  // ---- the action on each buyer message -----------------------------------------------

  /** @param {string} conversationId */
  function decorate(conversationId) {
    var ol = document.getElementById('history');
    if (!ol || ol.dataset.conv !== conversationId) return;
    var marks = byConversation.get(conversationId);
    if (!marks) {
      fetchMarks(conversationId);
      return;
    }
    Array.prototype.forEach.call(ol.querySelectorAll('li.msg.from-buyer[data-seq]'), function (/** @type {HTMLElement} */ li) {
      var head = li.querySelector('.msg-head');
      if (!head || li.querySelector('.photo')) return;
      var old = head.querySelector('.learn-mark');
      if (old) head.removeChild(old);
      var seq = Number(li.dataset.seq);
      var c = marks.get(seq);
      var shown = c ? (c.review && c.review.intent ? c.review.intent : c.corrected) : null;
      var b = /** @type {HTMLButtonElement} */ (
        el('button', 'learn-mark' + (c ? ' marked st-' + c.status : ''), c ? '已标注：' + label(shown) : '理解错了')
      );
      b.type = 'button';
      b.dataset.seq = String(seq);
      b.title = c ? (STATUS[c.status] || c.status) + '，点击可改选' : '机器人没理解对这句话？选出正确的意图';
      b.setAttribute('aria-label', c ? '已标注为' + label(shown) + '，' + (STATUS[c.status] || c.status) : '标注：机器人理解错了');
      b.addEventListener('click', function () {
        openPicker(conversationId, seq, b);
      });
      head.appendChild(b);
    });
  }

  /** @param {string} conversationId */
  function fetchMarks(conversationId) {
    if (loading.has(conversationId)) return;
    loading.add(conversationId);
    call('GET', '/api/corrections?conversationId=' + encodeURIComponent(conversationId))
      .then(function (b) {
        var marks = new Map();
        (b.corrections || []).forEach(function (c) {
          marks.set(c.seq, c);
        });
        byConversation.set(conversationId, marks);
        return loadIntents();
      })
      .then(function () {
        decorate(conversationId);
      })
      .catch(function () {
        // Without the list the actions stay hidden; the next redraw tries again.
      })
      .then(function () {
        loading.delete(conversationId);
      });
  }

  // ---- the picker ----------------------------------------------------------------------

  function closePicker() {
    if (!picker) return;
    picker.remove();
    picker = null;
    if (returnFocus && document.body.contains(returnFocus)) returnFocus.focus();
    returnFocus = null;
  }

  /**
   * @param {string} conversationId
   * @param {number} seq
   * @param {HTMLElement} from
   */
  function openPicker(conversationId, seq, from) {
    closePicker();
    returnFocus = from;
    var back = el('div', 'learn-back');
    var box = el('section', 'learn-picker');
    box.setAttribute('role', 'dialog');
    box.setAttribute('aria-modal', 'true');
    box.setAttribute('aria-labelledby', 'learn-title');
    back.appendChild(box);
    var title = el('h2', null, '机器人理解错了？');
    title.id = 'learn-title';
    var close = /** @type {HTMLButtonElement} */ (el('button', 'secondary small learn-close', '关闭'));
    close.type = 'button';
    close.addEventListener('click', closePicker);
    var head = el('div', 'learn-head');
    head.appendChild(title);
    head.appendChild(close);
    box.appendChild(head);
    var body = el('div', 'learn-body');
    body.appendChild(el('p', 'learn-loading', '加载中…'));
    box.appendChild(body);
    back.addEventListener('click', function (e) {
      if (e.target === back) closePicker();
    });
    back.addEventListener('keydown', function (e) {
      if (e.key === 'Escape') {
        e.stopPropagation();
        closePicker();
      }
    });
    document.body.appendChild(back);
    picker = back;
    close.focus();

    Promise.all([loadIntents(), call('GET', '/api/corrections/candidates?conversationId=' + encodeURIComponent(conversationId) + '&seq=' + seq)])
      .then(function (r) {
        if (picker !== back) return;
        fillPicker(body, conversationId, seq, r[1]);
      })
      .catch(function (err) {
        body.textContent = '';
        body.appendChild(el('p', 'learn-error', '加载失败：' + err.message));
      });
  }

  /**
   * @param {HTMLElement} body
   * @param {string} conversationId
   * @param {number} seq
   * @param {any} cand
   */
  function fillPicker(body, conversationId, seq, cand) {
    body.textContent = '';
    body.appendChild(el('blockquote', 'learn-text', cand.text));
    var said = el('p', 'learn-said');
    said.appendChild(document.createTextNode('机器人识别为：'));
    said.appendChild(el('strong', null, label(cand.predicted.intent)));
    said.appendChild(document.createTextNode('（' + Math.round(cand.predicted.confidence * 100) + '%）'));
    body.appendChild(said);
    if (cand.correction) {
      var c = cand.correction;
      body.appendChild(
        el(
          'p',
          'learn-current',
          '已标注为「' + label(c.corrected) + '」（' + (STATUS[c.status] || c.status) + '）' + (c.status === 'pending' ? '，可以改选' : ''),
        ),
      );
    }
    var reviewed = cand.correction && cand.correction.status !== 'pending';
    var chosen = cand.correction ? cand.correction.corrected : null;

    /** @param {{ id: string, label: string, categoryLabel: string }} choice @param {number | null} confidence */
    function choiceButton(choice, confidence) {
      var isPredicted = choice.id === cand.predicted.intent;
      var b = /** @type {HTMLButtonElement} */ (el('button', 'learn-choice' + (choice.id === chosen ? ' chosen' : '')));
      b.type = 'button';
      b.dataset.intent = choice.id;
      b.appendChild(el('span', 'learn-label', choice.label));
      b.appendChild(el('span', 'learn-sub', choice.categoryLabel + (confidence !== null ? ' · ' + Math.round(confidence * 100) + '%' : '')));
      if (isPredicted) b.appendChild(el('span', 'learn-tag', '当前识别'));
      b.disabled = isPredicted || !!reviewed;
      b.addEventListener('click', function () {
        record(conversationId, seq, choice.id, b);
      });
      return b;
    }

    if (reviewed) body.appendChild(el('p', 'learn-note', '店长已处理，不能再改。'));
    body.appendChild(el('h3', null, '可能是'));
    var top = el('div', 'learn-top');
    (cand.ranking || []).forEach(function (r) {
      top.appendChild(choiceButton(r, r.confidence));
    });
    body.appendChild(top);

    body.appendChild(el('h3', null, '全部意图'));
    var search = /** @type {HTMLInputElement} */ (el('input', 'learn-search'));
    search.type = 'search';
    search.placeholder = '搜索意图，如 发票、退款';
    search.setAttribute('aria-label', '搜索意图');
    search.maxLength = 40;
    body.appendChild(search);
    var list = el('div', 'learn-all');
    body.appendChild(list);
    function renderAll() {
      var q = search.value.trim().toLowerCase();
      list.textContent = '';
      (intents || [])
        .filter(function (i) {
          return !q || (i.label + ' ' + i.categoryLabel + ' ' + i.id).toLowerCase().indexOf(q) >= 0;
        })
        .forEach(function (i) {
          list.appendChild(choiceButton(i, null));
        });
      if (!list.firstChild) list.appendChild(el('p', 'learn-none', '没有找到这个意图'));
    }
    search.addEventListener('input', renderAll);
    renderAll();
    if (!reviewed) search.focus();
  }

  /**
   * @param {string} conversationId
   * @param {number} seq
   * @param {string} intent
   * @param {HTMLButtonElement} button
   */
  function record(conversationId, seq, intent, button) {
    button.disabled = true;
    call('POST', '/api/corrections', { conversationId: conversationId, seq: seq, intent: intent })
      .then(function (b) {
        var marks = byConversation.get(conversationId) || new Map();
        marks.set(seq, b.correction);
        byConversation.set(conversationId, marks);
        closePicker();
        decorate(conversationId);
        AC.toast('已记录：「' + label(intent) + '」，等店长审核后机器人会学会');
      })
      .catch(function (err) {
        button.disabled = false;
        AC.toast('记录失败：' + err.message, true);
      });
  }

  // A chat opened again shows where its marks stand now (a manager may have reviewed them).
  var shownFor = null;
  document.addEventListener('agent:current', function (e) {
    var id = /** @type {CustomEvent} */ (e).detail;
    if (id && id !== shownFor) {
      byConversation.delete(id);
      decorate(id);
    }
    shownFor = id;
  });
  document.addEventListener('agent:history', function (e) {
    var id = /** @type {CustomEvent} */ (e).detail;
    if (id) decorate(id);
  });
})();
