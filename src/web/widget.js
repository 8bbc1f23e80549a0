// @ts-check
/*
 * Storefront chat widget. Any shop page embeds it with
 *   <script src="https://kefu.example.com/widget.js" data-shop="demo" data-product="p1" async></script>
 * A shop page whose visitor is logged in adds data-buyer="<shop buyer id>" and
 * data-buyer-sig="<hex HMAC-SHA256 of that id with SHOP_SECRET>", rendered by the shop's server;
 * the chat server verifies the signature and opens that buyer's own conversation.
 * It draws a launcher and a chat panel inside a shadow root (the shop's CSS cannot break it,
 * ours cannot leak out), talks to /ws/buyer on the server the script came from, reconnects by
 * itself, and keeps the conversation across reloads in localStorage (buyer id, resume token,
 * last seq, recent messages, unsent messages). Everything shown is set with textContent:
 * nothing a buyer, agent or bot writes is ever parsed as HTML.
 */
(function () {
  'use strict';

  var script = /** @type {HTMLScriptElement | null} */ (document.currentScript);
  if (!script || window.__kefuWidgetLoaded) return;
  window.__kefuWidgetLoaded = true;

  var base = new URL(script.src, location.href);
  var shopId = script.getAttribute('data-shop') || 'demo';
  var productId = script.getAttribute('data-product') || '';
  var startOpen = script.getAttribute('data-open') === 'true';
  var shopBuyerId = script.getAttribute('data-buyer') || '';
  var shopBuyerSig = script.getAttribute('data-buyer-sig') || '';
  var wsUrl = (base.protocol === 'https:' ? 'wss://' : 'ws://') + base.host + '/ws/buyer';
  // A logged-in buyer's cache is kept apart from the anonymous one (and from other buyers').
  var storageKey = 'kefu:' + shopId + (shopBuyerId ? ':buyer:' + shopBuyerId : '');
  var MAX_CACHED = 150;

  // Interface words (not replies: those come from the shop's templates on the server).
  var T = {
    title: '在线客服',
    launcher: '咨询客服',
    launcherShort: '客服',
    bot: '智能客服',
    agent: '人工客服',
    system: '系统消息',
    you: '我',
    placeholder: '请输入您的问题…',
    send: '发送',
    close: '收起',
    connecting: '正在连接…',
    online: '智能客服为您服务',
    reconnecting: '连接已断开，正在重连…',
    queued: '人工客服排队中，请稍候',
    queuedBanner: '已转人工客服，正在为您排队…',
    queuedLine: '已转人工客服，请稍候，客服马上就来',
    assigned: function (n) {
      return '人工客服' + (n ? ' ' + n : '') + ' 为您服务';
    },
    assignedLine: function (n) {
      return '已转人工客服' + (n ? '，' + n + ' 为您服务' : '');
    },
    returned: '已回到智能客服',
    closedLine: '本次会话已结束，有问题随时再来问哦',
    typing: '对方正在输入',
    sending: '发送中',
    failed: '发送失败',
    retry: '重试',
    tooLong: function (n, max) {
      return '消息太长了（' + n + '/' + max + ' 字），请删减或分几次发送';
    },
    errors: {
      RATE_LIMITED: '发送太快啦，请稍后再试',
      TEXT_TOO_LONG: '消息太长了，请分几次发送',
      EMPTY_TEXT: '消息不能为空',
      SHUTTING_DOWN: '服务器正在维护，稍后会自动重连',
      TOO_MANY_CONNECTIONS: '打开的聊天窗口太多了，请关闭一些页面',
      STORE_UNAVAILABLE: '消息暂时没能保存，稍后自动重试',
      BAD_BUYER_SIGNATURE: '登录信息校验未通过，已以游客身份为您服务',
      BINARY_FRAME: '消息格式有误',
      BAD_JSON: '消息格式有误',
      BAD_FRAME: '消息格式有误',
      UNKNOWN_TYPE: '消息格式有误',
    },
  };

  // ---- persistence -------------------------------------------------------------------

  function loadState() {
    try {
      var s = JSON.parse(localStorage.getItem(storageKey) || 'null');
      if (s && typeof s === 'object') {
        return {
          buyerId: typeof s.buyerId === 'string' ? s.buyerId : null,
          resumeToken: typeof s.resumeToken === 'string' ? s.resumeToken : null,
          conversationId: typeof s.conversationId === 'string' ? s.conversationId : null,
          lastSeq: typeof s.lastSeq === 'number' ? s.lastSeq : 0,
          status: typeof s.status === 'string' ? s.status : 'bot',
          // Who is serving, so the header still names them after a reload.
          agentName: typeof s.agentName === 'string' ? s.agentName : '',
          messages: Array.isArray(s.messages) ? s.messages.filter(validCached) : [],
          pending: Array.isArray(s.pending) ? s.pending.filter(validPending) : [],
        };
      }
    } catch (e) {
      /* storage blocked or corrupt: start fresh */
    }
    return { buyerId: null, resumeToken: null, conversationId: null, lastSeq: 0, status: 'bot', messages: [], pending: [] };
  }
  function validCached(m) {
    return m && typeof m.seq === 'number' && typeof m.text === 'string' && typeof m.from === 'string';
  }
  function validPending(p) {
    return p && typeof p.id === 'string' && typeof p.text === 'string';
  }
  function saveState() {
    try {
      state.messages = state.messages.slice(-MAX_CACHED);
      localStorage.setItem(storageKey, JSON.stringify(state));
    } catch (e) {
      /* quota or private mode: the server still has everything */
    }
  }

  var state = loadState();

  // ---- DOM ---------------------------------------------------------------------------

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  /** A speech-bubble icon drawn in SVG (emoji fonts are missing on many systems). */
  function chatIcon() {
    var ns = 'http://www.w3.org/2000/svg';
    var svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('class', 'kf-launcher-icon');
    svg.setAttribute('aria-hidden', 'true');
    var path = document.createElementNS(ns, 'path');
    path.setAttribute('d', 'M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z');
    path.setAttribute('fill', 'currentColor');
    svg.appendChild(path);
    return svg;
  }

  var host = el('div');
  host.id = 'kefu-widget';
  var root = host.attachShadow ? host.attachShadow({ mode: 'open' }) : host;
  var css = document.createElement('link');
  css.rel = 'stylesheet';
  css.href = new URL('/widget.css', base).href;
  root.appendChild(css);

  var launcher = el('button', 'kf-launcher');
  launcher.type = 'button';
  launcher.setAttribute('aria-label', T.launcher);
  launcher.appendChild(chatIcon());
  launcher.appendChild(el('span', 'kf-launcher-text', T.launcher));
  launcher.appendChild(el('span', 'kf-launcher-short', T.launcherShort));
  var badge = el('span', 'kf-badge');
  badge.hidden = true;
  launcher.appendChild(badge);

  var panel = el('section', 'kf-panel');
  panel.setAttribute('role', 'dialog');
  panel.setAttribute('aria-label', T.title);
  panel.hidden = true;

  var header = el('header', 'kf-header');
  var headText = el('div', 'kf-head-text');
  headText.appendChild(el('div', 'kf-title', T.title));
  var statusLine = el('div', 'kf-status', T.connecting);
  headText.appendChild(statusLine);
  var closeBtn = el('button', 'kf-close', '×');
  closeBtn.type = 'button';
  closeBtn.setAttribute('aria-label', T.close);
  header.appendChild(el('div', 'kf-avatar', '客'));
  header.appendChild(headText);
  header.appendChild(closeBtn);

  var banner = el('div', 'kf-banner');
  banner.hidden = true;

  var list = el('ol', 'kf-messages');
  list.setAttribute('aria-live', 'polite');

  var typing = el('div', 'kf-typing');
  typing.hidden = true;
  typing.appendChild(el('span', 'kf-typing-text', T.typing));
  typing.appendChild(el('span', 'kf-dot'));
  typing.appendChild(el('span', 'kf-dot'));
  typing.appendChild(el('span', 'kf-dot'));

  var quick = el('div', 'kf-quick');
  quick.hidden = true;

  var form = el('form', 'kf-compose');
  var input = el('textarea', 'kf-input');
  input.rows = 1;
  input.placeholder = T.placeholder;
  input.setAttribute('aria-label', T.placeholder);
  // No maxlength: it would cut pasted text silently. The limit is checked on send instead,
  // with the text kept in the box (see maxText and the submit handler).
  var maxText = 500;
  var sendBtn = el('button', 'kf-send', T.send);
  sendBtn.type = 'submit';
  form.appendChild(photoButton());
  form.appendChild(input);
  form.appendChild(sendBtn);

  var notice = el('div', 'kf-notice');
  notice.hidden = true;
  notice.setAttribute('role', 'alert');

  panel.appendChild(header);
  panel.appendChild(banner);
  panel.appendChild(list);
  panel.appendChild(typing);
  panel.appendChild(quick);
  panel.appendChild(notice);
  panel.appendChild(form);
  root.appendChild(launcher);
  root.appendChild(panel);

  var unread = 0;
  function openPanel() {
    panel.hidden = false;
    launcher.hidden = true;
    unread = 0;
    badge.hidden = true;
    host.setAttribute('data-open', 'true');
    scrollDown();
    input.focus();
  }
  function closePanel() {
    panel.hidden = true;
    launcher.hidden = false;
    host.removeAttribute('data-open');
    placeLauncher();
  }
  launcher.addEventListener('click', openPanel);
  closeBtn.addEventListener('click', closePanel);

  function scrollDown() {
    list.scrollTop = list.scrollHeight;
  }

  // ---- launcher placement ------------------------------------------------------------
  // The launcher floats over a page we do not know. Where it would sit on one of the page's
  // own controls (the shop's 立即购买 button, a fixed bottom bar of 加入购物车 …) it moves
  // up above them, so a buyer can always reach both. Text under it can be scrolled away, and
  // at the end of the page the host element leaves room for it (widget.css).
  var CONTROLS =
    'a[href], button, input:not([type="hidden"]), select, textarea, summary, label[for], ' +
    '[role="button"], [role="link"], [role="tab"], [onclick], [tabindex]:not([tabindex="-1"])';
  var GAP = 8;
  var lift = 0;

  /** Boxes of the page's visible controls beside the launcher (small ones: a control the
      size of a product card can still be tapped next to the launcher). */
  function controlBoxes(left, right, maxHeight) {
    var boxes = [];
    var nodes = document.querySelectorAll(CONTROLS);
    for (var i = 0; i < nodes.length; i++) {
      if (nodes[i] === host) continue;
      var r = nodes[i].getBoundingClientRect();
      if (r.width === 0 || r.height === 0 || r.height > maxHeight) continue;
      if (r.right <= left - GAP || r.left >= right + GAP) continue;
      if (r.bottom <= 0 || r.top >= window.innerHeight) continue;
      boxes.push(r);
    }
    return boxes;
  }

  function placeLauncher() {
    if (launcher.hidden || !launcher.offsetWidth) return;
    // Where it rests without lift (offset* ignore the transform that lifts it).
    var left = launcher.offsetLeft;
    var height = launcher.offsetHeight;
    var restBottom = launcher.offsetTop + height;
    var controls = controlBoxes(left, left + launcher.offsetWidth, height * 3);
    var next = 0;
    for (var tries = 0; tries < 12; tries++) {
      var top = restBottom - next - height;
      var bottom = restBottom - next;
      var highest = Infinity;
      for (var i = 0; i < controls.length; i++) {
        var r = controls[i];
        if (r.top < bottom + GAP && r.bottom > top - GAP) highest = Math.min(highest, r.top);
      }
      if (highest === Infinity) break;
      next = restBottom - highest + GAP;
      // No free place in the lower part of the screen: stay where shops expect it.
      if (restBottom - next - height < window.innerHeight * 0.35) {
        next = 0;
        break;
      }
    }
    next = Math.ceil(next);
    if (next !== lift) {
      lift = next;
      host.style.setProperty('--kf-lift', lift + 'px');
    }
  }

  var placeTimer = null;
  /** Places the launcher once the page has stopped moving (scrolling, loading, resizing). */
  function placeSoon() {
    clearTimeout(placeTimer);
    placeTimer = setTimeout(placeLauncher, 120);
  }

  function timeLabel(iso) {
    var d = new Date(iso);
    if (isNaN(d.getTime())) return '';
    var h = d.getHours(),
      m = d.getMinutes();
    return (h < 10 ? '0' : '') + h + ':' + (m < 10 ? '0' : '') + m;
  }

  /** Draws one message; `m` = { from, text, seq?, at?, agentName?, id?, status? }. */
  function renderMessage(m) {
    var from = m.from === 'buyer' || m.from === 'bot' || m.from === 'agent' || m.from === 'system' ? m.from : 'system';
    var li = el('li', 'kf-msg kf-' + from);
    if (m.seq) li.setAttribute('data-seq', String(m.seq));
    if (m.id) li.setAttribute('data-id', m.id);
    if (from === 'system') {
      li.appendChild(el('span', 'kf-system-text', m.text));
      list.appendChild(li);
      return li;
    }
    if (from !== 'buyer') {
      var who = from === 'agent' ? T.agent + (m.agentName ? ' · ' + m.agentName : '') : T.bot;
      li.appendChild(el('div', 'kf-who', who));
    }
    var bubble = el('div', 'kf-bubble', m.text);
    if (m.file) showPhoto(bubble, m.file);
    li.appendChild(bubble);
    var meta = el('div', 'kf-meta');
    meta.appendChild(el('span', 'kf-time', m.at ? timeLabel(m.at) : ''));
    if (from === 'buyer') {
      var st = el('span', 'kf-state');
      meta.appendChild(st);
    }
    li.appendChild(meta);
    list.appendChild(li);
    if (from === 'buyer') setBuyerState(li, m.status || 'sent');
    return li;
  }

  function setBuyerState(li, status) {
    li.setAttribute('data-state', status);
    var st = li.querySelector('.kf-state');
    if (!st) return;
    st.textContent = status === 'pending' ? T.sending : status === 'failed' ? T.failed : '✓';
  }

  function showQuickReplies(choices) {
    while (quick.firstChild) quick.removeChild(quick.firstChild);
    if (!choices || !choices.length) {
      quick.hidden = true;
      return;
    }
    choices.slice(0, 6).forEach(function (c) {
      var b = el('button', 'kf-chip', c);
      b.type = 'button';
      b.addEventListener('click', function () {
        sendText(String(c));
      });
      quick.appendChild(b);
    });
    quick.hidden = false;
  }

  var noticeTimer = null;
  function showNotice(text) {
    notice.textContent = text;
    notice.hidden = false;
    clearTimeout(noticeTimer);
    noticeTimer = setTimeout(function () {
      notice.hidden = true;
    }, 5000);
  }

  var typingTimer = null;
  function showTyping(on) {
    clearTimeout(typingTimer);
    typing.hidden = !on;
    if (on) {
      scrollDown();
      typingTimer = setTimeout(function () {
        typing.hidden = true;
      }, 10000);
    }
  }

  var connected = false;
  function renderStatus() {
    banner.hidden = true;
    if (!connected) {
      statusLine.textContent = state.buyerId ? T.reconnecting : T.connecting;
      panel.setAttribute('data-conn', 'offline');
      return;
    }
    panel.setAttribute('data-conn', 'online');
    panel.setAttribute('data-status', state.status);
    if (state.status === 'queued') {
      statusLine.textContent = T.queued;
      banner.textContent = T.queuedBanner;
      banner.hidden = false;
    } else if (state.status === 'agent') {
      statusLine.textContent = T.assigned(state.agentName);
    } else {
      statusLine.textContent = T.online;
    }
  }

  function redrawAll() {
    while (list.firstChild) list.removeChild(list.firstChild);
    var lastQuick = null;
    state.messages.forEach(function (m) {
      renderMessage(m);
      lastQuick = m.from === 'buyer' ? null : m.quickReplies || null;
    });
    state.pending.forEach(function (p) {
      renderMessage({ from: 'buyer', text: p.text, id: p.id, status: 'pending' });
    });
    showQuickReplies(lastQuick);
    scrollDown();
  }

  // ---- connection --------------------------------------------------------------------

  var ws = null;
  var attempt = 0;
  var reconnectTimer = null;
  var welcomed = false;

  function connect() {
    clearTimeout(reconnectTimer);
    if (ws && (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING)) return;
    welcomed = false;
    try {
      ws = new WebSocket(wsUrl);
    } catch (e) {
      scheduleReconnect();
      return;
    }
    ws.onopen = function () {
      var hello = { type: 'hello', shopId: shopId };
      if (state.buyerId && state.resumeToken) {
        hello.buyerId = state.buyerId;
        hello.resumeToken = state.resumeToken;
        hello.lastSeq = state.lastSeq;
      }
      if (productId) hello.productId = productId;
      if (shopBuyerId) {
        hello.shopBuyerId = shopBuyerId;
        hello.shopBuyerSig = shopBuyerSig;
      }
      ws.send(JSON.stringify(hello));
    };
    ws.onmessage = function (ev) {
      if (typeof ev.data !== 'string') return;
      var f;
      try {
        f = JSON.parse(ev.data);
      } catch (e) {
        return;
      }
      if (f && typeof f.type === 'string') onFrame(f);
    };
    ws.onclose = function (ev) {
      connected = false;
      welcomed = false;
      renderStatus();
      // Rate-limited or too many sockets: wait longer before trying again.
      scheduleReconnect(ev.code === 1008 || ev.code === 1013 ? 10000 : 0);
    };
    ws.onerror = function () {
      /* onclose follows */
    };
  }

  function scheduleReconnect(minDelay) {
    clearTimeout(reconnectTimer);
    var delay = Math.min(10000, 500 * Math.pow(2, attempt)) * (0.75 + Math.random() * 0.5);
    attempt = Math.min(attempt + 1, 6);
    reconnectTimer = setTimeout(connect, Math.max(delay, minDelay || 0));
  }

  window.addEventListener('online', function () {
    attempt = 0;
    connect();
  });

  function onFrame(f) {
    switch (f.type) {
      case 'welcome':
        onWelcome(f);
        break;
      case 'ack':
        onAck(f);
        break;
      case 'message':
        onMessage(f);
        break;
      case 'handoff':
        onHandoff(f);
        break;
      case 'typing':
        showTyping(true);
        break;
      case 'error':
        onError(f);
        break;
    }
  }

  function onWelcome(f) {
    var sameConversation = f.resumed && f.conversationId === state.conversationId;
    state.buyerId = f.buyerId;
    state.resumeToken = f.resumeToken;
    if (!sameConversation) {
      // A new conversation (first visit, expired or refused token): drop what we cached.
      state.messages = [];
      state.lastSeq = 0;
      state.conversationId = f.conversationId;
    }
    state.status = f.status || 'bot';
    if (f.limits && f.limits.maxTextLength) maxText = f.limits.maxTextLength;
    connected = true;
    welcomed = true;
    attempt = 0;
    saveState();
    redrawAll();
    renderStatus();
    // Resend what never got an ack; the same ids make this safe to repeat.
    state.pending.forEach(function (p) {
      sendFrame({ type: 'message', id: p.id, text: p.text });
    });
  }

  function findPendingLi(id) {
    var items = list.querySelectorAll('li.kf-buyer');
    for (var i = 0; i < items.length; i++) if (items[i].getAttribute('data-id') === id) return items[i];
    return null;
  }

  function onAck(f) {
    var idx = -1;
    for (var i = 0; i < state.pending.length; i++) if (state.pending[i].id === f.id) idx = i;
    if (idx < 0) return;
    var p = state.pending.splice(idx, 1)[0];
    var msg = { from: 'buyer', text: p.text, seq: f.seq, id: p.id, at: new Date().toISOString() };
    remember(msg);
    var li = findPendingLi(f.id);
    if (li) {
      li.setAttribute('data-seq', String(f.seq));
      li.querySelector('.kf-time').textContent = timeLabel(msg.at);
      setBuyerState(li, 'sent');
    }
    // A reply is on its way.
    if (state.status === 'bot') showTyping(true);
  }

  function remember(m) {
    if (m.seq && m.seq > state.lastSeq) state.lastSeq = m.seq;
    state.messages.push(m);
    saveState();
  }

  function onMessage(f) {
    if (typeof f.seq === 'number' && f.seq <= state.lastSeq) return; // already shown
    var m = {
      from: f.from,
      text: typeof f.text === 'string' ? f.text : '',
      seq: f.seq,
      at: f.at,
      agentName: typeof f.agentName === 'string' ? f.agentName : undefined,
      id: typeof f.id === 'string' ? f.id : undefined,
      file: photoOf(f),
      quickReplies: Array.isArray(f.quickReplies)
        ? f.quickReplies.filter(function (q) {
            return typeof q === 'string';
          })
        : undefined,
    };
    // Our own message replayed after a reconnect before its ack: that is the ack.
    if (m.from === 'buyer' && m.id && findPendingLi(m.id)) {
      onAck({ id: m.id, seq: m.seq });
      return;
    }
    remember(m);
    // On a device without our cache the welcome only says "with an agent": their messages name them.
    if (m.from === 'agent' && m.agentName && state.status === 'agent' && state.agentName !== m.agentName) {
      state.agentName = m.agentName;
      saveState();
      renderStatus();
    }
    showTyping(false);
    renderMessage(m);
    showQuickReplies(m.from === 'buyer' ? null : m.quickReplies);
    scrollDown();
    if (panel.hidden && m.from !== 'buyer') {
      unread++;
      badge.textContent = String(unread);
      badge.hidden = false;
    }
  }

  /**
   * A line from the shop about the chat itself (已转人工, who serves, closed). Handoff lines are
   * kept with the cached messages (seq 0: they are not in the server's log), so a reload
   * shows them where they were.
   */
  function systemLine(text, keep) {
    var m = { from: 'system', text: text, seq: 0, at: new Date().toISOString() };
    if (keep) {
      state.messages.push(m);
      saveState();
    }
    renderMessage(m);
    scrollDown();
  }

  function onHandoff(f) {
    if (f.status === 'queued') {
      state.status = 'queued';
      systemLine(T.queuedLine, true);
    } else if (f.status === 'assigned') {
      state.status = 'agent';
      state.agentName = typeof f.agentName === 'string' ? f.agentName : '';
      systemLine(T.assignedLine(state.agentName), true);
    } else if (f.status === 'returned') {
      state.status = 'bot';
      systemLine(T.returned, true);
    } else if (f.status === 'closed') {
      state.status = 'closed';
      systemLine(T.closedLine, true);
      showCsat();
    }
    showTyping(false);
    saveState();
    renderStatus();
  }

  // ---- rating at close (CSAT) ------------------------------------------------------------
  // Interface words of the rating card (the question is the shop's standard one).
  var CSAT_T = {
    question: '亲，本次服务您还满意吗？',
    star: function (n) {
      return n + ' 星';
    },
    levels: ['', '很不满意', '不满意', '一般', '满意', '非常满意'],
    placeholder: '还想对我们说点什么（选填）',
    send: '提交评价',
    thanks: '感谢您的评价，祝您购物愉快～',
    failed: '评价没能提交，请稍后再试',
  };

  /** Asks the buyer for 1-5 stars and an optional line once the conversation is closed. */
  function showCsat() {
    if (!state.buyerId || !state.resumeToken || !state.conversationId) return;
    var ask = { buyerId: state.buyerId, resumeToken: state.resumeToken, conversationId: state.conversationId };
    var li = el('li', 'kf-msg kf-csat');
    var box = el('form', 'kf-csat-box');
    box.appendChild(el('div', 'kf-csat-q', CSAT_T.question));
    var stars = el('div', 'kf-stars');
    stars.setAttribute('role', 'radiogroup');
    stars.setAttribute('aria-label', CSAT_T.question);
    var level = el('div', 'kf-csat-level', '');
    var score = 0;
    var buttons = [];
    for (var i = 1; i <= 5; i++) buttons.push(csatStar(i));
    function csatStar(n) {
      var b = el('button', 'kf-star', '★');
      b.type = 'button';
      b.setAttribute('role', 'radio');
      b.setAttribute('aria-checked', 'false');
      b.setAttribute('aria-label', CSAT_T.star(n));
      b.setAttribute('data-score', String(n));
      b.addEventListener('click', function () {
        score = n;
        buttons.forEach(function (x, j) {
          x.className = 'kf-star' + (j < n ? ' kf-on' : '');
          x.setAttribute('aria-checked', String(j + 1 === n));
        });
        level.textContent = CSAT_T.levels[n];
        send.disabled = false;
      });
      stars.appendChild(b);
      return b;
    }
    var comment = el('input', 'kf-csat-comment');
    comment.maxLength = 200;
    comment.placeholder = CSAT_T.placeholder;
    comment.setAttribute('aria-label', CSAT_T.placeholder);
    var send = el('button', 'kf-csat-send', CSAT_T.send);
    send.type = 'submit';
    send.disabled = true;
    var note = el('div', 'kf-csat-note', '');
    box.appendChild(stars);
    box.appendChild(level);
    box.appendChild(comment);
    box.appendChild(send);
    box.appendChild(note);
    box.addEventListener('submit', function (e) {
      e.preventDefault();
      if (!score) return;
      send.disabled = true;
      ask.score = score;
      if (comment.value.trim()) ask.comment = comment.value.trim();
      // text/plain: a simple request, no CORS preflight from the shop's page.
      fetch(base.origin + '/api/csat', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify(ask) })
        .then(function (r) {
          if (!r.ok) throw new Error(String(r.status));
          while (box.firstChild) box.removeChild(box.firstChild);
          box.appendChild(el('div', 'kf-csat-thanks', CSAT_T.thanks));
        })
        .catch(function () {
          note.textContent = CSAT_T.failed;
          send.disabled = false;
        });
    });
    li.appendChild(box);
    list.appendChild(li);
    scrollDown();
  }

  function onError(f) {
    var text = (f.code && T.errors[f.code]) || T.failed;
    if (f.id) {
      // The message was refused: keep it visible as failed, offer to retry.
      state.pending = state.pending.filter(function (p) {
        if (p.id !== f.id) return true;
        failed[p.id] = p.text;
        return false;
      });
      saveState();
      var li = findPendingLi(f.id);
      if (li) {
        setBuyerState(li, 'failed');
        addRetry(li, f.id);
      }
    }
    showTyping(false);
    showNotice(text);
  }

  var failed = {};
  function addRetry(li, id) {
    if (li.querySelector('.kf-retry')) return;
    var b = el('button', 'kf-retry', T.retry);
    b.type = 'button';
    b.addEventListener('click', function () {
      var text = failed[id];
      if (text === undefined) return;
      delete failed[id];
      li.parentNode && li.parentNode.removeChild(li);
      sendText(text);
    });
    li.querySelector('.kf-meta').appendChild(b);
  }

  function sendFrame(f) {
    if (ws && ws.readyState === WebSocket.OPEN && welcomed) {
      ws.send(JSON.stringify(f));
      return true;
    }
    return false;
  }

  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return 'm' + Date.now().toString(36) + Math.random().toString(36).slice(2, 10);
  }

  function sendText(raw) {
    var text = String(raw).trim();
    if (!text) return;
    var p = { id: newId(), text: text };
    state.pending.push(p);
    saveState();
    renderMessage({ from: 'buyer', text: text, id: p.id, status: 'pending' });
    showQuickReplies(null);
    scrollDown();
    // Offline: it stays pending and goes out after the next welcome.
    if (!sendFrame({ type: 'message', id: p.id, text: text })) connect();
  }

  form.addEventListener('submit', function (e) {
    e.preventDefault();
    var text = input.value;
    if (!text.trim()) return;
    var length = Array.from(text.trim()).length;
    if (length > maxText) {
      // Keep everything the buyer wrote; say how much is too much.
      showNotice(T.tooLong(length, maxText));
      return;
    }
    input.value = '';
    sendText(text);
    input.focus();
  });
  input.addEventListener('keydown', function (e) {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event('submit', { cancelable: true }));
    }
  });
  var lastTyping = 0;
  input.addEventListener('input', function () {
    var now = Date.now();
    if (now - lastTyping > 2000) {
      lastTyping = now;
      sendFrame({ type: 'typing' });
    }
  });

  // ---- start -------------------------------------------------------------------------

  function mount() {
    document.body.appendChild(host);
    redrawAll();
    renderStatus();
    if (startOpen) openPanel();
    connect();
    placeLauncher();
    window.addEventListener('scroll', placeSoon, { passive: true });
    window.addEventListener('resize', placeSoon);
    // The shop page may still be filling in (product loaded by script, a bottom bar added).
    if (window.ResizeObserver) new ResizeObserver(placeSoon).observe(document.body);
    if (window.MutationObserver) new MutationObserver(placeSoon).observe(document.body, { childList: true });
    // Our own stylesheet arrives after the first placement.
    css.addEventListener('load', placeLauncher);
  }
  if (document.body) mount();
  else document.addEventListener('DOMContentLoaded', mount);

  // ---- photos (docs/protocol.md, "Images") ----------------------------------------------

  // A function, not a var: photoButton() runs while the panel is built, above this point.
  function photoText() {
    return {
      button: '发送图片',
      sending: '图片发送中…',
      tooBig: '图片太大了，请换一张小一点的（5MB 以内）',
      badType: '只能发送 JPG、PNG、WebP 或 GIF 图片哦',
      failed: '图片没有发出去，请稍后再试',
      notReady: '正在连接客服，请稍后再发图片',
      open: '查看大图',
    };
  }

  /** `file` of a message frame when well-formed, else undefined. */
  function photoOf(f) {
    var x = f && f.file;
    if (!x || typeof x.url !== 'string' || x.url.indexOf('/api/files/') !== 0) return undefined;
    return { id: String(x.id), url: x.url, contentType: String(x.contentType), size: Number(x.size) };
  }

  function photoHeaders() {
    return { 'x-buyer-id': state.buyerId || '', 'x-resume-token': state.resumeToken || '' };
  }

  /** Camera or gallery on a phone, a file picker elsewhere; the server checks what it really is. */
  function photoButton() {
    var label = el('label', 'kf-photo');
    label.title = photoText().button;
    label.setAttribute('aria-label', photoText().button);
    var picker = document.createElement('input');
    picker.type = 'file';
    picker.accept = 'image/*';
    picker.setAttribute('capture', 'environment');
    picker.className = 'kf-photo-input';
    picker.addEventListener('change', function () {
      var file = picker.files && picker.files[0];
      picker.value = '';
      if (file) uploadPhoto(file);
    });
    var ns = 'http://www.w3.org/2000/svg';
    var svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('aria-hidden', 'true');
    var path = document.createElementNS(ns, 'path');
    path.setAttribute(
      'd',
      'M9 3 7.2 5H4a2 2 0 0 0-2 2v11a2 2 0 0 0 2 2h16a2 2 0 0 0 2-2V7a2 2 0 0 0-2-2h-3.2L15 3H9zm3 5a5 5 0 1 1 0 10 5 5 0 0 1 0-10zm0 2a3 3 0 1 0 0 6 3 3 0 0 0 0-6z',
    );
    path.setAttribute('fill', 'currentColor');
    svg.appendChild(path);
    label.appendChild(svg);
    label.appendChild(picker);
    return label;
  }

  function uploadPhoto(file) {
    if (!state.buyerId || !state.resumeToken) {
      showNotice(photoText().notReady);
      return;
    }
    showNotice(photoText().sending);
    fetch(new URL('/api/files', base).href, { method: 'POST', headers: photoHeaders(), body: file })
      .then(function (res) {
        if (res.status === 201) {
          notice.hidden = true;
          return;
        } // the message arrives on the socket
        showNotice(res.status === 413 ? photoText().tooBig : res.status === 415 ? photoText().badType : photoText().failed);
      })
      .catch(function () {
        showNotice(photoText().failed);
      });
  }

  /** Fills a bubble with the image (fetched with our credentials, shown from a blob: URL). */
  function showPhoto(bubble, file) {
    bubble.textContent = '';
    bubble.className += ' kf-bubble-photo';
    var img = document.createElement('img');
    img.className = 'kf-photo-thumb';
    img.alt = photoText().open;
    img.title = photoText().open;
    bubble.appendChild(img);
    fetch(new URL(file.url, base).href, { headers: photoHeaders() })
      .then(function (res) {
        if (!res.ok) throw new Error(String(res.status));
        return res.blob();
      })
      .then(function (blob) {
        img.src = URL.createObjectURL(blob);
        img.addEventListener('load', scrollDown);
        img.addEventListener('click', function () {
          openPhoto(img.src);
        });
      })
      .catch(function () {
        bubble.textContent = '[图片]';
      });
  }

  function openPhoto(src) {
    var overlay = el('div', 'kf-photo-full');
    overlay.setAttribute('role', 'dialog');
    var big = document.createElement('img');
    big.src = src;
    big.alt = photoText().open;
    overlay.appendChild(big);
    overlay.addEventListener('click', function () {
      overlay.remove();
    });
    panel.appendChild(overlay);
  }

  /** Small API for the host page: open the chat from its own button. */
  window.KefuWidget = { open: openPanel, close: closePanel };
})();
