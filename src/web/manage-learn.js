// @ts-check
/*
 * /manage, "待学习": the buyer messages agents marked as misunderstood (src/learn), for a
 * manager to review. Accepting one adds the phrase as an example to the chosen intent in the
 * shared draft (the manager may change the intent, or trim personal details from the text
 * first); it goes live with the next publish, after validation and the stories. Rejected
 * ones stay in the list under 未采纳 with who rejected them.
 * Loaded after manage.js: it listens for `manage:overview` (signed in) and tells manage.js
 * about draft changes with `manage:draft-changed`. Everything shown comes from buyers or
 * staff, so it is put in the page with textContent, never as HTML.
 */
(function () {
  'use strict';

  var STATUS = { pending: '待审核', accepted: '已采纳', rejected: '未采纳', all: '全部' };
  var LONG_NUMBER = /\d{6,}/;

  /** @type {{ id: string, label: string, category: string, categoryLabel: string }[]} */
  var intents = [];
  var view = 'pending';
  /** @type {HTMLDialogElement | null} */
  var dialog = null;
  /** @type {HTMLElement | null} */
  var countBadge = null;

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
  function token() {
    try {
      return sessionStorage.getItem('manageToken') || '';
    } catch (e) {
      return '';
    }
  }
  /**
   * @param {string} method
   * @param {string} url
   * @param {unknown} [body]
   * @returns {Promise<{ ok: boolean, status: number, data: any }>}
   */
  function api(method, url, body) {
    /** @type {RequestInit & { headers: Record<string, string> }} */
    var opts = { method: method, headers: { Authorization: 'Bearer ' + token() } };
    if (body !== undefined) {
      opts.headers['Content-Type'] = 'application/json';
      opts.body = JSON.stringify(body);
    }
    return fetch(url, opts).then(function (res) {
      return res.text().then(function (txt) {
        var data;
        try {
          data = txt ? JSON.parse(txt) : {};
        } catch (e) {
          data = { error: { message: txt } };
        }
        return { ok: res.ok, status: res.status, data: data };
      });
    });
  }
  /** @param {any} r */
  function errorText(r) {
    var d = r.data || {};
    var lines = (d.errors || []).map(function (/** @type {any} */ e) {
      return e.localized || e.reason || '';
    });
    var head = (d.error && (d.error.localized || d.error.message)) || '出错了（' + r.status + '）';
    return [head].concat(lines.filter(Boolean)).join('；');
  }
  /** @param {string} id */
  function label(id) {
    var found = intents.filter(function (i) {
      return i.id === id;
    })[0];
    return found ? found.label : id;
  }
  /** @param {string} iso */
  function when(iso) {
    var d = new Date(iso);
    if (isNaN(d.getTime())) return '';
    var p = function (/** @type {number} */ n) {
      return (n < 10 ? '0' : '') + n;
    };
    return p(d.getMonth() + 1) + '-' + p(d.getDate()) + ' ' + p(d.getHours()) + ':' + p(d.getMinutes());
  }

  // The stylesheet shared with the agent console's picker.
  if (!document.querySelector('link[href="/static/learn.css"]')) {
    var link = document.createElement('link');
    link.rel = 'stylesheet';
    link.href = '/static/learn.css';
    document.head.appendChild(link);
  }

  function setCount(n) {
    if (!countBadge) return;
    countBadge.textContent = String(n);
    countBadge.dataset.n = String(n);
  }

  function refreshCount() {
    return api('GET', '/api/corrections/review?status=pending').then(function (r) {
      if (r.ok) setCount((r.data.corrections || []).length);
    });
  }

  function addButton() {
    if (document.getElementById('btn-learn')) return;
    var actions = document.querySelector('.top .actions');
    if (!actions) return;
    var b = /** @type {HTMLButtonElement} */ (el('button', 'ghost learn-open', '待学习'));
    b.type = 'button';
    b.id = 'btn-learn';
    b.title = '客服标注的“机器人理解错了”的买家消息';
    countBadge = el('span', 'learn-count', '0');
    countBadge.id = 'learn-count';
    b.appendChild(countBadge);
    b.addEventListener('click', openReview);
    actions.insertBefore(b, actions.firstChild);
  }

  function buildDialog() {
    var d = /** @type {HTMLDialogElement} */ (el('dialog', 'learn-review'));
    d.id = 'dlg-learn';
    d.setAttribute('aria-labelledby', 'learn-review-title');
    var head = el('div', 'learn-head');
    var title = el('h2', null, '待学习：客服标注的理解错误');
    title.id = 'learn-review-title';
    head.appendChild(title);
    var tabs = el('div', 'learn-tabs');
    tabs.setAttribute('role', 'group');
    tabs.setAttribute('aria-label', '筛选');
    ['pending', 'accepted', 'rejected', 'all'].forEach(function (s) {
      var t = /** @type {HTMLButtonElement} */ (el('button', 'ghost small', STATUS[s]));
      t.type = 'button';
      t.dataset.status = s;
      t.setAttribute('aria-pressed', String(s === view));
      t.addEventListener('click', function () {
        view = s;
        Array.prototype.forEach.call(tabs.querySelectorAll('button'), function (/** @type {HTMLElement} */ x) {
          x.setAttribute('aria-pressed', String(x.dataset.status === view));
        });
        loadList();
      });
      tabs.appendChild(t);
    });
    head.appendChild(tabs);
    var close = /** @type {HTMLButtonElement} */ (el('button', 'ghost', '关闭'));
    close.type = 'button';
    close.addEventListener('click', function () {
      d.close();
    });
    head.appendChild(close);
    d.appendChild(head);
    d.appendChild(
      el('p', 'hint learn-hint', '采纳后这句话会作为例句加入草稿（可先改掉手机号、订单号等个人信息，或改选意图），发布后机器人就会学会。'),
    );
    var list = el('ul', 'learn-rows');
    list.id = 'learn-rows';
    d.appendChild(list);
    document.body.appendChild(d);
    return d;
  }

  function openReview() {
    if (!dialog) dialog = buildDialog();
    if (!dialog.open) dialog.showModal();
    loadList();
  }

  function loadList() {
    var list = document.getElementById('learn-rows');
    if (!list) return Promise.resolve();
    return api('GET', '/api/corrections/review?status=' + view).then(function (r) {
      list.textContent = '';
      if (!r.ok) {
        list.appendChild(el('li', 'learn-empty', errorText(r)));
        return;
      }
      var rows = r.data.corrections || [];
      if (view === 'pending') setCount(rows.length);
      if (!rows.length) list.appendChild(el('li', 'learn-empty', view === 'pending' ? '没有待审核的标注' : '暂无'));
      rows.forEach(function (/** @type {any} */ c) {
        list.appendChild(row(c));
      });
    });
  }

  /** @param {any} c */
  function row(c) {
    var li = el('li', 'learn-row st-' + c.status);
    li.dataset.id = c.id;
    var pending = c.status === 'pending';

    /** @type {HTMLInputElement | null} */
    var input = null;
    if (pending) {
      input = /** @type {HTMLInputElement} */ (el('input', 'learn-input'));
      input.value = c.text;
      input.maxLength = 200;
      input.setAttribute('aria-label', '作为例句的文字');
      li.appendChild(input);
    } else {
      li.appendChild(el('blockquote', 'learn-text', c.text));
    }

    var flow = el('div', 'learn-flow');
    flow.appendChild(el('span', null, '机器人：'));
    flow.appendChild(el('span', 'learn-pred', label(c.predicted.intent) + '（' + Math.round(c.predicted.confidence * 100) + '%）'));
    flow.appendChild(el('span', null, '→'));
    /** @type {HTMLSelectElement | null} */
    var select = null;
    if (pending) {
      select = /** @type {HTMLSelectElement} */ (el('select', 'learn-intent'));
      select.setAttribute('aria-label', '正确的意图');
      intents.forEach(function (i) {
        var o = /** @type {HTMLOptionElement} */ (el('option', null, i.label + '（' + i.id + '）'));
        o.value = i.id;
        select.appendChild(o);
      });
      select.value = c.corrected;
      flow.appendChild(select);
    } else {
      flow.appendChild(el('strong', null, label((c.review && c.review.intent) || c.corrected)));
    }
    li.appendChild(flow);

    var meta = el('div', 'learn-meta');
    meta.appendChild(el('span', null, '客服 ' + c.agentId + (pending ? ' 选的是「' + label(c.corrected) + '」' : '')));
    meta.appendChild(el('span', null, when(c.at)));
    meta.appendChild(el('span', 'learn-similar', '相似 ' + (c.similar || 0) + ' 条'));
    if (c.now) {
      var fixed = c.now.intent === ((c.review && c.review.intent) || c.corrected);
      meta.appendChild(el('span', fixed ? 'good' : '', '线上模型现在识别为：' + label(c.now.intent) + (fixed ? '（已能识别）' : '')));
    }
    li.appendChild(meta);

    if (pending) {
      var warn = el('div', 'learn-warn');
      var showWarn = function () {
        warn.textContent = input && LONG_NUMBER.test(input.value) ? '含有较长的数字（手机号、订单号？），请删改后再采纳' : '';
      };
      showWarn();
      if (input) input.addEventListener('input', showWarn);
      li.appendChild(warn);
      var acts = el('div', 'learn-acts');
      var accept = /** @type {HTMLButtonElement} */ (el('button', 'primary small learn-accept', '采纳为例句'));
      accept.type = 'button';
      var reject = /** @type {HTMLButtonElement} */ (el('button', 'ghost small learn-reject', '驳回'));
      reject.type = 'button';
      var result = el('span', 'learn-result');
      result.setAttribute('role', 'status');
      acts.appendChild(accept);
      acts.appendChild(reject);
      acts.appendChild(result);
      li.appendChild(acts);
      var busy = function (/** @type {boolean} */ on) {
        accept.disabled = on;
        reject.disabled = on;
      };
      // The row stays with its outcome in view until the list is opened again.
      var done = function (/** @type {string} */ status) {
        li.className = 'learn-row st-' + status;
        if (input) input.disabled = true;
        if (select) select.disabled = true;
        accept.hidden = true;
        reject.hidden = true;
        refreshCount();
      };
      accept.addEventListener('click', function () {
        busy(true);
        result.className = 'learn-result';
        result.textContent = '正在加入草稿…';
        var body = { intent: select ? select.value : c.corrected, text: input ? input.value : c.text };
        api('POST', '/api/corrections/' + encodeURIComponent(c.id) + '/accept', body).then(function (r) {
          if (!r.ok) {
            busy(false);
            result.className = 'learn-result bad';
            result.textContent = '没有采纳：' + errorText(r);
            return;
          }
          result.className = 'learn-result good';
          result.textContent = r.data.added
            ? '已加入草稿 ' + r.data.path + '，发布后生效'
            : '这句话已经是「' + label(body.intent) + '」的例句，已标为采纳';
          done('accepted');
          document.dispatchEvent(new CustomEvent('manage:draft-changed', { detail: r.data.path }));
        });
      });
      reject.addEventListener('click', function () {
        busy(true);
        api('POST', '/api/corrections/' + encodeURIComponent(c.id) + '/reject', {}).then(function (r) {
          if (!r.ok) {
            busy(false);
            result.className = 'learn-result bad';
            result.textContent = errorText(r);
            return;
          }
          result.className = 'learn-result';
          result.textContent = '已驳回（保留在「未采纳」中）';
          done('rejected');
        });
      });
    } else if (c.review) {
      var rv = c.review;
      var text =
        c.status === 'accepted'
          ? rv.by +
            ' 于 ' +
            when(rv.at) +
            ' 采纳' +
            (rv.path ? '，加入 ' + rv.path : '') +
            (rv.example && rv.example !== c.text ? '（例句：' + rv.example + '）' : '')
          : rv.by + ' 于 ' + when(rv.at) + ' 驳回' + (rv.reason ? '：' + rv.reason : '');
      li.appendChild(el('div', 'learn-meta learn-reviewed', text));
    }
    return li;
  }

  document.addEventListener('manage:overview', function () {
    addButton();
    var load = intents.length
      ? Promise.resolve()
      : api('GET', '/api/corrections/intents').then(function (r) {
          if (r.ok) intents = r.data.intents || [];
        });
    load.then(refreshCount);
  });
})();
