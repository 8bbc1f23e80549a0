// @ts-check
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
 *
 * For a manager who does not read YAML, intents and templates open in a form (Chinese name,
 * example phrases as a list, replies as wrapped text boxes, a variable picker, errors beside
 * their field); the server writes the form back into the same YAML text, which stays the one
 * thing saved. Try-it is a conversation as a chosen demo buyer (replayed on the draft each
 * turn) and can be kept as a conversation story that gates publishing.
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
    /** 'form' or 'yaml': how intents and templates are edited. */
    view: 'form',
    /** The form being edited (server shape), or null in the YAML view / for files without a form. */
    form: null,
    formTimer: 0,
    formSeq: 0,
    loadSeq: 0,
    /** A pending form → text write (resolves when the text has the form in it). */
    formPending: null,
    /** Chinese names of the open template's moves. */
    moveNames: {},
    closenessOk: false,
    variables: [],
    /** The textarea in the form that a picked variable goes into. */
    varTarget: null,
    cast: null,
    session: { buyer: '', product: '', now: '', turns: [] },
    tryBusy: false,
  };
  // Labels of reasons, priorities and order statuses: /labels.js (src/model/labels.ts), loaded first.
  var LABELS = window.KefuLabels || { reasons: {}, priorities: {}, orderStatus: {} };
  /** @type {Record<string, string>} */
  var REASON_LABEL = LABELS.reasons;
  /** @type {Record<string, string>} */
  var PRIORITY_LABEL = LABELS.priorities;
  /** @type {Record<string, string>} */
  var ORDER_STATUS = LABELS.orderStatus;

  /** @param {string} id @returns {HTMLElement} */
  function $(id) {
    return document.getElementById(id);
  }
  /** @param {string} id */
  function input(id) {
    return /** @type {HTMLInputElement} */ ($(id));
  }
  /** @param {string} id */
  function textarea(id) {
    return /** @type {HTMLTextAreaElement} */ ($(id));
  }
  /** @param {string} id */
  function select(id) {
    return /** @type {HTMLSelectElement} */ ($(id));
  }
  /** @param {string} id */
  function button(id) {
    return /** @type {HTMLButtonElement} */ ($(id));
  }
  /** @param {string} id */
  function dialog(id) {
    return /** @type {HTMLDialogElement} */ ($(id));
  }
  /**
   * @template {keyof HTMLElementTagNameMap} K
   * @param {K} tag @param {string} [cls] @param {unknown} [text]
   * @returns {HTMLElementTagNameMap[K]}
   */
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
        var data;
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

  /** The Chinese name of an intent id from the overview, else the id. */
  function intentName(id) {
    var o = state.overview;
    var found =
      o &&
      (o.intents || []).find(function (i) {
        return i.id === id;
      });
    if (found && found.name) return found.name;
    return id === 'system' ? '系统回复' : id;
  }
  function formKind(path) {
    if (/^intents\/[^/]+\.yaml$/.test(path || '')) return 'intent';
    return isTemplate(path) ? 'template' : null;
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
    var q = input('filter').value.trim().toLowerCase();
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
      if (!match(it.id, it.name, it.description, it.category)) return;
      var sub =
        (CATEGORY_LABEL[it.category] || it.category || '') + ' · ' + it.examples + ' 条例句' + (it.handoff && it.handoff.always ? ' · 转人工' : '');
      li.appendChild(fileItem(it.path, it.name || it.id, (it.name ? it.id + ' · ' : '') + sub, it.draft));
    });
    var lt = $('list-templates');
    clear(lt);
    (o.templates || []).forEach(function (t) {
      if (!match(t.id, t.name, t.path)) return;
      if (t.path === QUICK_PHRASES) lt.appendChild(fileItem(t.path, '快捷短语（客服用）', t.variants + ' 条短语，客服输入 /短码 插入', t.draft));
      else lt.appendChild(fileItem(t.path, (t.name || intentName(t.id)) + ' 的回复', t.id + ' · ' + t.variants + ' 个回复', t.draft));
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
      // Whatever the form of the previous file had pending is left behind with it.
      clearTimeout(state.formTimer);
      state.formTimer = 0;
      state.formPending = null;
      state.form = null;
      state.path = path;
      state.saved = r.data.text;
      state.served = r.data.served;
      state.revision = r.data.revision || null;
      state.dirty = false;
      hideConflict();
      var kind = formKind(path);
      var id = path.replace(/^(intents|templates)\//, '').replace(/\.(yaml|txt)$/, '');
      $('file-title').textContent = kind ? intentName(id) + (kind === 'template' ? ' 的回复' : '') + ' · ' + path : path;
      $('file-meta').textContent = r.data.draft ? '草稿（尚未发布）' : '与线上版本一致';
      var ta = textarea('text');
      ta.disabled = false;
      ta.value = r.data.text;
      ta.scrollTop = 0;
      button('btn-save').disabled = true;
      button('btn-discard').disabled = !r.data.draft;
      $('closeness').hidden = true;
      setErrors(r.data.errors || []);
      renderLists();
      renderPreview(path, r.data.text, ++state.checkSeq);
      $('view-toggle').hidden = !kind;
      showView(kind ? state.view : 'yaml', true);
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
    if (state.form) renderFormErrors();
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
    var ta = textarea('text');
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
    var ta = textarea('text');
    $('gutter').style.transform = 'translateY(' + -ta.scrollTop + 'px)';
    $('backdrop').style.transform = 'translateY(' + -ta.scrollTop + 'px)';
    $('notes').style.transform = 'translateY(' + -ta.scrollTop + 'px)';
  }

  function goToLine(line) {
    var ta = textarea('text');
    var lines = ta.value.split('\n');
    var start = 0;
    for (var i = 0; i < line - 1 && i < lines.length; i++) start += lines[i].length + 1;
    ta.focus();
    ta.setSelectionRange(start, start + (lines[line - 1] || '').length);
    ta.scrollTop = Math.max(0, (line - 4) * LINE_HEIGHT);
    syncScroll();
  }

  function onInput() {
    state.closenessOk = false;
    state.dirty = textarea('text').value !== state.saved;
    button('btn-save').disabled = !state.dirty;
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
    var text = textarea('text').value;
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

  /**
   * Saving: first the form (if open) is written into the text, then new examples of an
   * intent are checked against the serving model; a warning waits for "仍然保存".
   */
  function requestSave() {
    if (!state.path) return;
    var path = state.path;
    flushForm().then(function () {
      if (path !== state.path || !state.dirty) return;
      if (formKind(path) !== 'intent' || state.closenessOk) {
        save();
        return;
      }
      api('POST', '/api/scripts/closeness', { path: path, text: textarea('text').value }).then(function (r) {
        if (path !== state.path) return;
        var warnings = (r.ok && r.data.warnings) || [];
        if (!warnings.length) {
          save();
          return;
        }
        showCloseness(warnings);
      });
    });
  }

  function showCloseness(warnings) {
    var ul = $('closeness-list');
    clear(ul);
    warnings.forEach(function (w) {
      var li = el('li');
      li.appendChild(el('strong', '', '「' + w.example + '」'));
      li.appendChild(
        el(
          'span',
          '',
          ' 更像「' +
            w.rivalName +
            '」（' +
            Math.round(w.rivalScore * 100) +
            '%），不太像「' +
            w.intentName +
            '」（' +
            Math.round(w.ownScore * 100) +
            '%）。放错意图会让两个意图都更难识别。',
        ),
      );
      ul.appendChild(li);
    });
    $('closeness').hidden = false;
    setStatus('保存前请看一下例句提醒', 'bad');
  }

  /** @param {string} [overwriteRevision] */
  function save(overwriteRevision) {
    if (!state.path) return;
    $('closeness').hidden = true;
    var path = state.path;
    var text = textarea('text').value;
    var revision = overwriteRevision || state.revision;
    button('btn-save').disabled = true;
    var body = { text: text };
    if (revision) body.revision = revision;
    api('PUT', '/api/scripts/files/' + path, body).then(function (r) {
      if (path !== state.path) return;
      if (r.ok) {
        state.closenessOk = false;
        state.saved = text;
        state.revision = r.data.revision || null;
        state.dirty = textarea('text').value !== text;
        button('btn-save').disabled = !state.dirty;
        hideConflict();
        setErrors([]);
        setStatus('已保存草稿：' + path, 'good');
        $('file-meta').textContent = '草稿（尚未发布）';
        button('btn-discard').disabled = false;
        loadOverview();
        renderPreview(path, textarea('text').value, ++state.checkSeq);
      } else if (r.status === 409 && r.data && r.data.conflict) {
        button('btn-save').disabled = false;
        showConflict(r.data);
        setStatus('未保存：这个文件已被别人修改', 'bad');
      } else {
        button('btn-save').disabled = false;
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
      textarea('text').value = '';
      textarea('text').disabled = true;
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
      // In the form view the form's own check places the errors on fields.
      if (!state.form) setErrors(errors);
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

  // ---- form view ---------------------------------------------------------------------
  // The form is a view of the YAML text: reading it asks the server for the form of the
  // text; every edit is written back into the text by the server (debounced), which also
  // answers with the errors placed on their fields. Saving always saves the text.
  function showView(view, opening) {
    var kind = formKind(state.path);
    var wanted = kind ? view : 'yaml';
    if (!opening && kind) {
      state.view = view;
      try {
        localStorage.setItem('manageView', view);
      } catch (e) {
        /* private mode */
      }
    }
    $('view-form').setAttribute('aria-pressed', String(wanted === 'form'));
    $('view-yaml').setAttribute('aria-pressed', String(wanted === 'yaml'));
    if (wanted === 'form') {
      loadForm();
    } else {
      var leave = state.form ? flushForm() : Promise.resolve();
      // A form still loading must not come up over the YAML view.
      state.loadSeq++;
      leave.then(function () {
        state.form = null;
        $('form').hidden = true;
        $('code').hidden = false;
        $('errors').hidden = false;
        renderGutter();
      });
    }
  }

  function loadForm() {
    var path = state.path;
    var seq = ++state.loadSeq;
    api('POST', '/api/scripts/form', { path: path, text: textarea('text').value }).then(function (r) {
      if (path !== state.path || seq !== state.loadSeq) return;
      if (!r.ok || !r.data.form) {
        // Text that does not parse can only be fixed in the YAML view.
        state.form = null;
        $('form').hidden = true;
        $('code').hidden = false;
        $('errors').hidden = false;
        $('view-form').setAttribute('aria-pressed', 'false');
        $('view-yaml').setAttribute('aria-pressed', 'true');
        setStatus(r.ok ? '这个文件有格式错误，请先在 YAML 里改正，再用表单编辑' : errorMessage(r), 'bad');
        return;
      }
      state.form = r.data.form;
      state.moveNames = r.data.moveNames || {};
      $('code').hidden = true;
      $('errors').hidden = true;
      $('form').hidden = false;
      renderForm();
      setErrors(r.data.errors || []);
      if (state.form.kind === 'template') loadVariables(state.form.intent || path.replace(/^templates\/|\.yaml$/g, ''));
    });
  }

  /** Writes the form into the text now (a pending edit included); resolves when the text has it. */
  function flushForm() {
    if (state.formTimer) {
      clearTimeout(state.formTimer);
      state.formTimer = 0;
      return applyForm();
    }
    return state.formPending || Promise.resolve();
  }

  function onFormInput() {
    readFormFields();
    state.closenessOk = false;
    state.dirty = true;
    button('btn-save').disabled = false;
    clearTimeout(state.formTimer);
    state.formTimer = setTimeout(function () {
      state.formTimer = 0;
      applyForm();
    }, 500);
  }

  function applyForm() {
    var path = state.path;
    var seq = ++state.formSeq;
    var p = api('POST', '/api/scripts/form', { path: path, text: textarea('text').value, form: state.form }).then(function (r) {
      if (state.formPending === p) state.formPending = null;
      if (path !== state.path || seq !== state.formSeq) return;
      if (!r.ok) {
        setStatus(errorMessage(r), 'bad');
        return;
      }
      textarea('text').value = r.data.text;
      state.dirty = r.data.text !== state.saved;
      button('btn-save').disabled = !state.dirty;
      setErrors(r.data.errors || []);
      if (isTemplate(path)) renderPreview(path, r.data.text, ++state.checkSeq);
    });
    state.formPending = p;
    return p;
  }

  /** Reads the inputs back into state.form (the DOM is the form's truth while typing). */
  function readFormFields() {
    var f = state.form;
    if (!f) return;
    var body = $('form-body');
    /** @param {string} sel */
    function values(sel) {
      return Array.prototype.map.call(body.querySelectorAll(sel), function (/** @type {HTMLInputElement} */ x) {
        return x.value;
      });
    }
    if (f.kind === 'intent') {
      f.name = input('f-name').value;
      f.description = textarea('f-description').value;
      f.examples = values('.example-input');
    } else {
      f.label = input('f-label').value;
      f.moves.forEach(function (m, i) {
        m.variants = values('[data-move-index="' + i + '"] .variant-input');
        m.quickReplies = values('[data-move-index="' + i + '"] .quick-input').filter(function (q) {
          return q.trim() !== '';
        });
      });
    }
  }

  /** One labelled field with a place for its errors. */
  function fieldBox(field, label, hint) {
    var box = el('div', 'field');
    box.dataset.field = field;
    box.appendChild(el('label', 'field-label', label));
    if (hint) box.appendChild(el('p', 'hint', hint));
    return box;
  }

  function textInput(id, cls, value, placeholder) {
    var i = el('input', cls);
    i.type = 'text';
    if (id) i.id = id;
    i.value = value;
    if (placeholder) i.placeholder = placeholder;
    i.addEventListener('input', onFormInput);
    return i;
  }

  function growingArea(cls, value) {
    var a = el('textarea', cls);
    a.value = value;
    a.rows = 2;
    a.addEventListener('input', function () {
      fit(a);
      onFormInput();
    });
    a.addEventListener('focus', function () {
      state.varTarget = a;
    });
    setTimeout(function () {
      fit(a);
    }, 0);
    return a;
  }
  function fit(a) {
    a.style.height = 'auto';
    a.style.height = a.scrollHeight + 2 + 'px';
  }

  function removeButton(label, onClick) {
    var b = el('button', 'ghost small remove', '删除');
    b.type = 'button';
    b.setAttribute('aria-label', label);
    b.addEventListener('click', onClick);
    return b;
  }

  function renderForm() {
    var f = state.form;
    var body = $('form-body');
    clear(body);
    if (!f) return;
    if (f.kind === 'intent') {
      var name = fieldBox('name', '中文名称', '客服和店长看到的名字，如“议价”');
      name.appendChild(textInput('f-name', 'name-input', f.name, '例如：议价'));
      body.appendChild(name);
      var desc = fieldBox('description', '说明', '这个意图指买家在问什么（给训练模型的人看）');
      var d = growingArea('desc-input', f.description);
      d.id = 'f-description';
      desc.appendChild(d);
      body.appendChild(desc);
      var ex = fieldBox('examples', '例句（' + f.examples.length + ' 条）', '买家可能怎么说，每行一句；写得越多越像真实说法，识别越准');
      var list = el('ol', 'examples');
      f.examples.forEach(function (text, i) {
        list.appendChild(exampleRow(text, i));
      });
      ex.appendChild(list);
      var add = el('button', 'ghost small', '＋ 添加例句');
      add.type = 'button';
      add.id = 'add-example';
      add.addEventListener('click', function () {
        readFormFields();
        f.examples.push('');
        renderForm();
        renderFormErrors();
        var inputs = body.querySelectorAll('.example-input');
        /** @type {HTMLInputElement} */ (inputs[inputs.length - 1]).focus();
      });
      ex.appendChild(add);
      body.appendChild(ex);
    } else {
      var label = fieldBox('label', '追问时的选项文字', '机器人拿不准买家问什么时，给买家点的按钮上的字，如“价格优惠”');
      label.appendChild(textInput('f-label', 'label-input', f.label, ''));
      body.appendChild(label);
      var picker = el('details', 'var-picker');
      picker.id = 'var-picker';
      picker.appendChild(el('summary', '', '插入变量（点一下插入到光标处）'));
      picker.appendChild(el('ul', 'vars'));
      body.appendChild(picker);
      renderVariables();
      f.moves.forEach(function (m, i) {
        body.appendChild(moveBox(m, i));
      });
    }
  }

  function exampleRow(text, i) {
    var li = el('li', 'example-row');
    li.dataset.field = 'examples.' + i;
    var row = el('div', 'row');
    row.appendChild(textInput('', 'example-input', text, '买家的一句话'));
    row.appendChild(
      removeButton('删除这条例句', function () {
        readFormFields();
        state.form.examples.splice(i, 1);
        renderForm();
        onFormInput();
      }),
    );
    li.appendChild(row);
    return li;
  }

  function moveBox(m, i) {
    var box = el('fieldset', 'move');
    box.dataset.moveIndex = String(i);
    box.dataset.field = 'moves.' + m.move;
    var words = Object.prototype.hasOwnProperty.call(state.moveNames, m.move) ? state.moveNames[m.move] : '';
    box.appendChild(el('legend', '', '场景：' + (words ? words + '（' + m.move + '）' : m.move)));
    var variants = el('div', 'variants');
    variants.dataset.field = 'moves.' + m.move + '.variants';
    m.variants.forEach(function (v, j) {
      var row = el('div', 'variant-row');
      row.dataset.field = 'moves.' + m.move + '.variants.' + j;
      row.appendChild(el('span', 'variant-no', '回复 ' + (j + 1)));
      row.appendChild(growingArea('variant-input', v));
      row.appendChild(
        removeButton('删除这条回复', function () {
          readFormFields();
          m.variants.splice(j, 1);
          renderForm();
          onFormInput();
        }),
      );
      variants.appendChild(row);
    });
    box.appendChild(variants);
    var add = el('button', 'ghost small', '＋ 添加一种说法');
    add.type = 'button';
    add.addEventListener('click', function () {
      readFormFields();
      m.variants.push('');
      renderForm();
      onFormInput();
    });
    box.appendChild(add);
    var quick = el('div', 'quick-row');
    quick.dataset.field = 'moves.' + m.move + '.quickReplies';
    quick.appendChild(el('span', 'hint', '快捷回复按钮：'));
    m.quickReplies.concat(['']).forEach(function (q) {
      quick.appendChild(textInput('', 'quick-input', q, q ? '' : '添加按钮'));
    });
    box.appendChild(quick);
    return box;
  }

  /** Errors beside their fields (the nearest field the page shows), the rest at the form's top. */
  function renderFormErrors() {
    var body = $('form-body');
    Array.prototype.forEach.call(body.querySelectorAll('.field-error'), function (/** @type {Element} */ n) {
      n.remove();
    });
    Array.prototype.forEach.call(body.querySelectorAll('.has-error'), function (/** @type {Element} */ n) {
      n.classList.remove('has-error');
    });
    var top = $('form-errors');
    clear(top);
    state.errors.forEach(function (e) {
      var target = null;
      var field = e.file === state.path ? e.field : null;
      while (field && !target) {
        target = body.querySelector('[data-field="' + CSS.escape(field) + '"]');
        if (!target) field = field.indexOf('.') > 0 ? field.slice(0, field.lastIndexOf('.')) : null;
      }
      if (target) {
        target.classList.add('has-error');
        target.appendChild(el('p', 'field-error', textOf(e)));
      } else {
        top.appendChild(el('li', 'err', (e.file === state.path ? '' : whereOf(e) + '：') + textOf(e)));
      }
    });
  }

  function loadVariables(intent) {
    api('GET', '/api/scripts/variables/' + encodeURIComponent(intent)).then(function (r) {
      state.variables = (r.ok && r.data.variables) || [];
      renderVariables();
    });
  }

  function renderVariables() {
    var ul = document.querySelector('#var-picker .vars');
    if (!ul) return;
    clear(ul);
    state.variables.forEach(function (v) {
      var li = el('li');
      var b = el('button', 'var');
      b.type = 'button';
      b.dataset.name = v.name;
      b.appendChild(el('code', '', '{{' + v.name + '}}'));
      b.appendChild(el('span', 'var-desc', v.description + (v.optional ? '（有时没有，放在 {{#if}} 里更稳妥）' : '')));
      // Keep the focus (and the cursor) in the reply being written.
      b.addEventListener('mousedown', function (ev) {
        ev.preventDefault();
      });
      b.addEventListener('click', function () {
        insertVariable(v.name);
      });
      li.appendChild(b);
      ul.appendChild(li);
    });
  }

  function insertVariable(name) {
    var a = state.varTarget;
    if (!a || !document.body.contains(a)) a = $('form-body').querySelector('.variant-input');
    if (!a) return;
    var ta = /** @type {HTMLTextAreaElement} */ (a);
    var token = '{{' + name + '}}';
    var start = ta.selectionStart === null ? ta.value.length : ta.selectionStart;
    var end = ta.selectionEnd === null ? start : ta.selectionEnd;
    ta.value = ta.value.slice(0, start) + token + ta.value.slice(end);
    ta.focus();
    ta.setSelectionRange(start + token.length, start + token.length);
    fit(ta);
    onFormInput();
  }

  // ---- try it: a conversation ----------------------------------------------------------
  // The session (buyer, product, clock, what the buyer said) lives here; every turn the whole
  // session is replayed on the draft, so the log always shows what the draft does now.
  function loadCast() {
    return api('GET', '/api/scripts/try/cast').then(function (r) {
      if (!r.ok) return;
      state.cast = r.data;
      var bs = select('try-buyer');
      clear(bs);
      (r.data.buyers || []).forEach(function (b) {
        var o = el(
          'option',
          '',
          b.name + '（' + b.id + '，' + (b.orders.length ? b.orders.length + ' 个订单' : '没有订单') + (b.returning ? '，老顾客' : '') + '）',
        );
        o.value = b.id;
        bs.appendChild(o);
      });
      var ps = select('try-product');
      clear(ps);
      var none = el('option', '', '（没有在看的商品）');
      none.value = '';
      ps.appendChild(none);
      (r.data.products || []).forEach(function (p) {
        var o = el('option', '', p.name + ' ¥' + p.price);
        o.value = p.id;
        ps.appendChild(o);
      });
      resetSession();
    });
  }

  function resetSession() {
    state.session = { buyer: select('try-buyer').value, product: select('try-product').value, now: '', turns: [] };
    clear($('try-log'));
    $('try-log').appendChild(el('p', 'hint empty', '以所选买家的身份说一句话，看机器人怎么回答。'));
    button('try-save-story').disabled = true;
    input('story-title').value = '';
    renderOrders();
  }

  function renderOrders() {
    var ul = $('try-orders');
    clear(ul);
    var buyer =
      state.cast &&
      (state.cast.buyers || []).find(function (b) {
        return b.id === state.session.buyer;
      });
    if (!buyer) return;
    if (!buyer.orders.length) ul.appendChild(el('li', 'hint', '这位买家还没有订单'));
    buyer.orders.forEach(function (o) {
      var li = el('li');
      li.appendChild(el('span', 'ono', o.number));
      li.appendChild(el('span', 'ost', ORDER_STATUS[o.status] || o.status));
      li.appendChild(el('span', 'oit', o.items + ' · ¥' + o.total));
      ul.appendChild(li);
    });
  }

  /** @param {Event} ev */
  function tryPhrase(ev) {
    ev.preventDefault();
    sayAsBuyer(input('try-text').value.trim());
  }

  function sayAsBuyer(text) {
    if (!text || state.tryBusy) return;
    var s = state.session;
    var body = { buyer: s.buyer, turns: s.turns.concat([text]) };
    if (s.product) body.product = s.product;
    if (s.now) body.now = s.now;
    state.tryBusy = true;
    $('try-log').appendChild(el('p', 'hint pending', '机器人正在回复…'));
    api('POST', '/api/scripts/try/conversation', body).then(function (r) {
      state.tryBusy = false;
      var pending = $('try-log').querySelector('.pending');
      if (pending) pending.remove();
      if (!r.ok) {
        $('try-log').appendChild(el('p', 'err', errorMessage(r)));
        return;
      }
      input('try-text').value = '';
      state.session = { buyer: s.buyer, product: s.product, now: r.data.session.now, turns: r.data.session.turns };
      renderLog(r.data.turns);
      button('try-save-story').disabled = false;
      if (!input('story-title').value) input('story-title').value = '试聊：' + state.session.turns[0];
    });
  }

  function renderLog(turns) {
    var log = $('try-log');
    clear(log);
    turns.forEach(function (t, i) {
      var turn = el('div', 'turn');
      turn.appendChild(el('div', 'buyer-say', t.say));
      var meta = el('div', 'intent');
      meta.appendChild(el('strong', '', t.intentName));
      meta.appendChild(el('span', 'conf', '置信度 ' + Math.round((t.confidence || 0) * 100) + '%'));
      meta.title = t.intent;
      turn.appendChild(meta);
      (t.replies || []).forEach(function (rep) {
        turn.appendChild(el('div', 'bubble', rep.text));
        if (rep.quickReplies && rep.quickReplies.length) {
          var q = el('div', 'quick');
          rep.quickReplies.forEach(function (x) {
            var chip = el('button', 'chip', x);
            chip.type = 'button';
            chip.disabled = i !== turns.length - 1;
            chip.addEventListener('click', function () {
              sayAsBuyer(x);
            });
            q.appendChild(chip);
          });
          turn.appendChild(q);
        }
      });
      if (t.handoff) {
        turn.appendChild(
          el(
            'p',
            'handoff',
            '转人工客服 · 原因：' +
              (REASON_LABEL[t.handoff.reason] || t.handoff.reason) +
              ' · 优先级：' +
              (PRIORITY_LABEL[t.handoff.priority] || t.handoff.priority),
          ),
        );
      }
      if (!(t.replies || []).length && !t.handoff) turn.appendChild(el('p', 'hint', '（机器人没有回复）'));
      log.appendChild(turn);
    });
    log.scrollTop = log.scrollHeight;
  }

  function saveStory() {
    var title = input('story-title').value.trim();
    if (!title) {
      setStatus('请给对话用例起个名字', 'bad');
      input('story-title').focus();
      return;
    }
    var s = state.session;
    var session = { buyer: s.buyer, now: s.now, turns: s.turns };
    if (s.product) session.product = s.product;
    button('try-save-story').disabled = true;
    api('POST', '/api/scripts/stories', { title: title, session: session }).then(function (r) {
      if (!r.ok) {
        button('try-save-story').disabled = false;
        setStatus('没有保存对话用例：' + errorMessage(r), 'bad');
        return;
      }
      setStatus('已存为对话用例「' + r.data.story.title + '」（草稿，发布后生效）', 'good');
      loadOverview();
    });
  }

  // ---- stories -------------------------------------------------------------------------
  function openStories() {
    dialog('dlg-stories').showModal();
    var ul = $('stories');
    clear(ul);
    ul.appendChild(el('li', 'hint', '正在读取…'));
    api('GET', '/api/scripts/stories').then(function (r) {
      clear(ul);
      if (!r.ok) {
        ul.appendChild(el('li', 'err', errorMessage(r)));
        return;
      }
      (r.data.stories || []).forEach(function (s) {
        var li = el('li', 'story' + (s.editable ? ' mine' : ''));
        li.dataset.file = s.file;
        var d = el('details');
        var sum = el('summary');
        sum.appendChild(el('span', 'story-title', s.title));
        var buyer =
          state.cast &&
          (state.cast.buyers || []).find(function (b) {
            return b.id === s.buyer;
          });
        sum.appendChild(
          el(
            'span',
            'story-meta',
            (buyer ? buyer.name : s.buyer) +
              ' · ' +
              s.turns.length +
              ' 句 · ' +
              (s.editable ? (s.draft ? '店长新增（草稿）' : '店长新增') : '系统自带'),
          ),
        );
        d.appendChild(sum);
        var ol = el('ol', 'story-turns');
        s.turns.forEach(function (t) {
          var tl = el('li');
          tl.appendChild(el('span', 'say', '买家：「' + t.say + '」'));
          tl.appendChild(el('span', 'expect', '机器人应该：' + t.expected));
          ol.appendChild(tl);
        });
        d.appendChild(ol);
        li.appendChild(d);
        ul.appendChild(li);
      });
    });
  }

  /** A refused publish: each broken story by its Chinese name, the turn that broke, expected and got. */
  function storyFailureNode(s) {
    var li = el('li', 'broken-story');
    li.appendChild(el('strong', 'story-title', s.title || s.story));
    if (s.step) {
      li.appendChild(el('p', 'step', '第 ' + s.step + ' 句' + (s.say ? '：买家说「' + s.say + '」' : '')));
      if (s.expected) li.appendChild(el('p', 'expected', '应该：' + s.expected));
      if (s.got) li.appendChild(el('p', 'got', '实际：' + s.got));
      if (!s.expected && !s.got) li.appendChild(el('p', '', textOf(s)));
    } else {
      li.appendChild(el('p', '', textOf(s)));
    }
    return li;
  }

  // ---- publish -----------------------------------------------------------------------
  function openPublish() {
    clear($('publish-result'));
    button('publish-go').disabled = false;
    dialog('dlg-publish').showModal();
  }

  function publish(ev) {
    ev.preventDefault();
    var out = $('publish-result');
    clear(out);
    out.appendChild(el('p', 'hint', '正在校验并运行对话剧本…'));
    button('publish-go').disabled = true;
    api('POST', '/api/scripts/publish', { message: input('publish-message').value }).then(function (r) {
      clear(out);
      button('publish-go').disabled = false;
      if (r.ok) {
        out.appendChild(el('p', 'good', '已发布 v' + r.data.version + '，新消息立即使用新话术。'));
        setStatus('已发布 v' + r.data.version, 'good');
        input('publish-message').value = '';
        loadOverview().then(function () {
          if (state.path) openFile(state.path);
        });
        return;
      }
      var d = r.data || {};
      if (d.stories && d.stories.length) {
        out.appendChild(el('p', 'bad', '发布被拒绝：以下 ' + d.stories.length + ' 个对话用例在这份草稿下没有通过'));
        var ul = el('ul', 'broken');
        d.stories.forEach(function (s) {
          ul.appendChild(storyFailureNode(s));
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
    dialog('dlg-history').showModal();
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
      state.token = input('token-input').value.trim();
      try {
        sessionStorage.setItem('manageToken', state.token);
      } catch (e) {
        /* ignore */
      }
      loadOverview().then(loadCast);
    });
    input('filter').addEventListener('input', renderLists);
    // Another module changed the draft (manage-learn.js: an accepted correction).
    document.addEventListener('manage:draft-changed', function (ev) {
      var path = /** @type {CustomEvent} */ (ev).detail;
      loadOverview().then(function () {
        if (state.path && state.path === path && !state.dirty) openFile(state.path);
      });
    });
    var ta = textarea('text');
    ta.addEventListener('input', onInput);
    ta.addEventListener('scroll', syncScroll);
    ta.addEventListener('keydown', function (ev) {
      if ((ev.ctrlKey || ev.metaKey) && ev.key === 's') {
        ev.preventDefault();
        if (state.dirty || state.formPending || state.formTimer) requestSave();
      }
    });
    button('btn-save').addEventListener('click', requestSave);
    $('closeness-save').addEventListener('click', function () {
      state.closenessOk = true;
      save();
    });
    $('closeness-cancel').addEventListener('click', function () {
      $('closeness').hidden = true;
      setStatus('', '');
    });
    $('view-form').addEventListener('click', function () {
      showView('form');
    });
    $('view-yaml').addEventListener('click', function () {
      showView('yaml');
    });
    $('form').addEventListener('keydown', function (ev) {
      if ((ev.ctrlKey || ev.metaKey) && ev.key === 's') {
        ev.preventDefault();
        requestSave();
      }
    });
    $('btn-stories').addEventListener('click', openStories);
    $('stories-close').addEventListener('click', function () {
      dialog('dlg-stories').close();
    });
    select('try-buyer').addEventListener('change', resetSession);
    select('try-product').addEventListener('change', resetSession);
    $('try-reset').addEventListener('click', resetSession);
    button('try-save-story').addEventListener('click', saveStory);
    $('conflict-load').addEventListener('click', loadTheirs);
    $('conflict-overwrite').addEventListener('click', overwriteTheirs);
    button('btn-discard').addEventListener('click', discard);
    $('try-form').addEventListener('submit', tryPhrase);
    $('btn-publish').addEventListener('click', openPublish);
    $('publish-form').addEventListener('submit', publish);
    $('publish-cancel').addEventListener('click', function () {
      dialog('dlg-publish').close();
    });
    $('btn-history').addEventListener('click', openHistory);
    $('history-close').addEventListener('click', function () {
      dialog('dlg-history').close();
    });
    window.addEventListener('beforeunload', function (ev) {
      if (state.dirty) {
        ev.preventDefault();
        ev.returnValue = '';
      }
    });
    try {
      state.view = localStorage.getItem('manageView') === 'yaml' ? 'yaml' : 'form';
    } catch (e) {
      /* private mode */
    }
    if (state.token) loadOverview().then(loadCast);
    else showLogin('');
  }

  document.addEventListener('DOMContentLoaded', init);
})();
