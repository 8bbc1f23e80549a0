// @ts-check
/*
 * Agent console, not missing anything (loaded after agent.js, uses window.AgentConsole): a
 * chime and a desktop notification for a new chat or a new buyer message the agent is not
 * looking at, the unread count in the tab title, and the button that asks the browser for
 * notification permission (browsers only ask from a click). Sound can be muted; the choice is
 * kept in localStorage.
 */
(function () {
  'use strict';
  var AC = window.AgentConsole;
  if (!AC) return;
  var $ = function (id) {
    return document.getElementById(id);
  };
  var baseTitle = document.title;
  var pending = new Map(); // conversation id -> buyer messages / new chats not seen yet
  var rang = new Set(); // chats held that already rang
  var knownQueue = null; // ids seen in the queue; null until the first queue frame
  var audio = null;

  // --- permission -----------------------------------------------------------------------
  var supported = typeof window.Notification === 'function';
  function renderPermission() {
    var b = $('btn-notify');
    if (!supported) {
      b.hidden = true;
      return;
    }
    var p = Notification.permission;
    b.textContent = p === 'granted' ? '桌面通知已开启' : p === 'denied' ? '桌面通知被浏览器阻止' : '开启桌面通知';
    /** @type {HTMLButtonElement} */ (b).disabled = p !== 'default';
    b.dataset.permission = p;
    b.title = p === 'denied' ? '请在浏览器的网站设置里允许通知' : '';
  }
  $('btn-notify').addEventListener('click', function () {
    unlockAudio();
    if (!supported) return;
    var asked = Notification.requestPermission(renderPermission);
    if (asked && typeof asked.then === 'function') asked.then(renderPermission);
  });

  // --- sound ----------------------------------------------------------------------------
  var muted = localStorage.getItem('agentMuted') === '1';
  function renderMute() {
    var b = $('btn-mute');
    b.textContent = muted ? '提示音：关' : '提示音：开';
    b.setAttribute('aria-pressed', String(!muted));
  }
  $('btn-mute').addEventListener('click', function () {
    muted = !muted;
    localStorage.setItem('agentMuted', muted ? '1' : '0');
    unlockAudio();
    renderMute();
  });
  // Browsers start audio only after a user gesture; the first click or key unlocks it.
  function unlockAudio() {
    var Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) return;
    if (!audio) audio = new Ctx();
    if (audio.state === 'suspended' && audio.resume) audio.resume();
  }
  document.addEventListener('pointerdown', unlockAudio, { once: true });
  document.addEventListener('keydown', unlockAudio, { once: true });
  /** Two short tones: a new chat rings higher than a new message. */
  function chime(high) {
    if (muted) return;
    unlockAudio();
    if (!audio) return;
    var t = audio.currentTime;
    [0, 0.16].forEach(function (delay, i) {
      var osc = audio.createOscillator();
      var gain = audio.createGain();
      osc.frequency.value = (high ? 880 : 660) * (i ? 1.25 : 1);
      gain.gain.setValueAtTime(0.0001, t + delay);
      gain.gain.exponentialRampToValueAtTime(0.2, t + delay + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, t + delay + 0.14);
      osc.connect(gain);
      gain.connect(audio.destination);
      osc.start(t + delay);
      osc.stop(t + delay + 0.15);
    });
  }

  // --- desktop notification ---------------------------------------------------------------
  function notify(title, body, conversationId) {
    if (!supported || Notification.permission !== 'granted') return;
    try {
      var n = new Notification(title, { body: body, tag: conversationId, lang: 'zh-CN' });
      n.onclick = function () {
        window.focus();
        if (AC.state.convs.has(conversationId)) AC.select(conversationId);
        n.close();
      };
    } catch (err) {
      /* some browsers only notify from a service worker: the title and sound remain */
    }
  }

  // --- unread in the tab title ----------------------------------------------------------
  function looking(id) {
    return !document.hidden && AC.state.current === id;
  }
  function renderTitle() {
    var n = 0;
    pending.forEach(function (v) {
      n += v;
    });
    document.title = n > 0 ? '(' + n + ') ' + baseTitle : baseTitle;
  }
  function bump(id) {
    pending.set(id, (pending.get(id) || 0) + 1);
    renderTitle();
  }
  function seen(id) {
    if (id && pending.delete(id)) renderTitle();
  }
  document.addEventListener('visibilitychange', function () {
    if (!document.hidden) seen(AC.state.current);
  });
  document.addEventListener('agent:current', function (e) {
    if (!document.hidden) seen(/** @type {CustomEvent} */ (e).detail);
  });

  // Notifications show on the desktop, even over a locked screen: mobile numbers are masked.
  function preview(text) {
    text = String(text || '').replace(/(1[3-9]\d)[ -]?\d{4}[ -]?(\d{4})(?!\d)/g, '$1****$2');
    return text.length > 60 ? text.slice(0, 60) + '…' : text;
  }

  document.addEventListener('agent:frame', function (e) {
    var f = /** @type {CustomEvent} */ (e).detail;
    switch (f.type) {
      case 'conversation': {
        var id = f.conversation.id;
        // A refresh of a chat already held sends the frame again: ring once per assignment.
        if (rang.has(id) || !AC.state.convs.has(id)) break;
        rang.add(id);
        if (!looking(id)) bump(id);
        chime(true);
        var last = f.conversation.history
          .filter(function (h) {
            return h.from === 'buyer';
          })
          .slice(-1)[0];
        notify('新会话：' + AC.buyerLabel(f.conversation), last ? preview(last.text) : '', id);
        break;
      }
      case 'message': {
        if (f.message.from !== 'buyer' || !AC.state.convs.has(f.conversationId)) break;
        var conv = AC.state.convs.get(f.conversationId);
        if (looking(f.conversationId)) break;
        bump(f.conversationId);
        chime(false);
        notify('新消息：' + AC.buyerLabel(conv.conversation), preview(f.message.text), f.conversationId);
        break;
      }
      case 'queue': {
        var ids = (f.queue || []).map(function (q) {
          return q.conversationId;
        });
        if (knownQueue) {
          (f.queue || []).forEach(function (q) {
            if (knownQueue.has(q.conversationId)) return;
            chime(true);
            notify('排队新会话：' + AC.buyerLabel(q), preview(q.lastText), q.conversationId);
          });
        }
        knownQueue = new Set(ids);
        break;
      }
      case 'queue_item': {
        // One row changed (issue 14): a row we have not seen rings once.
        if (!knownQueue) break;
        if (f.op === 'removed') {
          knownQueue.delete(f.conversationId);
          break;
        }
        if (f.op !== 'added' || !f.item || knownQueue.has(f.conversationId)) break;
        knownQueue.add(f.conversationId);
        chime(true);
        notify('排队新会话：' + AC.buyerLabel(f.item), preview(f.item.lastText), f.conversationId);
        break;
      }
      case 'released':
        rang.delete(f.conversationId);
        seen(f.conversationId);
        break;
    }
  });

  renderPermission();
  renderMute();
})();
