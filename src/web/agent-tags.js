// @ts-check
/*
 * Agent console, tags on the open conversation (loaded after agent.js, uses
 * window.AgentConsole): the chat's tags as chips with a remove button, and a box to add one
 * (suggestions from the #tag-options list). Tags are searchable (agent-search.js).
 */
(function () {
  'use strict';
  var AC = window.AgentConsole;
  if (!AC) return;
  var $ = function (id) {
    return document.getElementById(id);
  };
  var shownFor = null;
  var tags = [];

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function call(method, path, body) {
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
  function base(id) {
    return '/api/agent/conversations/' + encodeURIComponent(id) + '/tags';
  }

  function render() {
    var box = $('conv-tags');
    box.textContent = '';
    var id = shownFor;
    tags.forEach(function (t) {
      var chip = el('span', 'badge tag', t);
      chip.dataset.tag = t;
      var x = el('button', 'tag-remove', '×');
      x.type = 'button';
      x.setAttribute('aria-label', '去掉标签 ' + t);
      x.addEventListener('click', function () {
        call('DELETE', base(id) + '/' + encodeURIComponent(t))
          .then(function (b) {
            if (shownFor === id) {
              tags = b.tags;
              render();
            }
          })
          .catch(function (err) {
            AC.toast('去掉标签失败：' + err.message, true);
          });
      });
      chip.appendChild(x);
      box.appendChild(chip);
    });
    var form = el('form', 'tag-add');
    var input = el('input', 'tag-input');
    input.id = 'tag-input';
    input.setAttribute('list', 'tag-options');
    input.maxLength = 12;
    input.placeholder = '+ 标签';
    input.setAttribute('aria-label', '添加标签');
    form.appendChild(input);
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      var t = input.value.trim();
      if (!t) return;
      call('POST', base(id), { tag: t })
        .then(function (b) {
          if (shownFor !== id) return;
          tags = b.tags;
          render();
          $('tag-input').focus();
        })
        .catch(function (err) {
          AC.toast('添加标签失败：' + err.message, true);
        });
    });
    box.appendChild(form);
  }

  document.addEventListener('agent:current', function (e) {
    var id = /** @type {CustomEvent} */ (e).detail;
    if (!id || id === shownFor) return;
    shownFor = id;
    tags = [];
    render();
    call('GET', base(id))
      .then(function (b) {
        if (shownFor === id) {
          tags = b.tags;
          render();
        }
      })
      .catch(function () {});
  });
})();
