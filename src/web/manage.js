/*
 * Script editor page (/manage): lists intents, templates and the dictionary, edits a file in
 * place with validation errors shown beside the offending line, tries a phrase against the
 * draft, publishes, and shows history with diff and rollback.
 * Everything shown comes from managers or buyers, so it is always put in the page with
 * textContent / createElement, never as HTML.
 *
 * Messages about scripts come from the server's error catalogue in Chinese (`localized`);
 * the English `reason` / `message` is shown only when a message has no Chinese text.
 * A template's preview follows the text being typed (unsaved), and saving sends the
 * revision the text was loaded at, so a save over someone else's newer edit is refused
 * (409) and offered for comparison instead of silently winning.
 */
(function () {
  'use strict';

  var LINE_HEIGHT = 20; // must match .code line-height in manage.css
  var state = {
    token: '',
    overview: null,
    path: null,
    served: '',
    saved: '',
    revision: null,
    errors: [],
    checkTimer: 0,
    dirty: false,
    checkSeq: 0,
    conflict: null,
  };

  function $(id) {
    return document.getElementById(id);
  }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  /** The Chinese text of a coded message (script error, story failure, error body), else its English. */
  function textOf(m) {
    if (!m) return '';
    return m.localized || m.reason || m.message || (m.code ? '出现了一个问题（' + m.code + '）' : '');
  }
  function whereOf(e) {
    return e.file + (e.line ? ' 第 ' + e.line + ' 行' + (e.column ? '，第 ' + e.column + ' 列' : '') : '');
  }
  // The quick phrases for agents sit beside the templates but are not replies the bot renders.
  var QUICK_PHRASES = 'templates/quick_phrases.yaml';
  function isTemplate(path) {
    return /^templates\/.+\.yaml$/.test(path || '') && path !== QUICK_PHRASES;
  }

  // ---- token -------------------------------------------------------------------------
  function readToken() {
    var params = new URLSearchParams(location.search);
    var t = params.get('token');
    if (t) {
      try {
        sessionStorage.setItem('manageToken', t);
      } catch (e) {
        /* private mode */
      }
      // Keep the token out of the address bar (screenshots, shoulder surfing).
      params.delete('token');
      var q = params.toString();
      history.replaceState(null, '', location.pathname + (q ? '?' + q : '') + location.hash);
      return t;
    }
    try {
      return sessionStorage.getItem('manageToken') || '';
    } catch (e) {
      return '';
    }
  }

  function api(method, url, body) {
    var opts = { method: method, headers: { Authorization: 'Bearer ' + state.token } };
    if (body !== undefined) {
      opts.headers['Content-Type'] = 'application/json';
      opts.body = JSON.stringify(body);
    }
    return fetch(url, opts).then(function (res) {
      return res.text().then(function (txt) {
        var data = null;
        try {
          data = txt ? JSON.parse(txt) : null;
        } catch (e) {
          data = { error: { message: txt } };
        }
        if (res.status === 401 || res.status === 403) {
          showLogin(res.status === 403 ? '该令牌没有话术管理权限' : '令牌无效，请重新输入');
        }
        return { status: res.status, ok: res.ok, data: data || {} };
      });
    });
  }

  function setStatus(text, kind) {
    var s = $('status');
    s.textContent = text;
    s.className = 'status' + (kind ? ' ' + kind : '');
  }

  function showLogin(message) {
    $('app').hidden = true;
    $('login').hidden = false;
    $('login-error').textContent = message || '';
    try {
      sessionStorage.removeItem('manageToken');
    } catch (e) {
      /* ignore */
    }
  }

  // ---- overview / lists --------------------------------------------------------------
  var ACTION_LABEL = {
    publish: '发布',
    rollback: '回滚',
    load: '载入',
    'draft.save': '保存草稿',
    'draft.delete': '删除文件（草稿）',
    'draft.discard': '撤销草稿',
    'publish.refused': '发布被拒绝',
    'learn.accept': '采纳客服纠错',
    'learn.reject': '驳回客服纠错',
  };
  var DRAFT_LABEL = { changed: '已修改', added: '新增', deleted: '已删除' };
  var CATEGORY_LABEL = {
    haggle: '议价',
    address: '地址',
    delivery: '物流',
    return: '退换',
    bad_review: '差评',
    product: '商品',
    payment: '支付',
    human: '人工',
    greeting: '问候',
    other: '其他',
  };

  function loadOverview() {
    return api('GET', '/api/scripts').then(function (r) {
      if (!r.ok) return;
      $('login').hidden = true;
      $('app').hidden = false;
      state.overview = r.data;
      document.dispatchEvent(new CustomEvent('manage:overview', { detail: r.data }));
      renderLists();
      renderDraftChanges();
      var v = r.data.version;
      $('version').textContent = v === null || v === undefined ? '线上版本：初始' : '线上版本 v' + v;
    });
  }

  function fileItem(path, title, sub, draft) {
    var li = el('li');
    var b = el('button', 'file' + (path === state.path ? ' active' : ''));
    b.type = 'button';
    b.dataset.path = path;
    b.appendChild(el('span', 'name', title));
    if (sub) b.appendChild(el('span', 'sub', sub));
    if (draft) b.appendChild(el('span', 'badge ' + draft, DRAFT_LABEL[draft] || draft));
    b.addEventListener('click', function () {
      openFile(path);
    });
    li.appendChild(b);
    return li;
  }

  function renderLists() {
    var o = state.overview;
    if (!o) return;
    var q = $('filter').value.trim().toLowerCase();
    function match() {
      if (!q) return true;
      for (var i = 0; i < arguments.length; i++) {
        if (
          String(arguments[i] || '')
            .toLowerCase()
            .indexOf(q) >= 0
        )
          return true;
      }
      return false;
    }
    var li = $('list-intents');
    clear(li);
    (o.intents || []).forEach(function (it) {
      if (!match(it.id, it.description, it.category)) return;
      var sub =
        (CATEGORY_LABEL[it.category] || it.category || '') + ' · ' + it.examples + ' 条例句' + (it.handoff && it.handoff.always ? ' · 转人工' : '');
      li.appendChild(fileItem(it.path, it.id, sub, it.draft));
    });
    var lt = $('list-templates');
    clear(lt);
    (o.templates || []).forEach(function (t) {
      if (!match(t.id, t.path)) return;
      if (t.path === QUICK_PHRASES) lt.appendChild(fileItem(t.path, '快捷短语（客服用）', t.variants + ' 条短语，客服输入 /短码 插入', t.draft));
      else lt.appendChild(fileItem(t.path, t.id, t.variants + ' 个回复', t.draft));
    });
    var ld = $('list-dictionary');
    clear(ld);
    if (o.dictionary) ld.appendChild(fileItem(o.dictionary.path, '词典', o.dictionary.words + ' 个词', o.dictionary.draft));
  }

  function renderDraftChanges() {
    var ul = $('draft-changes');
    clear(ul);
    var changes = (state.overview && state.overview.draft) || [];
    if (!changes.length) {
      ul.appendChild(el('li', 'empty', '没有未发布的改动'));
      return;
    }
    changes.forEach(function (c) {
      var li = el('li');
      var b = el('button', 'link', c.path);
      b.type = 'button';
      b.addEventListener('click', function () {
        openFile(c.path);
      });
      li.appendChild(b);
      li.appendChild(el('span', 'badge ' + c.kind, DRAFT_LABEL[c.kind] || c.kind));
      li.appendChild(el('span', 'who', c.author));
      ul.appendChild(li);
    });
  }

  // ---- editor ------------------------------------------------------------------------
  function openFile(path) {
    if (state.dirty && path !== state.path && !confirm('当前文件有未保存的修改，确定离开吗？')) return;
    api('GET', '/api/scripts/files/' + path).then(function (r) {
      if (!r.ok) {
        setStatus(errorMessage(r), 'bad');
        return;
      }
      state.path = path;
      state.saved = r.data.text;
      state.served = r.data.served;
      state.revision = r.data.revision || null;
      state.dirty = false;
      hideConflict();
      $('file-title').textContent = path;
      $('file-meta').textContent = r.data.draft ? '草稿（尚未发布）' : '与线上版本一致';
      var ta = $('text');
      ta.disabled = false;
      ta.value = r.data.text;
      ta.scrollTop = 0;
      $('btn-save').disabled = true;
      $('btn-discard').disabled = !r.data.draft;
      setErrors(r.data.errors || []);
      renderLists();
      renderPreview(path, r.data.text, ++state.checkSeq);
    });
  }

  function currentErrors() {
    return state.errors.filter(function (e) {
      return e.file === state.path;
    });
  }

  function setErrors(errors) {
    state.errors = errors || [];
    renderGutter();
    var ul = $('errors');
    clear(ul);
    var mine = currentErrors();
    var others = state.errors.filter(function (e) {
      return e.file !== state.path;
    });
    mine.forEach(function (e) {
      var li = el('li', 'err');
      var b = el('button', 'link', e.line ? '第 ' + e.line + ' 行' + (e.column ? '，第 ' + e.column + ' 列' : '') : '文件');
      b.type = 'button';
      b.addEventListener('click', function () {
        goToLine(e.line);
      });
      li.appendChild(b);
      li.appendChild(el('span', '', textOf(e)));
      ul.appendChild(li);
    });
    others.forEach(function (e) {
      var li = el('li', 'err other');
      var b = el('button', 'link', whereOf(e));
      b.type = 'button';
      b.addEventListener('click', function () {
        openFile(e.file);
      });
      li.appendChild(b);
      li.appendChild(el('span', '', textOf(e)));
      ul.appendChild(li);
    });
  }

  function renderGutter() {
    var ta = $('text');
    var lines = ta.value.split('\n').length;
    var byLine = {};
    currentErrors().forEach(function (e) {
      var n = e.line > 0 ? e.line : 1;
      (byLine[n] = byLine[n] || []).push(e);
    });
    var g = $('gutter');
    clear(g);
    var bd = $('backdrop');
    clear(bd);
    var notes = $('notes');
    clear(notes);
    for (var i = 1; i <= lines; i++) {
      g.appendChild(el('div', 'ln' + (byLine[i] ? ' bad' : ''), i));
    }
    // As tall as the text (its notes are positioned absolutely), so it scrolls along in one piece.
    notes.style.height = lines * LINE_HEIGHT + 16 + 'px';
    Object.keys(byLine).forEach(function (k) {
      var n = Number(k);
      var top = (n - 1) * LINE_HEIGHT + 8;
      var mark = el('div', 'mark');
      mark.style.top = top + 'px';
      bd.appendChild(mark);
      var note = el('div', 'note', byLine[k].map(textOf).join('；'));
      note.style.top = top + 'px';
      note.dataset.line = k;
      note.title = note.textContent;
      notes.appendChild(note);
    });
    syncScroll();
  }

  function syncScroll() {
    var ta = $('text');
    $('gutter').style.transform = 'translateY(' + -ta.scrollTop + 'px)';
    $('backdrop').style.transform = 'translateY(' + -ta.scrollTop + 'px)';
    $('notes').style.transform = 'translateY(' + -ta.scrollTop + 'px)';
  }

  function goToLine(line) {
    var ta = $('text');
    var lines = ta.value.split('\n');
    var start = 0;
    for (var i = 0; i < line - 1 && i < lines.length; i++) start += lines[i].length + 1;
    ta.focus();
    ta.setSelectionRange(start, start + (lines[line - 1] || '').length);
    ta.scrollTop = Math.max(0, (line - 4) * LINE_HEIGHT);
    syncScroll();
  }

  function onInput() {
    state.dirty = $('text').value !== state.saved;
    $('btn-save').disabled = !state.dirty;
    renderGutter();
    clearTimeout(state.checkTimer);
    state.checkTimer = setTimeout(check, 600);
  }

  // Checks the text being typed without saving it, so errors appear while editing. A
  // template is rendered at the same time (the answer carries its errors too), so the
  // preview follows the text. Answers to older keystrokes are dropped.
  function check() {
    if (!state.path) return;
    var path = state.path;
    var text = $('text').value;
    var seq = ++state.checkSeq;
    if (isTemplate(path)) {
      renderPreview(path, text, seq);
      return;
    }
    api('POST', '/api/scripts/validate', { path: path, text: text }).then(function (r) {
      if (path !== state.path || seq !== state.checkSeq || !r.data) return;
      setErrors(r.data.errors || []);
    });
  }

  function save(overwriteRevision) {
    if (!state.path) return;
    var path = state.path;
    var text = $('text').value;
    var revision = overwriteRevision || state.revision;
    $('btn-save').disabled = true;
    var body = { text: text };
    if (revision) body.revision = revision;
    api('PUT', '/api/scripts/files/' + path, body).then(function (r) {
      if (path !== state.path) return;
      if (r.ok) {
        state.saved = text;
        state.revision = r.data.revision || null;
        state.dirty = $('text').value !== text;
        $('btn-save').disabled = !state.dirty;
        hideConflict();
        setErrors([]);
        setStatus('已保存草稿：' + path, 'good');
        $('file-meta').textContent = '草稿（尚未发布）';
        $('btn-discard').disabled = false;
        loadOverview();
        renderPreview(path, $('text').value, ++state.checkSeq);
      } else if (r.status === 409 && r.data && r.data.conflict) {
        $('btn-save').disabled = false;
        showConflict(r.data);
        setStatus('未保存：这个文件已被别人修改', 'bad');
      } else {
        $('btn-save').disabled = false;
        setErrors((r.data && r.data.errors) || []);
        setStatus('未保存：' + errorMessage(r), 'bad');
      }
    });
  }

  // ---- two managers, one file ----------------------------------------------------------
  // A stale save keeps the manager's text in the editor and shows the other version's
  // difference; the manager chooses to load theirs or to overwrite it with this one.
  function showConflict(data) {
    var c = data.conflict;
    state.conflict = c;
    var box = $('conflict');
    $('conflict-text').textContent = textOf(data.error) || '这个文件在你打开之后已被其他人修改并保存，你的修改还没有保存。';
    var who = c.author ? c.author + (c.at ? '（' + new Date(c.at).toLocaleString('zh-CN') + '）' : '') : '';
    $('conflict-who').textContent =
      c.text === null
        ? who
          ? who + ' 已在草稿中删除了这个文件。'
          : '这个文件已在草稿中被删除。'
        : '下面是对方保存的版本（红色 −）与你正在编辑的版本（绿色 +）的差异' + (who ? '，对方：' + who : '') + '。';
    var diff = $('conflict-diff');
    clear(diff);
    if (c.diff) diff.appendChild(fileDiffNode(c.diff));
    $('conflict-load').textContent = c.text === null ? '关闭这个文件（放弃我的修改）' : '载入对方的版本（放弃我的修改）';
    box.hidden = false;
  }

  function hideConflict() {
    state.conflict = null;
    $('conflict').hidden = true;
  }

  function loadTheirs() {
    var c = state.conflict;
    if (!c || !confirm('载入对方的版本后，你未保存的修改会被替换，确定吗？')) return;
    state.dirty = false;
    hideConflict();
    if (c.text === null) {
      state.path = null;
      $('text').value = '';
      $('text').disabled = true;
      $('file-title').textContent = '请选择左侧的文件';
      $('file-meta').textContent = '';
      setErrors([]);
      $('preview').hidden = true;
      loadOverview();
      return;
    }
    loadOverview().then(function () {
      openFile(c.path);
    });
  }

  function overwriteTheirs() {
    var c = state.conflict;
    if (!c || !confirm('用你的版本覆盖对方的修改？对方的改动会被替换（历史版本里不会保留草稿）。')) return;
    save(c.revision);
  }

  function discard() {
    if (!state.path || !confirm('撤销这个文件的草稿改动，恢复为线上版本？')) return;
    var path = state.path;
    var url = '/api/scripts/draft/' + path + (state.revision ? '?revision=' + encodeURIComponent(state.revision) : '');
    api('DELETE', url).then(function (r) {
      if (r.status === 409 && r.data && r.data.conflict) {
        showConflict(r.data);
        setStatus('没有撤销：这个文件已被别人修改', 'bad');
        return;
      }
      if (!r.ok) {
        setStatus(errorMessage(r), 'bad');
        return;
      }
      state.dirty = false;
      setStatus('已撤销草稿：' + path, 'good');
      loadOverview().then(function () {
        openFile(path);
      });
    });
  }

  function errorMessage(r) {
    var d = r.data || {};
    if (d.errors && d.errors.length) {
      var e = d.errors[0];
      return whereOf(e) + '：' + textOf(e) + (d.errors.length > 1 ? '（共 ' + d.errors.length + ' 处）' : '');
    }
    if (d.error && (d.error.localized || d.error.message)) return textOf(d.error);
    return '请求失败（' + r.status + '）';
  }

  // ---- template preview --------------------------------------------------------------
  // Renders `text` (what is in the editor, saved or not) with the shop's sample data. The
  // answer also lists the text's errors, which go beside their lines.
  function renderPreview(path, text, seq) {
    var box = $('preview');
    if (!isTemplate(path)) {
      box.hidden = true;
      return;
    }
    api('POST', '/api/scripts/render', { path: path, text: text }).then(function (r) {
      if (path !== state.path || seq !== state.checkSeq) return;
      var ul = $('preview-list');
      clear(ul);
      box.hidden = false;
      $('preview-note').textContent = state.dirty ? '按正在编辑的内容（未保存）' : '';
      if (!r.ok) {
        ul.appendChild(el('li', 'err', errorMessage(r)));
        return;
      }
      var errors = r.data.errors || [];
      setErrors(errors);
      if (errors.length) {
        var li = el('li', 'err paused');
        li.appendChild(
          el(
            'span',
            '',
            '预览暂停：' + whereOf(errors[0]) + '，' + textOf(errors[0]) + (errors.length > 1 ? '（共 ' + errors.length + ' 处错误）' : ''),
          ),
        );
        ul.appendChild(li);
        return;
      }
      (r.data.variants || []).forEach(function (v) {
        var li = el('li');
        li.appendChild(el('span', 'tid', v.templateId));
        li.appendChild(el('span', v.error ? 'err' : 'bubble', v.error ? v.localized || v.error : v.text));
        ul.appendChild(li);
      });
    });
  }

  // ---- try it ------------------------------------------------------------------------
  function tryPhrase(ev) {
    ev.preventDefault();
    var text = $('try-text').value.trim();
    if (!text) return;
    var out = $('try-result');
    clear(out);
    out.appendChild(el('p', 'hint', '正在识别…'));
    api('POST', '/api/scripts/try', { text: text }).then(function (r) {
      clear(out);
      if (!r.ok) {
        out.appendChild(el('p', 'err', errorMessage(r)));
        return;
      }
      var d = r.data;
      var head = el('div', 'intent');
      head.appendChild(el('strong', '', d.intent));
      head.appendChild(el('span', 'cat', CATEGORY_LABEL[d.category] || d.category));
      head.appendChild(el('span', 'conf', '置信度 ' + Math.round((d.confidence || 0) * 100) + '%'));
      out.appendChild(head);
      if (d.ranking && d.ranking.length > 1) {
        var rk = el(
          'p',
          'ranking',
          '其他候选：' +
            d.ranking
              .slice(1)
              .map(function (x) {
                return x.intent + ' ' + Math.round(x.confidence * 100) + '%';
              })
              .join('，'),
        );
        out.appendChild(rk);
      }
      out.appendChild(el('p', 'label', '买家会收到：'));
      (d.replies || []).forEach(function (rep) {
        var b = el('div', 'bubble', rep.text);
        out.appendChild(b);
        if (rep.quickReplies && rep.quickReplies.length) {
          var q = el('div', 'quick');
          rep.quickReplies.forEach(function (x) {
            q.appendChild(el('span', 'chip', x));
          });
          out.appendChild(q);
        }
      });
      if (d.handoff) {
        out.appendChild(el('p', 'handoff', '转人工客服（原因：' + d.handoff.reason + '，优先级：' + d.handoff.priority + '）'));
      }
      if (!(d.replies || []).length && !d.handoff) out.appendChild(el('p', 'hint', '（没有自动回复）'));
    });
  }

  // ---- publish -----------------------------------------------------------------------
  function openPublish() {
    clear($('publish-result'));
    $('publish-go').disabled = false;
    $('dlg-publish').showModal();
  }

  function publish(ev) {
    ev.preventDefault();
    var out = $('publish-result');
    clear(out);
    out.appendChild(el('p', 'hint', '正在校验并运行对话剧本…'));
    $('publish-go').disabled = true;
    api('POST', '/api/scripts/publish', { message: $('publish-message').value }).then(function (r) {
      clear(out);
      $('publish-go').disabled = false;
      if (r.ok) {
        out.appendChild(el('p', 'good', '已发布 v' + r.data.version + '，新消息立即使用新话术。'));
        setStatus('已发布 v' + r.data.version, 'good');
        $('publish-message').value = '';
        loadOverview().then(function () {
          if (state.path) openFile(state.path);
        });
        return;
      }
      var d = r.data || {};
      if (d.stories && d.stories.length) {
        out.appendChild(el('p', 'bad', '发布被拒绝：以下对话剧本没有通过'));
        var ul = el('ul', 'broken');
        d.stories.forEach(function (s) {
          ul.appendChild(el('li', '', s.story + (s.step ? '（第 ' + s.step + ' 步）' : '') + '：' + textOf(s)));
        });
        out.appendChild(ul);
      } else if (d.errors && d.errors.length) {
        out.appendChild(el('p', 'bad', '发布被拒绝：草稿有错误'));
        var ul2 = el('ul', 'broken');
        d.errors.forEach(function (e) {
          ul2.appendChild(el('li', '', whereOf(e) + '：' + textOf(e)));
        });
        out.appendChild(ul2);
        setErrors(d.errors);
      } else {
        out.appendChild(el('p', 'bad', errorMessage(r)));
      }
    });
  }

  // ---- history -----------------------------------------------------------------------
  function openHistory() {
    $('dlg-history').showModal();
    loadHistory();
  }

  function loadHistory() {
    api('GET', '/api/scripts/versions').then(function (r) {
      var ul = $('versions');
      clear(ul);
      if (!r.ok) return;
      (r.data.versions || []).forEach(function (v) {
        var li = el('li', v.active ? 'active' : '');
        var b = el('button', 'ver', 'v' + v.version);
        b.type = 'button';
        b.addEventListener('click', function () {
          showDiff(v.version);
        });
        li.appendChild(b);
        var info = el('div', 'info');
        info.appendChild(el('span', 'who', v.author));
        info.appendChild(el('span', 'when', new Date(v.at).toLocaleString('zh-CN')));
        if (v.message) info.appendChild(el('span', 'msg', v.message));
        if (v.changed && v.changed.length) info.appendChild(el('span', 'files', v.changed.join('，')));
        li.appendChild(info);
        if (v.active) li.appendChild(el('span', 'badge live', '当前线上'));
        else {
          var rb = el('button', 'ghost small', '回滚到此版本');
          rb.type = 'button';
          rb.addEventListener('click', function () {
            rollback(v.version);
          });
          li.appendChild(rb);
        }
        ul.appendChild(li);
      });
      var draftBtn = el('li', 'draftdiff');
      var db = el('button', 'link', '草稿与线上版本的差异');
      db.type = 'button';
      db.addEventListener('click', function () {
        showDiff('draft');
      });
      draftBtn.appendChild(db);
      ul.insertBefore(draftBtn, ul.firstChild);
    });
    api('GET', '/api/scripts/audit').then(function (r) {
      var ul = $('audit');
      clear(ul);
      if (!r.ok) return;
      (r.data.entries || []).forEach(function (a) {
        var li = el('li');
        li.appendChild(el('span', 'when', new Date(a.at).toLocaleString('zh-CN')));
        li.appendChild(el('span', 'who', a.who));
        li.appendChild(el('span', 'act', ACTION_LABEL[a.action] || a.action));
        if (a.detail) li.appendChild(el('span', 'detail', a.detail));
        ul.appendChild(li);
      });
    });
  }

  function showDiff(to) {
    var url = '/api/scripts/diff?to=' + encodeURIComponent(String(to));
    api('GET', url).then(function (r) {
      var box = $('diff');
      clear(box);
      if (!r.ok) {
        box.appendChild(el('p', 'err', errorMessage(r)));
        return;
      }
      var d = r.data;
      $('diff-title').textContent = (to === 'draft' ? '草稿' : 'v' + d.to) + ' 相对 ' + (d.from ? 'v' + d.from : '空') + ' 的改动';
      if (!d.files.length) box.appendChild(el('p', 'hint', '没有改动'));
      d.files.forEach(function (f) {
        box.appendChild(fileDiffNode(f));
      });
    });
  }

  function fileDiffNode(f) {
    var sec = el('div', 'dfile');
    sec.appendChild(el('h4', '', f.path + '  +' + f.added + ' −' + f.removed));
    f.hunks.forEach(function (h) {
      var pre = el('div', 'hunk');
      h.lines.forEach(function (l) {
        var line = el('div', 'dl ' + (l.op === '+' ? 'add' : l.op === '-' ? 'del' : 'ctx'));
        line.appendChild(el('span', 'no', l.op === '+' ? '' : l.oldLine));
        line.appendChild(el('span', 'no', l.op === '-' ? '' : l.newLine));
        line.appendChild(el('span', 'op', l.op));
        line.appendChild(el('span', 'tx', l.text));
        pre.appendChild(line);
      });
      sec.appendChild(pre);
    });
    return sec;
  }

  function rollback(version) {
    if (!confirm('回滚到 v' + version + '？线上话术会立即切换。')) return;
    api('POST', '/api/scripts/rollback', { version: version }).then(function (r) {
      if (!r.ok) {
        setStatus('回滚失败：' + errorMessage(r), 'bad');
        return;
      }
      setStatus('已回滚：现在线上是 v' + r.data.version + '（内容同 v' + version + '）', 'good');
      loadHistory();
      loadOverview().then(function () {
        if (state.path) openFile(state.path);
      });
    });
  }

  // ---- wiring ------------------------------------------------------------------------
  function init() {
    state.token = readToken();
    $('login-form').addEventListener('submit', function (ev) {
      ev.preventDefault();
      state.token = $('token-input').value.trim();
      try {
        sessionStorage.setItem('manageToken', state.token);
      } catch (e) {
        /* ignore */
      }
      loadOverview();
    });
    $('filter').addEventListener('input', renderLists);
    // Another module changed the draft (manage-learn.js: an accepted correction).
    document.addEventListener('manage:draft-changed', function (ev) {
      loadOverview().then(function () {
        if (state.path && state.path === ev.detail && !state.dirty) openFile(state.path);
      });
    });
    var ta = $('text');
    ta.addEventListener('input', onInput);
    ta.addEventListener('scroll', syncScroll);
    ta.addEventListener('keydown', function (ev) {
      if ((ev.ctrlKey || ev.metaKey) && ev.key === 's') {
        ev.preventDefault();
        if (state.dirty) save();
      }
    });
    $('btn-save').addEventListener('click', function () {
      save();
    });
    $('conflict-load').addEventListener('click', loadTheirs);
    $('conflict-overwrite').addEventListener('click', overwriteTheirs);
    $('btn-discard').addEventListener('click', discard);
    $('try-form').addEventListener('submit', tryPhrase);
    $('btn-publish').addEventListener('click', openPublish);
    $('publish-form').addEventListener('submit', publish);
    $('publish-cancel').addEventListener('click', function () {
      $('dlg-publish').close();
    });
    $('btn-history').addEventListener('click', openHistory);
    $('history-close').addEventListener('click', function () {
      $('dlg-history').close();
    });
    window.addEventListener('beforeunload', function (ev) {
      if (state.dirty) {
        ev.preventDefault();
        ev.returnValue = '';
      }
    });
    if (state.token) loadOverview();
    else showLogin('');
  }

  document.addEventListener('DOMContentLoaded', init);
})();
