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
          if (fresh) current.replaceWith(document.importNode(fresh, true));
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
})();
