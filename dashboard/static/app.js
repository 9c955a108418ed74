// wareflow dashboard: the pages work without this file; it adds live refresh and confirmations.
// No inline script anywhere (the CSP forbids it); everything hangs off data attributes.
(function () {
  'use strict';

  // Ask before destructive actions (forms carrying data-confirm).
  document.addEventListener('submit', function (event) {
    var form = event.target;
    var message = form && form.getAttribute && form.getAttribute('data-confirm');
    if (message && !window.confirm(message)) event.preventDefault();
  });

  // The flash message is shown once; drop it from the address so a reload does not repeat it.
  if (window.location.search.indexOf('flash=') >= 0 && window.history.replaceState) {
    var url = new URL(window.location.href);
    url.searchParams.delete('flash');
    window.history.replaceState(null, '', url.pathname + url.search + url.hash);
  }

  followLog(document.getElementById('log-section'));

  if (document.body.getAttribute('data-refresh') !== 'on') return;

  // Live regions (data-live) are re-rendered by the server and swapped in place: fast while
  // something is running (data-active="yes"), slower otherwise, paused in background tabs.
  var FAST_MS = 2000;
  var SLOW_MS = 10000;
  var timer = null;

  function anyActive() {
    return document.querySelector('[data-live][data-active="yes"]') !== null;
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(refresh, anyActive() ? FAST_MS : SLOW_MS);
  }

  function refresh() {
    if (document.visibilityState !== 'visible') return schedule();
    fetch(window.location.pathname + window.location.search, {
      credentials: 'same-origin',
      headers: { Accept: 'text/html' },
    })
      .then(function (response) {
        if (!response.ok) throw new Error('HTTP ' + response.status);
        return response.text();
      })
      .then(function (text) {
        var doc = new DOMParser().parseFromString(text, 'text/html');
        document.querySelectorAll('[data-live]').forEach(function (current) {
          var fresh = doc.querySelector('[data-live="' + current.getAttribute('data-live') + '"]');
          if (!fresh) return;
          // A mapped task's cell someone opened stays open across the refresh.
          current.querySelectorAll('details.mapped[open]').forEach(function (open) {
            var same = fresh.querySelector(
              'details.mapped[data-task="' +
                open.getAttribute('data-task') +
                '"][data-run-id="' +
                open.getAttribute('data-run-id') +
                '"]',
            );
            if (same) same.setAttribute('open', '');
          });
          current.replaceWith(document.importNode(fresh, true));
        });
      })
      .catch(function () {
        // A failed refresh is retried on the next tick; the page stays as it was.
      })
      .then(schedule);
  }

  document.addEventListener('visibilitychange', function () {
    if (document.visibilityState === 'visible') refresh();
  });
  schedule();

  // The task page's log: while the try shown can still write (data-log-final="no"), ask the JSON
  // API for the lines after the last one shown and append them; when the try is final, show its
  // output and stop. Lines are text nodes, so nothing a task logs can become markup.
  function followLog(section) {
    if (!section || section.getAttribute('data-log-final') === 'yes') return;
    var LOG_MS = 1000;
    var url = section.getAttribute('data-log-url');
    var after = Number(section.getAttribute('data-log-after')) || 0;
    var pre = document.getElementById('log-lines');
    var empty = document.getElementById('log-empty');

    // Same text as the server's logLineText: `2026-01-01 02:00:00 INFO  message {"k":1}`.
    function lineText(line) {
      var time = new Date(line.logged_at)
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d{3}Z$/, '');
      var level = String(line.level).toUpperCase();
      while (level.length < 5) level += ' ';
      var fields =
        line.fields && Object.keys(line.fields).length > 0 ? ' ' + JSON.stringify(line.fields) : '';
      return time + ' ' + level + ' ' + line.message + fields;
    }

    function append(lines) {
      lines.forEach(function (line) {
        var id = Number(line.id);
        if (id <= after) return;
        after = id;
        var span = document.createElement('span');
        span.className = 'level-' + line.level;
        span.setAttribute('data-id', String(id));
        span.textContent = lineText(line);
        pre.appendChild(span);
        pre.appendChild(document.createTextNode('\n'));
      });
      if (pre.childNodes.length > 0) {
        pre.hidden = false;
        if (empty) empty.hidden = true;
      }
      section.setAttribute('data-log-after', String(after));
    }

    function finish(body) {
      section.setAttribute('data-log-final', 'yes');
      var following = document.getElementById('log-following');
      if (following) following.remove();
      if (empty) empty.textContent = 'No log lines for this try.';
      var output = document.getElementById('task-output');
      if (output && body.output !== null && body.output !== undefined) {
        var json = document.createElement('pre');
        json.className = 'json';
        json.textContent = JSON.stringify(body.output, null, 2);
        output.replaceChildren(json);
      } else if (output) {
        var none = document.createElement('p');
        none.className = 'muted';
        none.textContent = 'No output.';
        output.replaceChildren(none);
      }
    }

    function poll() {
      if (document.visibilityState !== 'visible') return setTimeout(poll, LOG_MS);
      fetch(url + '&after=' + after, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
        .then(function (response) {
          if (!response.ok) throw new Error('HTTP ' + response.status);
          return response.json();
        })
        .then(function (body) {
          append(body.lines || []);
          if (body.final) finish(body);
          else setTimeout(poll, LOG_MS);
        })
        .catch(function () {
          // A failed poll is retried, more slowly; the lines shown stay.
          setTimeout(poll, LOG_MS * 3);
        });
    }
    setTimeout(poll, LOG_MS);
  }
})();
