// @ts-check
/*
 * Agent console on a phone (loaded after agent.js, uses window.AgentConsole): the reply box
 * grows with its text (up to a third of the screen), and when the on-screen keyboard opens the
 * page fits the visible area (visualViewport) with the newest message still in view.
 */
(function () {
  'use strict';
  var AC = window.AgentConsole;
  if (!AC) return;
  var $ = function (id) {
    return document.getElementById(id);
  };
  var box = /** @type {HTMLTextAreaElement} */ ($('compose-text'));
  var history = $('history');
  var vv = window.visualViewport;

  function atBottom() {
    history.scrollTop = history.scrollHeight;
  }

  /** Height follows the text: never less than the stylesheet's, never more than a third of the view. */
  function grow() {
    if (box.value === '') {
      // Empty: back to the stylesheet's size.
      box.style.height = '';
      box.style.overflowY = '';
      return;
    }
    var max = Math.round((vv ? vv.height : window.innerHeight) / 3);
    box.style.height = 'auto';
    var want = Math.min(box.scrollHeight + 2, max);
    box.style.height = want + 'px';
    box.style.overflowY = box.scrollHeight + 2 > max ? 'auto' : 'hidden';
    if (AC.state.followHistory) atBottom();
  }
  box.addEventListener('input', grow);
  // agent.js empties the box after sending without an input event.
  document.addEventListener('agent:frame', function (e) {
    var f = /** @type {CustomEvent} */ (e).detail;
    if (f.type === 'message' && f.message && f.message.from === 'agent' && box.value === '') grow();
  });
  document.addEventListener(
    'submit',
    function () {
      setTimeout(grow, 0);
    },
    true,
  );
  box.addEventListener('keyup', function (e) {
    if (e.key === 'Enter') grow();
  });

  /** Fits the app into the visible area; with the keyboard up, only the chat and the box show. */
  function fit() {
    if (!vv) return;
    document.documentElement.style.setProperty('--vvh', vv.height + 'px');
    var phone = window.matchMedia('(max-width: 760px)').matches;
    var keyboard = phone && document.activeElement === box && vv.height < window.screen.height * 0.75;
    document.body.classList.toggle('kbd-open', keyboard || (phone && document.activeElement === box && vv.height < 600));
    // Keep the newest message in view when the view shrinks under the agent's eyes.
    if (AC.state.followHistory) atBottom();
    if (keyboard) window.scrollTo(0, 0);
  }
  if (vv) {
    vv.addEventListener('resize', fit);
    vv.addEventListener('scroll', fit);
  }
  box.addEventListener('focus', function () {
    fit();
    if (AC.state.followHistory) setTimeout(atBottom, 0);
  });
  box.addEventListener('blur', function () {
    setTimeout(fit, 0);
  });
  window.addEventListener('resize', fit);
  fit();
})();
