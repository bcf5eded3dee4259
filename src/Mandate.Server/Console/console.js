// Mandate console: live regions, and nothing else.
//
// A page marks a region it wants kept fresh with data-live-src, the address of that same page with the same filters.
// Every few seconds this fetches that address (same origin, the console's cookie), finds the element with the
// region's id in the answer and, when it differs, puts its contents in place. The server renders the region exactly
// as it renders the page, so there is no second template, no second data path and no second authorisation: a person
// signed out (or whose token was revoked) gets the sign-in redirect, and polling stops.
// The element named by data-live-status says what the updates are doing (not a live region: a screen reader is not
// interrupted every few seconds). Without script the page is complete as served; this only spares the reload.
(function () {
  'use strict';

  var INTERVAL_MS = 3000;
  var regions = Array.prototype.slice.call(document.querySelectorAll('[data-live-src]'));
  if (regions.length === 0 || typeof fetch !== 'function' || typeof DOMParser !== 'function') {
    return;
  }

  var stopped = false;
  var busy = false;

  function say(region, text) {
    var status = document.getElementById(region.getAttribute('data-live-status') || '');
    if (status) {
      status.textContent = text;
    }
  }

  function stop(text) {
    stopped = true;
    regions.forEach(function (region) { say(region, text); });
  }

  function refresh(region) {
    return fetch(region.getAttribute('data-live-src'), {
      credentials: 'same-origin',
      redirect: 'manual',
      cache: 'no-store',
      headers: { 'Accept': 'text/html' }
    }).then(function (response) {
      if (response.type === 'opaqueredirect' || response.status === 401 || response.status === 403) {
        stop('Signed out: live updates stopped. Reload the page to sign in again.');
        return;
      }
      if (!response.ok) {
        say(region, 'Live updates paused: the server answered ' + response.status + '. Retrying.');
        return;
      }
      return response.text().then(function (html) {
        var fresh = new DOMParser().parseFromString(html, 'text/html').getElementById(region.id);
        if (!fresh) {
          stop('Live updates stopped: the page no longer has this list. Reload the page.');
          return;
        }
        // Replaced only when it changed, so a row with focus or a selection is left alone between changes.
        if (fresh.innerHTML !== region.innerHTML) {
          // A copy first: adopting a node takes it out of the live childNodes list.
          var nodes = Array.prototype.slice.call(fresh.childNodes).map(function (node) {
            return document.adoptNode(node);
          });
          region.replaceChildren.apply(region, nodes);
        }
        say(region, 'Live: checked at ' + new Date().toLocaleTimeString() + '.');
      });
    });
  }

  function tick() {
    if (stopped) {
      return;
    }
    if (busy || document.hidden) {
      window.setTimeout(tick, INTERVAL_MS);
      return;
    }
    busy = true;
    Promise.all(regions.map(function (region) {
      return refresh(region).catch(function () {
        // The network or the server is away for a moment (a restart, the page being left): try again later.
        say(region, 'Live updates paused: the server did not answer. Retrying.');
      });
    })).then(function () {
      busy = false;
      window.setTimeout(tick, INTERVAL_MS);
    });
  }

  regions.forEach(function (region) { say(region, 'Live: updates every few seconds.'); });
  window.setTimeout(tick, INTERVAL_MS);
}());
