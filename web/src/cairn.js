// Cairn page behaviour. Plain script, no framework, loaded with `defer` after
// htmx. Everything is attached by event delegation on `document`, so content
// swapped in by htmx works without re-initialisation.
//
// Features:
//   - Keys: "/" or Ctrl-K / Cmd-K focus the search box; "g d" -> /,
//     "g m" -> /members, "g a" -> /activity, "g s" -> /settings.
//     Plain keys are ignored while typing in a field.
//   - <form data-confirm="text"> (or a submit button with data-confirm):
//     confirm() before submitting.
//   - <button data-copy="#selector">: copy the target's text to the clipboard.
//   - htmx requests carry X-CSRF-Token from <meta name="csrf-token">.
//   - <select data-autosubmit> submits its form on change.
//   - Escape or an outside click closes open <details> menus.
(function () {
  'use strict';

  // ------------------------------------------------------------ htmx config
  // Set before htmx initialises (it waits for DOMContentLoaded, which comes
  // after all deferred scripts). The CSP forbids the inline <style> htmx
  // would inject (cairn.css styles .htmx-indicator instead) and eval
  // (hx-on / js: expressions). Pages hold credentials, so htmx must not
  // keep page snapshots in localStorage for its history cache.
  if (window.htmx && window.htmx.config) {
    var cfg = window.htmx.config;
    cfg.includeIndicatorStyles = false;
    cfg.allowEval = false;
    cfg.allowScriptTags = false;
    cfg.historyCacheSize = 0;
    cfg.refreshOnHistoryMiss = true;
    cfg.selfRequestsOnly = true;
  }

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute('content') : null;
  }

  document.addEventListener('htmx:configRequest', function (evt) {
    var token = csrfToken();
    if (token && evt.detail && evt.detail.headers) {
      evt.detail.headers['X-CSRF-Token'] = token;
    }
  });

  // ------------------------------------------------------------- keyboard

  var NAV_KEYS = { d: '/', m: '/members', a: '/activity', s: '/settings' };
  var G_TIMEOUT_MS = 1500;
  var gPressedAt = 0;

  // True when a keystroke belongs to whatever has focus (typing, choosing).
  function isTyping(el) {
    if (!el || el === document.body) return false;
    if (el.isContentEditable) return true;
    var tag = el.tagName;
    if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
    if (tag !== 'INPUT') return false;
    var type = (el.getAttribute('type') || 'text').toLowerCase();
    return ['button', 'submit', 'reset', 'checkbox', 'radio', 'image', 'file', 'range', 'color'].indexOf(type) === -1;
  }

  function searchInput() {
    return document.querySelector('input.search, .search input');
  }

  function focusSearch() {
    var input = searchInput();
    if (!input) return false;
    input.focus();
    if (typeof input.select === 'function') input.select();
    return true;
  }

  // ----------------------------------------------------------- list keys
  // Tables marked data-keynav: j/k move a selection over the rows, Enter opens
  // the selected row's data-href. Elements with data-shortcut="x" are clicked
  // when x is pressed (e.g. "c" for New client, "e" for Edit).
  function keynavRows() {
    var table = document.querySelector('table[data-keynav]');
    return table ? Array.prototype.slice.call(table.querySelectorAll('tbody tr[data-href]')) : [];
  }

  function listKeys(key) {
    var rows = keynavRows();
    if (rows.length && (key === 'j' || key === 'k' || key === 'Enter')) {
      var current = rows.findIndex(function (r) { return r.classList.contains('selected'); });
      if (key === 'Enter') {
        if (current < 0) return false;
        window.location.assign(rows[current].getAttribute('data-href'));
        return true;
      }
      var next = key === 'j' ? Math.min(current + 1, rows.length - 1) : Math.max(current - 1, 0);
      if (current >= 0) rows[current].classList.remove('selected');
      rows[next].classList.add('selected');
      rows[next].setAttribute('aria-selected', 'true');
      rows[next].scrollIntoView({ block: 'nearest' });
      return true;
    }
    var shortcut = document.querySelector('[data-shortcut="' + key + '"]');
    if (shortcut && key.length === 1) {
      shortcut.click();
      return true;
    }
    return false;
  }

  document.addEventListener('keydown', function (evt) {
    if (evt.defaultPrevented || evt.isComposing) return;
    var key = evt.key;

    // Ctrl-K / Cmd-K works everywhere, even inside a field.
    if ((evt.ctrlKey || evt.metaKey) && !evt.altKey && !evt.shiftKey && (key === 'k' || key === 'K')) {
      if (focusSearch()) evt.preventDefault();
      return;
    }

    if (key === 'Escape') {
      if (closeMenus(null, true)) {
        evt.preventDefault();
        return;
      }
      // Escape leaves the search box so single-key shortcuts work again.
      var active = document.activeElement;
      if (active && active === searchInput()) active.blur();
      return;
    }

    if (evt.ctrlKey || evt.metaKey || evt.altKey) return;
    if (isTyping(evt.target) || isTyping(document.activeElement)) return;

    if (key === '/') {
      if (focusSearch()) evt.preventDefault();
      gPressedAt = 0;
      return;
    }

    if (listKeys(key)) {
      evt.preventDefault();
      gPressedAt = 0;
      return;
    }

    var now = Date.now();
    if (gPressedAt && now - gPressedAt <= G_TIMEOUT_MS) {
      gPressedAt = 0;
      var target = NAV_KEYS[key];
      if (target) {
        evt.preventDefault();
        window.location.assign(target);
      }
      return;
    }
    gPressedAt = key === 'g' ? now : 0;
  });

  // -------------------------------------------------------------- confirm
  // Capture phase on document runs before htmx's own submit listener on the
  // form, so stopping the event here cancels htmx-driven forms as well.
  document.addEventListener('submit', function (evt) {
    var form = evt.target;
    if (!(form instanceof HTMLFormElement)) return;
    var submitter = evt.submitter;
    var text = (submitter && submitter.getAttribute('data-confirm')) || form.getAttribute('data-confirm');
    if (!text) return;
    if (!window.confirm(text)) {
      evt.preventDefault();
      evt.stopImmediatePropagation();
    }
  }, true);

  // ----------------------------------------------------------------- copy

  function textOf(el) {
    if (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement) return el.value;
    return (el.textContent || '').trim();
  }

  // Fallback for plain-http deployments, where navigator.clipboard is absent
  // (it needs a secure context).
  function legacyCopy(text) {
    var area = document.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.className = 'sr-only';
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try {
      ok = document.execCommand('copy');
    } catch (e) {
      ok = false;
    }
    document.body.removeChild(area);
    return ok;
  }

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).then(function () {
        return true;
      }, function () {
        return legacyCopy(text);
      });
    }
    return Promise.resolve(legacyCopy(text));
  }

  function flashButton(btn, ok) {
    if (!btn.hasAttribute('data-label')) btn.setAttribute('data-label', btn.textContent);
    btn.textContent = ok ? 'Copied' : 'Copy failed';
    if (ok) btn.setAttribute('data-copied', '');
    window.clearTimeout(btn._cairnCopyTimer);
    btn._cairnCopyTimer = window.setTimeout(function () {
      btn.textContent = btn.getAttribute('data-label');
      btn.removeAttribute('data-copied');
    }, 1500);
  }

  document.addEventListener('click', function (evt) {
    var btn = evt.target instanceof Element ? evt.target.closest('[data-copy]') : null;
    if (!btn) return;
    evt.preventDefault();
    var target = document.querySelector(btn.getAttribute('data-copy'));
    if (!target) return;
    copyText(textOf(target)).then(function (ok) {
      flashButton(btn, ok);
    });
  });

  // ----------------------------------------------------------- autosubmit

  document.addEventListener('change', function (evt) {
    var el = evt.target;
    if (!(el instanceof HTMLSelectElement) || !el.hasAttribute('data-autosubmit')) return;
    var form = el.form;
    if (!form) return;
    // requestSubmit fires the submit event, so data-confirm and htmx apply.
    if (typeof form.requestSubmit === 'function') form.requestSubmit();
    else form.submit();
  });

  // ---------------------------------------------------------------- menus
  // <details> dropdowns (.ws-switch, .user-menu) close on Escape and on a
  // click outside them, like native menus.

  function closeMenus(except, refocus) {
    var closed = false;
    var open = document.querySelectorAll('details[open].ws-switch, details[open].user-menu, details[open].dropdown');
    for (var i = 0; i < open.length; i++) {
      var d = open[i];
      if (except && d.contains(except)) continue;
      d.removeAttribute('open');
      closed = true;
      if (refocus && d.contains(document.activeElement)) {
        var summary = d.querySelector('summary');
        if (summary) summary.focus();
      }
    }
    return closed;
  }

  document.addEventListener('click', function (evt) {
    closeMenus(evt.target instanceof Node ? evt.target : null, false);
  });
})();
