// @ts-check
/*
 * Agent console (/agent): queue with waiting time and SLA countdown, the open conversation
 * with history, understanding, facts and the order card, three suggested replies (send as
 * is, or edit then send), internal notes, transfer / return-to-bot / close.
 * Everything from the server is shown with textContent: nothing is ever parsed as HTML.
 */
(function () {
  'use strict';

  var INTENTS = {
    'haggle.bargain': '议价',
    'address.confirm': '确认地址',
    'address.change': '修改地址',
    'delivery.ship_time': '催发货',
    'delivery.tracking': '查物流/催件',
    'delivery.signed_not_received': '已签收未收到',
    'return.refund': '退款/退货',
    'return.exchange': '换货',
    'return.damaged': '破损/质量问题',
    'bad_review.complaint': '差评/投诉',
    'product.size_color': '尺码颜色',
    'product.stock': '库存',
    'product.info': '商品咨询',
    'payment.cod': '货到付款',
    'payment.invoice': '发票',
    'payment.pay': '付款',
    'human.request': '要求人工',
    'greeting.hello': '问候',
    'greeting.thanks': '感谢/再见',
    'other.fallback': '其他',
  };
  // Labels of reasons, priorities and order statuses: /labels.js (src/model/labels.ts), loaded first.
  var LABELS = window.KefuLabels || { reasons: {}, priorities: {}, orderStatus: {} };
  var REASONS = LABELS.reasons;
  var PRIORITY = LABELS.priorities;
  var ORDER_STATUS = LABELS.orderStatus;
  var STATUS = { online: '在线', away: '离开', offline: '下线' };
  var FACT_KIND = {
    money: '金额',
    order: '订单号',
    tracking: '运单号',
    courier: '快递',
    phone: '电话',
    address: '地址',
    size: '尺码',
    color: '颜色',
  };
  var REMARK_KIND = {
    address_change: '买家确认改地址',
    cod: '买家确认货到付款',
    refund: '申请退款',
    return: '申请退货',
    exchange: '申请换货',
    damaged: '商品破损/质量问题',
    deal: '买家确认成交价',
    remark: '买家要求备注',
  };
  var SLA_KIND = { first_response: '首响', logistics_resolution: '物流48h' };
  var FROM = { buyer: '买家', bot: '机器人', agent: '客服', system: '系统', note: '内部备注' };

  var $ = function (id) {
    return document.getElementById(id);
  };
  /** A form control by id (input, select or textarea: the ones with a value). */
  var field = function (id) {
    return /** @type {HTMLInputElement} */ (document.getElementById(id));
  };
  /** Timers of the throttled helpers below (toast, header figures, queue resync). */
  var timers = { toast: 0, stats: 0, resyncAt: 0 };
  var state = {
    token: null,
    me: null,
    colleagues: [],
    ws: null,
    offset: 0,
    queue: [],
    agents: [],
    convs: new Map(),
    current: null,
    editing: null,
    retry: 0,
    summaryOpen: false,
    followHistory: true,
    /** This agent's presence as the server last said ('online', 'away', 'offline'); null until it has. */
    myStatus: /** @type {string|null} */ (null),
  };

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function now() {
    return Date.now() + state.offset;
  }
  function fmtDur(ms) {
    var s = Math.max(0, Math.floor(Math.abs(ms) / 1000));
    var h = Math.floor(s / 3600),
      m = Math.floor((s % 3600) / 60),
      sec = s % 60;
    var t = h > 0 ? h + '时' + m + '分' : m + '分' + (sec < 10 ? '0' : '') + sec + '秒';
    return ms < 0 ? '超时 ' + t : t;
  }
  function pad2(n) {
    return (n < 10 ? '0' : '') + n;
  }
  // Clock parts as the shop reads them (hello.shopUtcOffsetMinutes), else the browser's own:
  // an agent working from another time zone must see the times the buyer talks about.
  function wallClock(iso) {
    var d = new Date(iso);
    if (isNaN(d.getTime())) return null;
    if (typeof state.shopOffset === 'number') {
      var s = new Date(d.getTime() + state.shopOffset * 60000);
      return { month: s.getUTCMonth() + 1, day: s.getUTCDate(), hour: s.getUTCHours(), minute: s.getUTCMinutes() };
    }
    return { month: d.getMonth() + 1, day: d.getDate(), hour: d.getHours(), minute: d.getMinutes() };
  }
  function fmtTime(iso) {
    var w = wallClock(iso);
    return w ? pad2(w.hour) + ':' + pad2(w.minute) : '';
  }
  /** "11-21 14:10": tracking events and remarks span days, so they carry the date. */
  function fmtDateTime(iso) {
    var w = wallClock(iso);
    return w ? pad2(w.month) + '-' + pad2(w.day) + ' ' + pad2(w.hour) + ':' + pad2(w.minute) : '';
  }
  function intentName(id) {
    return INTENTS[id] || id || '—';
  }
  // Same hash as src/search/visitor-label.ts: 32-bit FNV-1a, low 16 bits as four hex digits.
  function visitorLabel(buyerId) {
    var h = 0x811c9dc5;
    for (var i = 0; i < buyerId.length; i++) {
      h ^= buyerId.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    return '访客#' + ('000' + (h & 0xffff).toString(16).toUpperCase()).slice(-4);
  }
  /** The buyer's name, or a readable label for an anonymous visitor. */
  function buyerLabel(v) {
    return v.buyerName || visitorLabel(String(v.buyerId || ''));
  }
  function toast(text, bad) {
    var t = $('toast');
    t.textContent = text;
    t.className = 'toast' + (bad ? ' bad' : '');
    t.hidden = false;
    clearTimeout(timers.toast);
    timers.toast = setTimeout(function () {
      t.hidden = true;
    }, 3500);
  }

  // --- SLA --------------------------------------------------------------------------
  function slaState(v) {
    if (v.state === 'breached') return 'breached';
    var left = v.dueAt - now();
    if (left <= 0) return 'breached';
    var warn = v.kind === 'first_response' ? 60000 : 8 * 3600000;
    return left <= warn ? 'approaching' : 'ok';
  }
  function slaNode(list) {
    var wrap = el('span', 'sla');
    (list || []).forEach(function (v) {
      var st = slaState(v);
      var left = v.dueAt - now();
      var b = el('span', 'badge sla-' + st, (SLA_KIND[v.kind] || v.kind) + ' ' + (st === 'breached' ? '已超时' : fmtDur(left)));
      b.title = st === 'breached' ? 'SLA 已超时' : '距离 SLA 截止';
      wrap.appendChild(b);
    });
    return wrap;
  }
  function worst(list) {
    var w = 'ok';
    (list || []).forEach(function (v) {
      var s = slaState(v);
      if (s === 'breached' || (s === 'approaching' && w === 'ok')) w = s;
    });
    return w;
  }

  // --- rendering --------------------------------------------------------------------
  function renderQueue() {
    var ul = $('queue');
    ul.textContent = '';
    $('queue-count').textContent = String(state.queue.length);
    if (state.queue.length === 0) ul.appendChild(el('li', 'none', '队列为空'));
    state.queue.forEach(function (q) {
      var li = el('li', 'item prio-' + q.priority + ' sla-row-' + worst(q.sla));
      li.dataset.id = q.conversationId;
      var top = el('div', 'row');
      top.appendChild(el('span', 'badge prio', PRIORITY[q.priority] || q.priority));
      top.appendChild(el('strong', 'name', buyerLabel(q)));
      top.appendChild(el('span', 'wait', '等待 ' + fmtDur(now() - Date.parse(q.enqueuedAt))));
      li.appendChild(top);
      var mid = el('div', 'row sub');
      mid.appendChild(el('span', 'reason', REASONS[q.reason] || q.reason || ''));
      if (q.intent) mid.appendChild(el('span', 'intent', intentName(q.intent)));
      li.appendChild(mid);
      if (q.lastText) li.appendChild(el('div', 'last', q.lastText));
      var bottom = el('div', 'row');
      bottom.appendChild(slaNode(q.sla));
      var pick = el('button', 'small', '接入');
      pick.type = 'button';
      // Away (or offline), the server refuses a pick: say so rather than offer it.
      if (state.myStatus === 'away' || state.myStatus === 'offline') {
        pick.disabled = true;
        pick.title = state.myStatus === 'away' ? '离开中不能从队列接入，先切回在线' : '离线中不能从队列接入';
      }
      pick.addEventListener('click', function () {
        send({ type: 'pick', conversationId: q.conversationId });
      });
      bottom.appendChild(pick);
      li.appendChild(bottom);
      ul.appendChild(li);
    });
  }

  function renderMine() {
    var ul = $('mine');
    ul.textContent = '';
    $('mine-count').textContent = state.me ? state.convs.size + '/' + state.me.maxChats : '';
    if (state.convs.size === 0) ul.appendChild(el('li', 'none', '暂无'));
    state.convs.forEach(function (c, id) {
      var v = c.conversation;
      var li = el('li', 'item mine-item sla-row-' + worst(v.sla) + (id === state.current ? ' current' : ''));
      li.dataset.id = id;
      li.tabIndex = 0;
      var top = el('div', 'row');
      if (v.priority) top.appendChild(el('span', 'badge prio prio-' + v.priority, PRIORITY[v.priority] || v.priority));
      top.appendChild(el('strong', 'name', buyerLabel(v)));
      if (c.unread) top.appendChild(el('span', 'badge unread', String(c.unread)));
      li.appendChild(top);
      var last = v.history
        .filter(function (h) {
          return h.from !== 'note';
        })
        .slice(-1)[0];
      if (last) li.appendChild(el('div', 'last', (FROM[last.from] || last.from) + '：' + last.text));
      li.appendChild(slaNode(v.sla));
      var open = function () {
        select(id);
      };
      li.addEventListener('click', open);
      li.addEventListener('keydown', function (e) {
        if (e.key === 'Enter') open();
      });
      ul.appendChild(li);
    });
  }

  function renderAgents() {
    var ul = $('agents');
    ul.textContent = '';
    state.agents.forEach(function (a) {
      var li = el('li', 'agent st-' + a.status);
      li.appendChild(el('span', 'dot'));
      li.appendChild(el('span', 'aname', a.name));
      li.appendChild(el('span', 'astatus', (STATUS[a.status] || a.status) + ' ' + a.load + '/' + a.maxChats));
      ul.appendChild(li);
    });
    var sel = /** @type {HTMLSelectElement} */ ($('transfer-to'));
    var keep = sel.value;
    sel.textContent = '';
    var q = el('option', null, '退回队列');
    q.value = '';
    sel.appendChild(q);
    state.agents.forEach(function (a) {
      if (state.me && a.agentId === state.me.id) return;
      var o = el('option', null, a.name + '（' + (STATUS[a.status] || a.status) + '）');
      o.value = a.agentId;
      o.disabled = a.status !== 'online';
      sel.appendChild(o);
    });
    sel.value = keep;
  }

  function renderConversation() {
    var c = state.current ? state.convs.get(state.current) : null;
    $('empty').hidden = !!c;
    $('conv').hidden = !c;
    if (!c) return;
    var v = c.conversation;
    $('conv-title').textContent = buyerLabel(v);
    var meta = $('conv-meta');
    meta.textContent = '';
    if (v.priority) meta.appendChild(el('span', 'badge prio prio-' + v.priority, PRIORITY[v.priority] || v.priority));
    if (v.reason) meta.appendChild(el('span', 'reason', REASONS[v.reason] || v.reason));
    if (v.summary) {
      // Two lines on a phone (agent.css); a tap shows all of it.
      var summary = el('span', 'summary' + (state.summaryOpen ? ' open' : ''), v.summary);
      summary.addEventListener('click', function () {
        state.summaryOpen = !state.summaryOpen;
        summary.classList.toggle('open', state.summaryOpen);
      });
      meta.appendChild(summary);
    }
    meta.appendChild(slaNode(v.sla));

    var ol = $('history');
    if (ol.dataset.conv !== state.current) state.followHistory = true;
    ol.dataset.conv = state.current;
    var keepTop = ol.scrollTop;
    ol.textContent = '';
    v.history.forEach(function (h) {
      var li = el('li', 'msg from-' + h.from);
      if (h.seq) li.dataset.seq = String(h.seq);
      var head = el('div', 'msg-head');
      head.appendChild(el('span', 'who', FROM[h.from] || h.from));
      head.appendChild(el('span', 'at', fmtTime(h.at)));
      li.appendChild(head);
      li.appendChild(h.file ? photoNode(h.file) : el('div', 'text', h.text));
      ol.appendChild(li);
    });
    // For the console's modules that add to the messages (agent-learn.js).
    document.dispatchEvent(new CustomEvent('agent:history', { detail: state.current }));

    var sug = $('suggestions');
    sug.textContent = '';
    if (!c.suggestions || c.suggestions.length === 0) sug.appendChild(el('li', 'none', '暂无推荐'));
    (c.suggestions || []).slice(0, 3).forEach(function (s, i) {
      var li = el('li', 'suggestion');
      li.dataset.index = String(i);
      // Which intent's replies it comes from, in the shop's words (templateId "intent/move#n").
      var from = s.templateId ? s.templateId.split('/')[0] : '';
      if (from) li.appendChild(el('div', 'sintent', from === 'system' ? '通用回复' : intentName(from)));
      var body = el('div', 'sbody');
      body.appendChild(el('span', 'rank', String(i + 1)));
      body.appendChild(el('div', 'stext', s.text));
      li.appendChild(body);
      li.appendChild(el('div', 'sreason', '理由：' + (s.reason || '')));
      var acts = el('div', 'sacts');
      var bSend = el('button', 'small send-suggestion', '发送');
      bSend.type = 'button';
      bSend.addEventListener('click', function () {
        sendMessage(s.text, i);
      });
      var bEdit = el('button', 'small secondary edit-suggestion', '编辑');
      bEdit.type = 'button';
      bEdit.addEventListener('click', function () {
        var ta = field('compose-text');
        ta.value = s.text;
        state.editing = i;
        ta.focus();
      });
      acts.appendChild(bSend);
      acts.appendChild(bEdit);
      li.appendChild(acts);
      sug.appendChild(li);
    });

    var dl = $('intent');
    dl.textContent = '';
    var pairs = [
      ['意图', intentName(c.intent)],
      ['置信度', c.confidence == null ? '—' : Math.round(c.confidence * 100) + '%'],
    ];
    pairs.forEach(function (p) {
      dl.appendChild(el('dt', null, p[0]));
      dl.appendChild(el('dd', null, p[1]));
    });

    var facts = $('facts');
    facts.textContent = '';
    var list = c.entities && c.entities.length ? c.entities : v.facts;
    if (!list || list.length === 0) facts.appendChild(el('li', 'none', '暂无'));
    (list || []).forEach(function (f) {
      var val =
        f.value !== undefined ? f.value : [f.province, f.city === f.province ? '' : f.city, f.district, f.detail].filter(Boolean).join('') || f.text;
      facts.appendChild(el('li', null, (FACT_KIND[f.kind] || f.kind) + '：' + val));
    });

    renderCallback(v.callback);
    resetClosePicker(v.id);
    renderOrder(v.order);
    renderActs(v.acts);
    // Last: the suggestions above change the height the history has.
    ol.scrollTop = state.followHistory ? ol.scrollHeight : keepTop;
    document.dispatchEvent(new CustomEvent('agent:current', { detail: state.current }));
  }

  /** 买家正在输入… under the open conversation, for a few seconds after the buyer's typing frame (issue 10). */
  function showBuyerTyping(id) {
    var note = $('buyer-typing');
    if (!note || id !== state.current) return;
    note.hidden = false;
    clearTimeout(state.typingHide);
    state.typingHide = setTimeout(function () {
      note.hidden = true;
    }, 6000);
  }

  /** Tells the buyer the agent is typing, at most every 2 s (the server throttles too). */
  function agentTyping() {
    if (!state.current) return;
    var t = Date.now();
    if (state.typingAt && t - state.typingAt < 2000 && state.typingFor === state.current) return;
    state.typingAt = t;
    state.typingFor = state.current;
    send({ type: 'typing', conversationId: state.current });
  }

  /** The close-reason picker starts from 已解决 for every conversation shown (issue 10). */
  function resetClosePicker(id) {
    if (state.pickerFor === id) return;
    state.pickerFor = id;
    var sel = /** @type {HTMLSelectElement} */ ($('resolution'));
    if (sel) sel.selectedIndex = 0;
  }

  /** A phone number or WeChat id the buyer left while waiting, for the callback (issue 10). */
  function renderCallback(cb) {
    if (!cb || (!cb.phone && !cb.wechat)) return;
    var facts = $('facts');
    var none = facts.querySelector('li.none');
    if (none) facts.removeChild(none);
    var parts = [];
    if (cb.phone) parts.push('电话 ' + cb.phone);
    if (cb.wechat) parts.push('微信 ' + cb.wechat);
    facts.appendChild(el('li', 'callback', '留下的联系方式（回电）：' + parts.join('，')));
  }

  /** While away: no new chats, no picking from the queue, and when held chats move (issue 10). */
  function renderAwayNote(mine) {
    var note = $('away-note');
    if (!note) return;
    if (!mine || mine.status !== 'away') {
      note.hidden = true;
      note.textContent = '';
      return;
    }
    var text = '离开中：不会分配新会话，也不能从队列接入';
    if (typeof mine.chatsMoveAt === 'number') {
      var at = new Date(mine.chatsMoveAt - (state.offset || 0));
      var hh = ('0' + at.getHours()).slice(-2) + ':' + ('0' + at.getMinutes()).slice(-2);
      text += '；' + hh + ' 前回到在线，您手上的会话会保留，之后转给同事或回到队列';
    }
    note.textContent = text;
    note.hidden = false;
  }

  function renderOrder(o) {
    var box = $('order');
    box.textContent = '';
    if (!o) {
      box.appendChild(el('p', 'none', '暂无订单'));
      return;
    }
    var head = el('div', 'row');
    head.appendChild(el('strong', null, '订单 ' + o.number));
    head.appendChild(el('span', 'badge', ORDER_STATUS[o.status] || o.status));
    box.appendChild(head);
    var items = el('ul', 'items');
    o.items.forEach(function (i) {
      var spec = [i.color, i.size].filter(Boolean).join(' / ');
      items.appendChild(el('li', null, i.name + (spec ? '（' + spec + '）' : '') + ' ×' + i.quantity + '  ¥' + i.price));
    });
    box.appendChild(items);
    box.appendChild(el('div', 'total', '实付 ¥' + o.total));
    box.appendChild(el('div', 'addr', o.address.recipient + ' ' + o.address.phone + ' ' + o.address.full));
    if (o.dispute) box.appendChild(el('div', 'dispute', '售后：' + o.dispute));
    if (o.remarks && o.remarks.length) {
      // What the bot noted during the chat; the order system does not have it yet.
      var rm = el('ul', 'remarks');
      rm.appendChild(el('li', 'remarks-head', '机器人已登记（请同步到订单）'));
      o.remarks.forEach(function (r) {
        var detail = r.address
          ? '：' + r.address.recipient + ' ' + r.address.phone + ' ' + r.address.full
          : r.codPrice !== undefined
            ? '：¥' + r.codPrice + '（含手续费）'
            : [r.color, r.size].filter(Boolean).length
              ? '：' + [r.color, r.size].filter(Boolean).join(' / ')
              : r.text
                ? '：' + r.text
                : '';
        rm.appendChild(el('li', 'remark', fmtDateTime(r.at) + ' ' + (REMARK_KIND[r.kind] || r.kind) + detail));
      });
      box.appendChild(rm);
    }
    if (o.tracking) {
      box.appendChild(el('div', 'track', o.tracking.carrier + ' ' + o.tracking.number));
      var ev = el('ol', 'events');
      o.tracking.events
        .slice()
        .reverse()
        .forEach(function (e) {
          ev.appendChild(el('li', null, fmtDateTime(e.at) + ' ' + e.description));
        });
      box.appendChild(ev);
    }
  }

  function renderStats(s) {
    var box = $('stats');
    box.textContent = '';
    var add = function (label, value, cls) {
      var span = el('span', 'stat' + (cls ? ' ' + cls : ''));
      span.appendChild(el('b', null, value));
      span.appendChild(el('small', null, label));
      box.appendChild(span);
    };
    add('排队', String(s.queueLength));
    add('最长等待', fmtDur(s.oldestWaitSeconds * 1000));
    add('在线客服', String(s.agentsOnline));
    add('即将超时', String(s.slaApproaching), s.slaApproaching ? 'warn' : '');
    add('已超时', String(s.slaBreached), s.slaBreached ? 'bad' : '');
  }

  function select(id) {
    state.current = id;
    var c = state.convs.get(id);
    if (c) c.unread = 0;
    state.editing = null;
    state.summaryOpen = false;
    document.body.dataset.view = 'main';
    setTab('main');
    renderMine();
    renderConversation();
  }

  // --- socket -------------------------------------------------------------------------
  function send(frame) {
    if (!state.ws || state.ws.readyState !== 1) {
      toast('连接已断开，正在重连…', true);
      return false;
    }
    state.ws.send(JSON.stringify(frame));
    return true;
  }
  var clientSeq = 0;
  function sendMessage(text, suggestionIndex) {
    text = (text || '').trim();
    if (!text || !state.current) return;
    var frame = { type: 'message', conversationId: state.current, text: text, id: 'm' + Date.now().toString(36) + ++clientSeq };
    if (suggestionIndex !== null && suggestionIndex !== undefined) frame.suggestionIndex = suggestionIndex;
    if (send(frame)) {
      field('compose-text').value = '';
      state.editing = null;
    }
  }

  var PRIORITY_RANK = { urgent: 0, high: 1, normal: 2 };

  /**
   * One queue row added, updated or removed (issue 14: the server sends changes, the whole
   * queue only on connect and refresh). Rows stay in routing order: priority, then waiting time.
   * An update for a row we do not have is late (the row was taken meanwhile) and is dropped.
   */
  function applyQueueChange(f) {
    var at = -1;
    state.queue.forEach(function (q, i) {
      if (q.conversationId === f.conversationId) at = i;
    });
    if (f.op === 'removed') {
      if (at !== -1) state.queue.splice(at, 1);
      return;
    }
    if (!f.item || (f.op === 'updated' && at === -1)) return;
    if (at !== -1) state.queue[at] = f.item;
    else state.queue.push(f.item);
    state.queue.sort(function (a, b) {
      var ra = PRIORITY_RANK[a.priority] !== undefined ? PRIORITY_RANK[a.priority] : 3;
      var rb = PRIORITY_RANK[b.priority] !== undefined ? PRIORITY_RANK[b.priority] : 3;
      var ta = Date.parse(a.enqueuedAt) || 0;
      var tb = Date.parse(b.enqueuedAt) || 0;
      return ra - rb || ta - tb || (a.conversationId < b.conversationId ? -1 : a.conversationId > b.conversationId ? 1 : 0);
    });
  }

  function onFrame(f) {
    switch (f.type) {
      case 'hello':
        state.me = f.agent;
        state.colleagues = f.colleagues || [];
        state.offset = (f.serverTime || Date.now()) - Date.now();
        if (typeof f.shopUtcOffsetMinutes === 'number') state.shopOffset = f.shopUtcOffsetMinutes;
        $('agent-name').textContent = f.agent.name;
        $('conn').textContent = '已连接';
        $('conn').className = 'conn ok';
        state.retry = 0;
        break;
      case 'queue':
        state.queue = f.queue || [];
        if (f.serverTime) state.offset = f.serverTime - Date.now();
        renderQueue();
        statsSoon();
        break;
      case 'queue_item':
        applyQueueChange(f);
        if (f.serverTime) state.offset = f.serverTime - Date.now();
        renderQueue();
        statsSoon();
        break;
      case 'agents':
        state.agents = f.agents || [];
        var mine =
          state.me &&
          state.agents.filter(function (a) {
            return a.agentId === state.me.id;
          })[0];
        if (mine) field('presence').value = mine.status;
        var statusChanged = Boolean(mine) && state.myStatus !== mine.status;
        if (mine) state.myStatus = mine.status;
        renderAwayNote(mine);
        if (statusChanged) renderQueue();
        renderAgents();
        statsSoon();
        break;
      case 'conversation': {
        var id = f.conversation.id;
        var isNew = !state.convs.has(id);
        state.convs.set(id, {
          conversation: f.conversation,
          intent: f.intent,
          confidence: f.confidence,
          entities: f.entities || [],
          suggestions: f.suggestions || [],
          unread: 0,
        });
        if (isNew) toast('新会话：' + buyerLabel(f.conversation));
        if (!state.current || !state.convs.has(state.current)) state.current = id;
        renderMine();
        renderConversation();
        break;
      }
      case 'message': {
        var c = state.convs.get(f.conversationId);
        if (!c) break;
        var h = c.conversation.history;
        if (
          h.some(function (x) {
            return x.seq === f.message.seq;
          })
        )
          break;
        h.push(f.message);
        // Mirror the server's first-response rule locally so the countdown stays right:
        // an agent reply stops the clock, a buyer message starts it if none is running.
        var v = c.conversation;
        if (f.message.from === 'agent') {
          v.sla = v.sla.filter(function (x) {
            return x.kind !== 'first_response';
          });
        } else if (
          f.message.from === 'buyer' &&
          !v.sla.some(function (x) {
            return x.kind === 'first_response';
          })
        ) {
          var at = Date.parse(f.message.at) || now();
          v.sla.push({ kind: 'first_response', startedAt: at, dueAt: at + 5 * 60000, state: 'ok' });
        }
        if (f.conversationId !== state.current && f.message.from === 'buyer') c.unread = (c.unread || 0) + 1;
        renderMine();
        if (f.conversationId === state.current) renderConversation();
        break;
      }
      case 'turn': {
        var t = state.convs.get(f.conversationId);
        if (!t) break;
        t.intent = f.intent;
        t.confidence = f.confidence;
        t.entities = f.entities || t.entities;
        if (f.suggestions && f.suggestions.length) t.suggestions = f.suggestions;
        if (f.conversationId === state.current) renderConversation();
        break;
      }
      case 'note': {
        var n = state.convs.get(f.conversationId);
        if (n) {
          n.conversation.history.push(f.note);
          if (f.conversationId === state.current) renderConversation();
        }
        break;
      }
      case 'released':
        state.convs.delete(f.conversationId);
        if (state.current === f.conversationId) state.current = state.convs.keys().next().value || null;
        toast({ transfer: '会话已转接', handover: '会话已交接', returned: '已交还机器人', closed: '会话已结束' }[f.reason] || '会话已移出');
        renderMine();
        renderConversation();
        break;
      case 'sla': {
        var s = state.convs.get(f.conversationId);
        if (s) {
          var list = s.conversation.sla.filter(function (v) {
            return v.kind !== f.kind;
          });
          list.push({ kind: f.kind, dueAt: f.dueAt, startedAt: 0, state: f.state });
          s.conversation.sla = list;
        }
        // Name the chat: with several open, "首响已超时" alone does not say which one.
        var who = s
          ? buyerLabel(s.conversation)
          : state.queue
              .filter(function (q) {
                return q.conversationId === f.conversationId;
              })
              .map(buyerLabel)[0] || '';
        toast((who ? who + '：' : '') + (SLA_KIND[f.kind] || f.kind) + (f.state === 'breached' ? ' 已超时！' : ' 即将超时'), f.state === 'breached');
        renderMine();
        renderConversation();
        break;
      }
      case 'acts':
        onActs(f);
        break;
      case 'typing':
        showBuyerTyping(f.conversationId);
        break;
      case 'error':
        toast('操作失败：' + (f.message || f.code), true);
        break;
    }
  }

  function connect() {
    var proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    var ws = new WebSocket(proto + '//' + location.host + '/ws/agent?token=' + encodeURIComponent(state.token));
    state.ws = ws;
    var opened = false;
    ws.onopen = function () {
      opened = true;
    };
    ws.onmessage = function (e) {
      var f;
      try {
        f = JSON.parse(e.data);
      } catch (err) {
        return;
      }
      if (f && typeof f.type === 'string') {
        onFrame(f);
        document.dispatchEvent(new CustomEvent('agent:frame', { detail: f }));
      }
    };
    ws.onclose = function (e) {
      $('conn').textContent = '已断开';
      $('conn').className = 'conn bad';
      if (e.code === 1008 && e.reason === 'UNAUTHORIZED') {
        logout('令牌无效，请重新登录');
        return;
      }
      var delay = Math.min(10000, 500 * Math.pow(2, state.retry++));
      setTimeout(connect, opened ? 500 : delay);
    };
  }

  function refreshStats() {
    if (!state.token) return;
    fetch('/api/stats', { headers: { authorization: 'Bearer ' + state.token } })
      .then(function (r) {
        return r.ok ? r.json() : null;
      })
      .then(function (s) {
        if (!s) return;
        renderStats(s);
        // The queue follows change events; should one have been missed, take the whole queue again.
        if (typeof s.queueLength === 'number' && s.queueLength !== state.queue.length) resyncQueue();
      })
      .catch(function () {});
  }

  /** Asks for the whole queue (at most once every few seconds). */
  function resyncQueue() {
    var t = Date.now();
    if (timers.resyncAt && t - timers.resyncAt < 4000) return;
    timers.resyncAt = t;
    if (state.ws && state.ws.readyState === WebSocket.OPEN) state.ws.send(JSON.stringify({ type: 'refresh' }));
  }

  // Header figures follow queue / presence changes without waiting for the next poll.
  function statsSoon() {
    clearTimeout(timers.stats);
    timers.stats = setTimeout(refreshStats, 300);
  }

  function logout(msg) {
    sessionStorage.removeItem('agentToken');
    state.token = null;
    $('app').hidden = true;
    $('login').hidden = false;
    $('login-error').textContent = msg || '';
  }

  function setTab(view) {
    document.body.dataset.view = view;
    Array.prototype.forEach.call(document.querySelectorAll('.tabs button'), function (b) {
      b.classList.toggle('active', b.dataset.view === view);
    });
    // Drawn while hidden (phone, lists tab): it could not scroll then.
    var ol = $('history');
    if (view === 'main' && state.followHistory) ol.scrollTop = ol.scrollHeight;
  }

  function start(token) {
    state.token = token;
    sessionStorage.setItem('agentToken', token);
    $('login').hidden = true;
    $('app').hidden = false;
    addPhotoSend();
    connect();
    refreshStats();
    setInterval(refreshStats, 5000);
    // Countdowns tick locally between server updates.
    setInterval(function () {
      renderQueue();
      renderMine();
      if (state.current) {
        var m = $('conv-meta');
        if (m && state.convs.get(state.current)) renderConvMetaOnly();
      }
    }, 1000);
  }
  // ---- photos and acts (issue 13) ----------------------------------------------------------

  /** Blob URLs of images already fetched, by file id (history is redrawn often). */
  var photoUrls = new Map();

  /** A thumbnail fetched with the agent token; a click opens it full size in a new tab. */
  function photoNode(file) {
    var box = el('div', 'text photo');
    var img = document.createElement('img');
    img.className = 'photo-thumb';
    img.alt = '买家图片（点击查看大图）';
    img.title = '点击查看大图';
    box.appendChild(img);
    var show = function (src) {
      img.src = src;
      img.addEventListener('click', function () {
        window.open(src, '_blank', 'noopener');
      });
    };
    if (photoUrls.has(file.id)) {
      show(photoUrls.get(file.id));
      return box;
    }
    fetch(file.url, { headers: { authorization: 'Bearer ' + state.token } })
      .then(function (r) {
        if (!r.ok) throw new Error(String(r.status));
        return r.blob();
      })
      .then(function (b) {
        var u = URL.createObjectURL(b);
        photoUrls.set(file.id, u);
        show(u);
      })
      .catch(function () {
        box.textContent = '[图片无法加载]';
      });
    return box;
  }

  /** "发图片" next to send: an image to the buyer of the open conversation. */
  function addPhotoSend() {
    var actions = document.querySelector('#compose .compose-actions');
    if (!actions || $('btn-photo')) return;
    var label = el('label', 'button secondary photo-send', '发图片');
    label.id = 'btn-photo';
    var input = document.createElement('input');
    input.type = 'file';
    input.accept = 'image/*';
    input.hidden = true;
    input.addEventListener('change', function () {
      var file = input.files && input.files[0];
      input.value = '';
      if (!file || !state.current) return;
      fetch('/api/files?conversationId=' + encodeURIComponent(state.current), {
        method: 'POST',
        headers: { authorization: 'Bearer ' + state.token },
        body: file,
      })
        .then(function (r) {
          if (r.status === 201) return;
          toast(r.status === 413 ? '图片太大' : r.status === 415 ? '只能发送 JPG、PNG、WebP、GIF 图片' : '图片发送失败（' + r.status + '）', true);
        })
        .catch(function () {
          toast('图片发送失败', true);
        });
    });
    label.appendChild(input);
    actions.appendChild(label);
  }

  var ACT_KIND = {
    deal: '成交价',
    address_change: '改地址/收件人',
    exchange: '换货申请',
    return: '退货申请',
    refund: '退款申请',
    cod: '货到付款',
    remark: '订单备注',
  };
  var ACT_STATE = { sent: '已发送', accepted: '店铺已接受', refused: '店铺已拒绝' };

  function onActs(f) {
    var c = state.convs.get(f.conversationId);
    if (!c) return;
    c.conversation.acts = f.acts || [];
    if (f.conversationId === state.current) renderActs(c.conversation.acts);
  }

  /** What was sent to the shop's system for this conversation, with its state. */
  function renderActs(acts) {
    var box = $('acts');
    if (!box) {
      var facts = document.querySelector('.facts');
      if (!facts) return;
      var section = el('section');
      section.appendChild(el('h3', null, '同步到店铺'));
      box = el('ul', 'facts-list acts-list');
      box.id = 'acts';
      section.appendChild(box);
      facts.appendChild(section);
    }
    box.textContent = '';
    if (!acts || acts.length === 0) {
      box.appendChild(el('li', 'none', '暂无'));
      return;
    }
    acts.forEach(function (a) {
      var li = el('li', 'act act-' + a.state);
      li.appendChild(el('span', 'act-kind', (ACT_KIND[a.kind] || a.kind) + (a.orderNumber ? ' · ' + a.orderNumber : '')));
      li.appendChild(el('span', 'act-state', ACT_STATE[a.state] || a.state));
      var why = a.state === 'refused' ? a.reason : a.state === 'sent' && a.lastError ? '重试中（第 ' + a.attempts + ' 次）' : '';
      if (why) li.appendChild(el('div', 'act-why', why));
      box.appendChild(li);
    });
  }

  function renderConvMetaOnly() {
    var c = state.convs.get(state.current);
    var meta = $('conv-meta');
    var old = meta.querySelector('.sla');
    if (old) meta.replaceChild(slaNode(c.conversation.sla), old);
  }

  // --- wiring -------------------------------------------------------------------------
  $('compose').addEventListener('submit', function (e) {
    e.preventDefault();
    sendMessage(field('compose-text').value, state.editing);
  });
  $('compose-text').addEventListener('input', agentTyping);
  $('compose-text').addEventListener('keydown', function (e) {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      sendMessage(field('compose-text').value, state.editing);
    }
  });
  $('btn-note').addEventListener('click', function () {
    var text = field('compose-text').value.trim();
    if (!text || !state.current) return;
    if (send({ type: 'note', conversationId: state.current, text: text })) field('compose-text').value = '';
  });
  $('btn-transfer').addEventListener('click', function () {
    if (!state.current) return;
    var to = field('transfer-to').value;
    var f = { type: 'transfer', conversationId: state.current };
    if (to) f.toAgentId = to;
    send(f);
  });
  $('btn-return').addEventListener('click', function () {
    if (state.current) send({ type: 'return_to_bot', conversationId: state.current });
  });
  $('btn-close').addEventListener('click', function () {
    if (state.current) send({ type: 'close', conversationId: state.current, resolution: field('resolution').value });
  });
  // New messages keep the history at the bottom only while the agent has not scrolled up to read.
  $('history').addEventListener(
    'scroll',
    function () {
      var ol = $('history');
      if (ol.clientHeight > 0) state.followHistory = ol.scrollHeight - ol.scrollTop - ol.clientHeight < 40;
    },
    { passive: true },
  );
  // The panes around the history (tags, quick phrases, suggestions, the typing line) fill in
  // after it is drawn and shrink it: keep the newest message in view while following.
  if (window.ResizeObserver) {
    new ResizeObserver(function () {
      var ol = $('history');
      if (state.followHistory && ol.clientHeight > 0) ol.scrollTop = ol.scrollHeight;
    }).observe($('history'));
  }
  $('presence').addEventListener('change', function () {
    send({ type: 'presence', status: field('presence').value });
  });
  Array.prototype.forEach.call(document.querySelectorAll('.tabs button'), function (b) {
    b.addEventListener('click', function () {
      setTab(b.dataset.view);
    });
  });
  $('login-form').addEventListener('submit', function (e) {
    e.preventDefault();
    var t = field('token-input').value.trim();
    if (t) start(t);
  });

  // For the console's other scripts (agent-search.js, agent-alerts.js): read-only use of the
  // state plus the few actions they need.
  window.AgentConsole = {
    state: state,
    intents: INTENTS,
    reasons: REASONS,
    priorities: PRIORITY,
    buyerLabel: buyerLabel,
    visitorLabel: visitorLabel,
    intentName: intentName,
    fmtDateTime: fmtDateTime,
    select: select,
    send: send,
    toast: toast,
  };

  var params = new URLSearchParams(location.search);
  var fromUrl = params.get('token');
  if (fromUrl) {
    // Keep the token out of the address bar, history and screenshots.
    params.delete('token');
    history.replaceState(null, '', location.pathname + (params.toString() ? '?' + params : ''));
  }
  var token = fromUrl || sessionStorage.getItem('agentToken');
  document.body.dataset.view = 'side';
  if (token) start(token);
  else logout('');
})();
