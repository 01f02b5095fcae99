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
//   - "g p" -> /projects, "g w" -> /work, "g t" -> /time.
//   - data-shortcut on an input focuses it ("c" quick capture, "a" add task).
//   - Task lists: "x" ticks the selected row; [data-select-all] ticks every
//     row of its batch form; the batch bar counts the selection.
//   - Quick capture (form[data-capture]): clears its panel when emptied or on
//     Escape, and its box once a task is saved.
//   - htmx errors and board moves that fail show a toast (#toasts).
//   - Boards ([data-board]): SortableJS drag and drop plus keyboard moves;
//     each move POSTs the card's column and neighbours to data-move-url.
(function () {
  'use strict';

  // Styles that only make sense with this script running key off html.js.
  document.documentElement.classList.add('js');

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

  var NAV_KEYS = { d: '/', m: '/members', a: '/activity', s: '/settings', p: '/projects', w: '/work', t: '/time' };
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
    if (rows.length && key === 'x') {
      var sel = rows.find(function (r) { return r.classList.contains('selected'); });
      var box = sel && sel.querySelector('input[type="checkbox"][name="ids"]');
      if (!box) return false;
      box.checked = !box.checked;
      box.dispatchEvent(new Event('change', { bubbles: true }));
      return true;
    }
    var shortcut = document.querySelector('[data-shortcut="' + key + '"]');
    if (shortcut && key.length === 1) {
      if (shortcut instanceof HTMLInputElement || shortcut instanceof HTMLTextAreaElement) {
        shortcut.focus();
        if (typeof shortcut.select === 'function') shortcut.select();
      } else {
        shortcut.click();
      }
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
      // Escape leaves the search or capture box so single-key shortcuts work again.
      var active = document.activeElement;
      if (active && active === searchInput()) active.blur();
      if (active && active.classList && active.classList.contains('capture-input')) {
        clearCapture();
        active.blur();
      }
      return;
    }

    if (evt.ctrlKey || evt.metaKey || evt.altKey) return;
    if (isTyping(evt.target) || isTyping(document.activeElement)) return;

    if (boardKeys(evt)) {
      evt.preventDefault();
      gPressedAt = 0;
      return;
    }

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
    // htmx already sends forms that listen for "change"; submitting too would post twice.
    if (form.hasAttribute('hx-post') || form.hasAttribute('hx-get')) return;
    // requestSubmit fires the submit event, so data-confirm and htmx apply.
    if (typeof form.requestSubmit === 'function') form.requestSubmit();
    else form.submit();
  });

  // ------------------------------------------------------- lazy pickers
  // A task row's inline pickers (select[data-options]) are sent with their current option
  // only; a list of a hundred rows would otherwise repeat every status, priority and member a
  // hundred times. The full list is in the page once, as <template data-options-for=…>, and is
  // copied in when the picker is first focused or pressed, before it opens. An option the
  // template lacks (a former member, a slot of another project) is kept.

  function fillOptions(select) {
    if (!(select instanceof HTMLSelectElement) || select.dataset.filled) return;
    var kind = select.getAttribute('data-options');
    if (!kind) return;
    var tpl = document.querySelector('template[data-options-for="' + kind + '"]');
    if (!tpl) return;
    var current = select.value;
    var options = tpl.content.cloneNode(true);
    var known = {};
    options.querySelectorAll('option').forEach(function (o) { known[o.value] = true; });
    var extra = Array.prototype.slice.call(select.options).filter(function (o) { return !known[o.value]; });
    select.textContent = '';
    select.appendChild(options);
    extra.forEach(function (o) { select.appendChild(o); });
    select.value = current;
    select.dataset.filled = '1';
  }

  // A client row's tag editor (<details data-checks=…>) is sent with an empty slot; its
  // checkboxes are in the page once, as <template data-checks-for=…>, and are copied in, ticked
  // as the row's data-checked ids say, when its summary is first focused or pressed. Its save
  // button is sent disabled and enabled here: saved without its boxes, the form would clear
  // the client's tags.

  function fillChecks(details) {
    if (!(details instanceof HTMLDetailsElement) || details.dataset.filled) return;
    var kind = details.getAttribute('data-checks');
    var slot = details.querySelector('[data-checks-slot]');
    var tpl = kind && document.querySelector('template[data-checks-for="' + kind + '"]');
    if (!slot || !tpl) return;
    var ticked = (details.getAttribute('data-checked') || '').split(/\s+/);
    var boxes = tpl.content.cloneNode(true);
    boxes.querySelectorAll('input[type=checkbox]').forEach(function (box) {
      box.checked = box.defaultChecked = ticked.indexOf(box.value) !== -1;
    });
    slot.replaceWith(boxes);
    details.querySelectorAll('button[type=submit]').forEach(function (b) { b.disabled = false; });
    details.dataset.filled = '1';
  }

  ['focusin', 'pointerdown'].forEach(function (type) {
    document.addEventListener(type, function (evt) {
      if (!(evt.target instanceof Element)) return;
      fillOptions(evt.target.closest('select[data-options]'));
      fillChecks(evt.target.closest('details[data-checks]'));
    }, true);
  });
  // Opened some other way (a script, find-in-page): fill it as it opens. "toggle" does not
  // bubble, so it is caught on the way down.
  document.addEventListener('toggle', function (evt) {
    if (evt.target instanceof HTMLDetailsElement && evt.target.open) fillChecks(evt.target);
  }, true);

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

  // --------------------------------------------------------------- toasts

  function toast(text, ok) {
    var box = document.getElementById('toasts');
    if (!box) return;
    var t = document.createElement('div');
    t.className = ok ? 'toast toast-ok' : 'toast';
    t.textContent = text;
    box.appendChild(t);
    window.setTimeout(function () {
      if (t.parentNode) t.parentNode.removeChild(t);
    }, 7000);
  }

  function errorText(xhr) {
    var type = (xhr && xhr.getResponseHeader && xhr.getResponseHeader('Content-Type')) || '';
    if (xhr && xhr.responseText && type.indexOf('text/plain') === 0) return xhr.responseText;
    if (xhr && xhr.status === 403) return 'You may not do that, or your session expired: reload the page.';
    return 'The change was not saved' + (xhr && xhr.status ? ' (' + xhr.status + ')' : '') + '. Reload and try again.';
  }

  document.addEventListener('htmx:responseError', function (evt) {
    toast(errorText(evt.detail && evt.detail.xhr), false);
  });

  document.addEventListener('htmx:sendError', function () {
    toast('The server could not be reached. Check your connection and try again.', false);
  });

  // -------------------------------------------------------- batch selection

  function batchBoxes(formId) {
    return Array.prototype.slice.call(document.querySelectorAll('input[name="ids"][form="' + formId + '"]'));
  }

  function countSelection(formId) {
    var n = batchBoxes(formId).filter(function (b) { return b.checked; }).length;
    var label = document.querySelector('[data-selected-count="' + formId + '"]');
    if (label) label.textContent = n + ' selected';
    var form = document.getElementById(formId);
    if (form) form.classList.toggle('has-selection', n > 0);
  }

  document.addEventListener('change', function (evt) {
    var el = evt.target;
    if (!(el instanceof HTMLInputElement) || el.type !== 'checkbox') return;
    var all = el.getAttribute('data-select-all');
    if (all) {
      batchBoxes(all).forEach(function (b) { b.checked = el.checked; });
      countSelection(all);
      return;
    }
    var formId = el.getAttribute('form');
    if (el.name === 'ids' && formId) countSelection(formId);
  });

  // A batch with nothing ticked would only come back with an error.
  document.addEventListener('submit', function (evt) {
    var form = evt.target;
    if (!(form instanceof HTMLFormElement) || form.id !== 'batch') return;
    if (!batchBoxes('batch').some(function (b) { return b.checked; })) {
      evt.preventDefault();
      toast('Tick the tasks to change first (x ticks the selected row).', false);
    }
  });

  // -------------------------------------------------------- quick capture

  function capturePanel() {
    return document.getElementById('capture-panel');
  }

  function clearCapture() {
    var panel = capturePanel();
    if (panel) panel.innerHTML = '';
  }

  document.addEventListener('input', function (evt) {
    var el = evt.target;
    if (el instanceof HTMLInputElement && el.classList.contains('capture-input') && !el.value.trim()) clearCapture();
  });

  document.addEventListener('htmx:afterRequest', function (evt) {
    var elt = evt.detail && evt.detail.elt;
    if (!(elt instanceof HTMLFormElement) || !elt.hasAttribute('data-capture') || !evt.detail.successful) return;
    var panel = capturePanel();
    if (panel && panel.querySelector('.capture-saved')) {
      var input = elt.querySelector('.capture-input');
      if (input) input.value = '';
    }
  });

  document.addEventListener('click', function (evt) {
    var t = evt.target instanceof Element ? evt.target : null;
    if (t && t.closest('form[data-capture]')) return;
    clearCapture();
  });

  // ----------------------------------------------------------------- board
  // Each list is a column (data-status); cards carry data-id. A move posts the
  // card's column and the cards now above (after) and below (before) it, so
  // the server places it between them. Moves are sent one at a time; a refused
  // move reloads the board to show what the server has.

  var moveQueue = Promise.resolve();

  function boardEl() {
    return document.querySelector('[data-board]');
  }

  function cardsOf(list) {
    return Array.prototype.slice.call(list.children).filter(function (c) {
      return c.classList.contains('board-card') && !c.classList.contains('sortable-fallback');
    });
  }

  function columns() {
    var board = boardEl();
    return board ? Array.prototype.slice.call(board.querySelectorAll('.board-list')) : [];
  }

  function updateCounts() {
    columns().forEach(function (list) {
      var col = list.closest('.board-col');
      var count = col && col.querySelector('[data-count]');
      // Older done and cancelled cards the page leaves out still count.
      var hidden = count ? parseInt(count.getAttribute('data-hidden') || '0', 10) : 0;
      if (count) count.textContent = String(cardsOf(list).length + hidden);
    });
  }

  function announce(text) {
    var live = document.getElementById('board-status');
    if (live) live.textContent = text;
  }

  function columnName(list) {
    var col = list.closest('.board-col');
    var h = col && col.querySelector('h2');
    return h ? h.textContent : list.getAttribute('data-status');
  }

  function postMove(card) {
    var board = boardEl();
    var url = board && board.getAttribute('data-move-url');
    if (!url) return;
    var list = card.parentElement;
    var cards = cardsOf(list);
    var i = cards.indexOf(card);
    var body = new URLSearchParams();
    body.set('task', card.getAttribute('data-id'));
    body.set('status', list.getAttribute('data-status'));
    body.set('after', i > 0 ? cards[i - 1].getAttribute('data-id') : '');
    body.set('before', i < cards.length - 1 ? cards[i + 1].getAttribute('data-id') : '');
    updateCounts();
    var title = (card.querySelector('.board-card-title') || card).textContent.trim();
    announce('Moved ' + title + ' to ' + columnName(list) + ', position ' + (i + 1) + ' of ' + cards.length + '.');
    card.classList.add('is-saving');
    moveQueue = moveQueue.then(function () {
      var headers = { 'Content-Type': 'application/x-www-form-urlencoded', 'HX-Request': 'true' };
      var token = csrfToken();
      if (token) headers['X-CSRF-Token'] = token;
      return fetch(url, { method: 'POST', credentials: 'same-origin', headers: headers, body: body.toString() })
        .then(function (res) {
          card.classList.remove('is-saving');
          if (res.ok) return;
          return res.text().then(function (text) {
            var plain = (res.headers.get('Content-Type') || '').indexOf('text/plain') === 0;
            toast((plain && text) || ('The move was not saved (' + res.status + ').'), false);
            window.setTimeout(function () { window.location.reload(); }, 1200);
          });
        }, function () {
          card.classList.remove('is-saving');
          toast('The move was not saved: the server could not be reached.', false);
          window.setTimeout(function () { window.location.reload(); }, 1200);
        });
    });
  }

  function focusedCard() {
    var el = document.activeElement;
    return el && el.classList && el.classList.contains('board-card') ? el : null;
  }

  function focusCard(card) {
    if (!card) return false;
    card.focus();
    card.scrollIntoView({ block: 'nearest', inline: 'nearest' });
    return true;
  }

  // Keys on the board: j/k (or arrows) move focus within a column, h/l across
  // columns; [ ] or Shift+left/right move the card to the previous/next column
  // (at the top), Shift+up/down reorder it, Enter opens it.
  function boardKeys(evt) {
    var board = boardEl();
    if (!board) return false;
    var key = evt.key;
    var card = focusedCard();
    var lists = columns();
    if (!card) {
      if (key === 'j' || key === 'k' || key === 'h' || key === 'l') {
        var first = lists.map(cardsOf).filter(function (c) { return c.length; })[0];
        return focusCard(first && first[0]);
      }
      return false;
    }
    var list = card.parentElement;
    var cards = cardsOf(list);
    var i = cards.indexOf(card);
    var col = lists.indexOf(list);
    var canMove = board.hasAttribute('data-move-url');
    if (key === 'Enter') {
      window.location.assign(card.getAttribute('data-href'));
      return true;
    }
    if (!evt.shiftKey && (key === 'j' || key === 'ArrowDown')) return focusCard(cards[i + 1]) || true;
    if (!evt.shiftKey && (key === 'k' || key === 'ArrowUp')) return focusCard(cards[i - 1]) || true;
    if (!evt.shiftKey && (key === 'h' || key === 'l' || key === 'ArrowLeft' || key === 'ArrowRight')) {
      var step = key === 'h' || key === 'ArrowLeft' ? -1 : 1;
      for (var c = col + step; c >= 0 && c < lists.length; c += step) {
        var there = cardsOf(lists[c]);
        if (there.length) return focusCard(there[Math.min(i, there.length - 1)]) || true;
      }
      return true;
    }
    if (!canMove) return false;
    var toPrev = key === '[' || (evt.shiftKey && key === 'ArrowLeft');
    var toNext = key === ']' || (evt.shiftKey && key === 'ArrowRight');
    if (toPrev || toNext) {
      var target = lists[col + (toPrev ? -1 : 1)];
      if (!target) return true;
      target.insertBefore(card, cardsOf(target)[0] || null);
      focusCard(card);
      postMove(card);
      return true;
    }
    if (evt.shiftKey && (key === 'ArrowUp' || key === 'ArrowDown')) {
      if (key === 'ArrowUp' && i > 0) list.insertBefore(card, cards[i - 1]);
      else if (key === 'ArrowDown' && i < cards.length - 1) list.insertBefore(card, cards[i + 1].nextSibling);
      else return true;
      focusCard(card);
      postMove(card);
      return true;
    }
    return false;
  }

  function initBoard() {
    var board = boardEl();
    if (!board || !board.hasAttribute('data-move-url') || typeof window.Sortable !== 'function') return;
    columns().forEach(function (list) {
      window.Sortable.create(list, {
        group: 'board',
        animation: 120,
        // Pointer events rather than native drag and drop: the same on mouse,
        // touch and pen, and a drag never turns into a link drag.
        forceFallback: true,
        fallbackOnBody: true,
        fallbackTolerance: 4,
        delayOnTouchOnly: true,
        delay: 120,
        draggable: '.board-card',
        ghostClass: 'sortable-ghost',
        chosenClass: 'sortable-chosen',
        dragClass: 'sortable-drag',
        onEnd: function (e) {
          if (e.from === e.to && e.oldIndex === e.newIndex) return;
          postMove(e.item);
        },
      });
    });
  }

  // Deferred scripts run before DOMContentLoaded, and sortable.min.js comes after this one.
  if (document.readyState === 'complete') initBoard();
  else document.addEventListener('DOMContentLoaded', initBoard);
})();
