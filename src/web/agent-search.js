// @ts-check
/*
 * Agent console, finding conversations (loaded after agent.js, uses window.AgentConsole):
 * the search box with views and filters, the read-only record of any chat (closed ones
 * included) and the buyer's contact panel (past chats and orders). Everything from the
 * server is shown with textContent: nothing is ever parsed as HTML.
 */
(function () {
  'use strict';
  var AC = window.AgentConsole;
  if (!AC) return;
  var $ = function (id) {
    return document.getElementById(id);
  };
  var STATUS_NAME = { bot: '机器人接待', queued: '排队中', agent: '处理中', closed: '已结束' };
  var MATCH_NAME = { buyer: '买家', order: '订单', phone: '手机', text: '内容' };
  var RESOLUTION = { resolved: '已解决', refunded: '已退款', exchanged: '已换货', resent: '已补发', no_action: '无需处理', spam: '骚扰/无效' };
  // Order status labels: /labels.js (src/model/labels.ts), loaded first.
  var ORDER_STATUS = (window.KefuLabels || { orderStatus: {} }).orderStatus;
  var FROM = { buyer: '买家', bot: '机器人', agent: '客服', system: '系统', note: '内部备注' };

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function getJson(path) {
    return fetch(path, { headers: { authorization: 'Bearer ' + AC.state.token } }).then(function (r) {
      return r.json().then(function (body) {
        if (!r.ok) throw new Error((body && body.error && body.error.message) || 'HTTP ' + r.status);
        return body;
      });
    });
  }
  function agentName(id) {
    var a = AC.state.agents.filter(function (x) {
      return x.agentId === id;
    })[0];
    return a ? a.name : id;
  }
  function statusText(h) {
    if (h.status === 'agent' && h.assignedAgent) return '处理中·' + agentName(h.assignedAgent);
    if (h.status === 'closed' && h.resolution) return '已结束·' + (RESOLUTION[h.resolution] || h.resolution);
    return STATUS_NAME[h.status] || h.status;
  }

  // --- filters ------------------------------------------------------------------------
  (function fillIntents() {
    var sel = $('search-intent');
    Object.keys(AC.intents).forEach(function (id) {
      var o = el('option', null, AC.intents[id]);
      o.value = id;
      sel.appendChild(o);
    });
  })();
  function fillAgents() {
    var sel = /** @type {HTMLSelectElement} */ ($('search-agent'));
    var keep = sel.value;
    while (sel.options.length > 1) sel.remove(1);
    AC.state.agents.forEach(function (a) {
      var o = el('option', null, a.name);
      o.value = a.agentId;
      sel.appendChild(o);
    });
    sel.value = keep;
  }
  $('btn-filters').addEventListener('click', function () {
    var box = $('search-filters');
    box.hidden = !box.hidden;
    $('btn-filters').setAttribute('aria-expanded', String(!box.hidden));
  });

  // --- search -------------------------------------------------------------------------
  function search() {
    var p = new URLSearchParams();
    var add = function (k, id) {
      var v = /** @type {HTMLInputElement} */ ($(id)).value.trim();
      if (v) p.set(k, v);
    };
    add('q', 'search-q');
    add('view', 'search-view');
    add('intent', 'search-intent');
    add('priority', 'search-priority');
    add('agent', 'search-agent');
    add('tag', 'search-tag');
    add('from', 'search-from');
    add('to', 'search-to');
    $('search-status').textContent = '搜索中…';
    getJson('/api/agent/search?' + p.toString())
      .then(function (body) {
        renderResults(body.results || []);
      })
      .catch(function (err) {
        $('search-status').textContent = '搜索失败：' + err.message;
      });
  }
  function renderResults(list) {
    var ul = $('search-results');
    ul.textContent = '';
    $('search-status').textContent = list.length ? '找到 ' + list.length + ' 个会话' : '没有找到会话';
    list.forEach(function (h) {
      ul.appendChild(hitItem(h));
    });
  }
  function hitItem(h) {
    var li = el('li', 'item result st-' + h.status + (h.priority ? ' prio-' + h.priority : ''));
    li.dataset.id = h.id;
    li.tabIndex = 0;
    var top = el('div', 'row');
    top.appendChild(el('strong', 'name', h.label));
    top.appendChild(el('span', 'badge status', statusText(h)));
    li.appendChild(top);
    var sub = el('div', 'row sub');
    sub.appendChild(el('span', 'at', AC.fmtDateTime(h.updatedAt)));
    if (h.intent) sub.appendChild(el('span', 'intent', AC.intentName(h.intent)));
    li.appendChild(sub);
    li.appendChild(annotations(h));
    if (h.snippet) li.appendChild(el('div', 'snippet', (MATCH_NAME[h.matchedBy] || '') + '：' + h.snippet));
    else if (h.lastText) li.appendChild(el('div', 'last', h.lastText));
    var open = function () {
      openRecord(h.id);
    };
    li.addEventListener('click', open);
    li.addEventListener('keydown', function (e) {
      if (e.key === 'Enter') open();
    });
    return li;
  }
  /** Tags and the buyer's rating of a chat, as small badges. */
  function annotations(h) {
    var row = el('div', 'row sub annotations');
    (h.tags || []).forEach(function (t) {
      row.appendChild(el('span', 'badge tag', t));
    });
    if (h.csat) {
      var c = el('span', 'badge csat', '评价 ' + '★★★★★'.slice(0, h.csat.score) + '☆☆☆☆☆'.slice(h.csat.score));
      c.title = h.csat.comment || '';
      row.appendChild(c);
      if (h.csat.comment) row.appendChild(el('span', 'csat-comment', '“' + h.csat.comment + '”'));
    }
    return row;
  }
  $('search-form').addEventListener('submit', function (e) {
    e.preventDefault();
    search();
  });
  $('search-view').addEventListener('change', search);

  // --- contact panel ------------------------------------------------------------------
  function renderContact(box, c, skipId) {
    box.textContent = '';
    var head = el('div', 'row');
    head.appendChild(el('strong', 'contact-name', c.label));
    head.appendChild(el('span', 'badge', c.known ? (c.returning ? '老顾客' : '会员') : '未登录访客'));
    box.appendChild(head);
    var past = c.conversations.filter(function (h) {
      return h.id !== skipId;
    });
    box.appendChild(el('h4', null, '历史会话（' + past.length + '）'));
    var ul = el('ul', 'list past');
    if (past.length === 0) ul.appendChild(el('li', 'none', '没有其他会话'));
    past.forEach(function (h) {
      var li = el('li', 'item past-item');
      li.dataset.id = h.id;
      li.tabIndex = 0;
      var row = el('div', 'row');
      row.appendChild(el('span', 'at', AC.fmtDateTime(h.createdAt)));
      row.appendChild(el('span', 'badge status', statusText(h)));
      li.appendChild(row);
      if (h.lastText) li.appendChild(el('div', 'last', h.lastText));
      li.appendChild(annotations(h));
      var open = function () {
        openRecord(h.id);
      };
      li.addEventListener('click', open);
      li.addEventListener('keydown', function (e) {
        if (e.key === 'Enter') open();
      });
      ul.appendChild(li);
    });
    box.appendChild(ul);
    box.appendChild(el('h4', null, '订单（' + c.orders.length + '）'));
    var ol = el('ul', 'orders');
    if (c.orders.length === 0) ol.appendChild(el('li', 'none', '暂无订单'));
    c.orders.forEach(function (o) {
      var li = el('li', 'order-line');
      var row = el('div', 'row');
      row.appendChild(el('strong', null, o.number));
      row.appendChild(el('span', 'badge', ORDER_STATUS[o.status] || o.status));
      li.appendChild(row);
      li.appendChild(el('div', 'sub', AC.fmtDateTime(o.createdAt) + ' · ¥' + o.total + ' · ' + o.items.join('、')));
      ol.appendChild(li);
    });
    box.appendChild(ol);
  }
  var contactFor = null;
  document.addEventListener('agent:current', function (e) {
    var id = /** @type {CustomEvent} */ (e).detail;
    if (!id || id === contactFor) return;
    contactFor = id;
    var box = $('contact');
    box.textContent = '加载中…';
    getJson('/api/agent/contacts/' + encodeURIComponent(id))
      .then(function (c) {
        if (contactFor === id) renderContact(box, c, id);
      })
      .catch(function () {
        if (contactFor === id) box.textContent = '买家档案加载失败';
      });
  });

  // --- read-only record ---------------------------------------------------------------
  function openRecord(id) {
    Promise.all([getJson('/api/agent/history/' + encodeURIComponent(id)), getJson('/api/agent/contacts/' + encodeURIComponent(id))])
      .then(function (r) {
        showRecord(r[0], r[1]);
      })
      .catch(function (err) {
        AC.toast('打开会话失败：' + err.message, true);
      });
  }
  function showRecord(rec, contact) {
    var v = rec.conversation;
    $('record-title').textContent = v.label;
    var meta = $('record-meta');
    meta.textContent = '';
    meta.appendChild(el('span', 'badge status', statusText({ status: v.status, assignedAgent: v.assignedAgent, resolution: v.closedResolution })));
    meta.appendChild(el('span', null, AC.fmtDateTime(v.createdAt) + ' – ' + AC.fmtDateTime(v.updatedAt)));
    if (rec.intent) meta.appendChild(el('span', 'intent', AC.intentName(rec.intent)));
    var self = contact.conversations.filter(function (h) {
      return h.id === v.id;
    })[0];
    if (self) meta.appendChild(annotations(self));
    var acts = $('record-actions');
    acts.textContent = '';
    if (rec.held) {
      var b = el('button', null, '打开会话');
      b.type = 'button';
      b.addEventListener('click', function () {
        closeRecord();
        AC.select(v.id);
      });
      acts.appendChild(b);
    } else if (v.status === 'queued') {
      var p = el('button', null, '接入');
      p.type = 'button';
      p.addEventListener('click', function () {
        AC.send({ type: 'pick', conversationId: v.id });
        closeRecord();
      });
      acts.appendChild(p);
    }
    var ol = $('record-history');
    ol.textContent = '';
    v.history.forEach(function (h) {
      var li = el('li', 'msg from-' + h.from);
      var head = el('div', 'msg-head');
      head.appendChild(el('span', 'who', (FROM[h.from] || h.from) + (h.agentId ? ' ' + agentName(h.agentId) : '')));
      head.appendChild(el('span', 'at', AC.fmtDateTime(h.at)));
      li.appendChild(head);
      li.appendChild(el('div', 'text', h.text));
      ol.appendChild(li);
    });
    renderContact($('record-contact'), contact, v.id);
    $('record').hidden = false;
    ol.scrollTop = ol.scrollHeight;
    $('record-close').focus();
  }
  function closeRecord() {
    $('record').hidden = true;
  }
  $('record-close').addEventListener('click', closeRecord);
  $('record').addEventListener('click', function (e) {
    if (e.target === $('record')) closeRecord();
  });
  document.addEventListener('keydown', function (e) {
    if (e.key === 'Escape' && !$('record').hidden) closeRecord();
  });

  document.addEventListener('agent:frame', function (e) {
    if (/** @type {CustomEvent} */ (e).detail.type === 'agents') fillAgents();
  });
})();
