/* TMO Tracker's service worker, imported by /sw.js (apps/pwa/views.py), which
   first sets self.TMO: this deploy's static URLs of Workbox's modules, of
   day-queue.js and of what the log page needs offline.

   - The log pages (/log/ and /log/YYYY-MM-DD/) come from the network, and from
     the phone's cache when there is no signal (or it takes too long); only real
     pages are kept, never a login redirect.
   - Any other page opened offline shows the offline page.
   - Days saved offline are sent by Background Sync when the signal returns,
     through the same queue the page uses (day-queue.js).
   Workbox is served from our own static files: nothing is fetched from a CDN. */
importScripts.apply(self, self.TMO.workbox);
importScripts(self.TMO.queue);

(function () {
  "use strict";

  var cfg = self.TMO;
  var Q = self.TMODayQueue;
  var LOG_PAGE = /^\/log\/(\d{4}-\d{2}-\d{2}\/)?$/;
  var DAY = 24 * 3600;

  workbox.core.setCacheNameDetails({ prefix: "tmo" });
  // A new worker takes over at once: pages and worker change together in a deploy.
  self.skipWaiting();
  workbox.core.clientsClaim();

  workbox.precaching.cleanupOutdatedCaches();
  workbox.precaching.precacheAndRoute(cfg.precache);

  var onlyPages = {
    cacheWillUpdate: function (args) {
      var r = args.response;
      return r && r.status === 200 && r.type === "basic" && !r.redirected ? r : null;
    },
    fetchDidSucceed: function (args) {
      var r = args.response;
      // Sent to the login page: the session is over, so are its cached pages.
      if (r.redirected && new URL(r.url).pathname.indexOf(cfg.login) === 0) {
        return caches.delete(Q.PAGES_CACHE).then(function () { return r; });
      }
      return r;
    },
  };

  workbox.routing.registerRoute(
    function (o) {
      return o.url.origin === self.location.origin && LOG_PAGE.test(o.url.pathname) &&
        !o.request.headers.get("HX-Request");
    },
    new workbox.strategies.NetworkFirst({
      cacheName: Q.PAGES_CACHE,
      // One bar of signal: after this long, open the copy on the phone instead.
      networkTimeoutSeconds: 6,
      // The page varies on Cookie and HX-Request; only full pages of this
      // browser's session are stored here, and logout empties the cache.
      matchOptions: { ignoreVary: true },
      plugins: [
        onlyPages,
        // Private pages don't linger: recent days only, two weeks at most.
        new workbox.expiration.ExpirationPlugin({ maxEntries: 20, maxAgeSeconds: 14 * DAY }),
      ],
    })
  );

  // Other pages need the network; offline they get the offline page, not the browser's error.
  workbox.routing.registerRoute(
    new workbox.routing.NavigationRoute(new workbox.strategies.NetworkOnly())
  );

  workbox.routing.setCatchHandler(function (o) {
    if (o.request.destination === "document") {
      return workbox.precaching.matchPrecache(cfg.offline).then(function (r) {
        return r || Response.error();
      });
    }
    return Response.error();
  });

  function csrfFromCookie() {
    if (!self.cookieStore) return Promise.resolve("");
    return self.cookieStore.get("csrftoken").then(function (c) { return c ? c.value : ""; },
      function () { return ""; });
  }

  function sendKept() {
    // Only for whoever the pages last said is signed in: on a shared phone,
    // one patient's day must never go out with another's session.
    return Promise.all([Q.currentUser(), csrfFromCookie()]).then(function (both) {
      var user = both[0];
      if (!user) return [];
      return Q.send(user, { csrf: both[1] });
    }).then(function (results) {
      var sent = results.filter(function (r) { return r.outcome === "sent"; });
      return Promise.all(sent.map(function (r) { return refresh(r.day); })).then(function () {
        return self.clients.matchAll({ type: "window" });
      }).then(function (clients) {
        clients.forEach(function (c) {
          c.postMessage({
            type: "tmo-days-sent",
            sent: sent.map(function (r) { return { day: r.day.day, version: r.version }; }),
          });
        });
        if (results.some(function (r) { return r.outcome === "offline"; })) {
          // Rejecting asks the browser to fire the sync again later.
          throw new Error("still offline");
        }
      });
    });
  }

  // After a send, the cached copy of that day's page is out of date: fetch it again.
  function refresh(day) {
    return fetch(day.url, { credentials: "same-origin" }).then(function (r) {
      if (r.status !== 200 || r.redirected) return;
      return caches.open(Q.PAGES_CACHE).then(function (cache) { return cache.put(day.url, r); });
    }).catch(function () {});
  }

  self.addEventListener("sync", function (event) {
    if (event.tag === Q.SYNC_TAG) event.waitUntil(sendKept());
  });
})();
