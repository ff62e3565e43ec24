/* Days saved on this phone while offline, and the sender that delivers them.

   One IndexedDB store shared by the page (pwa.js) and the service worker (its
   Background Sync handler), so a day is kept the same way whoever sends it.
   A kept day is keyed by user and date: saving the same day again offline
   replaces it. It is sent as JSON to that day's own address (/log/YYYY-MM-DD/,
   never /log/, which means "today" when it arrives) with the version of the day
   it was edited from: the server answers 409 rather than overwrite a newer save
   from another device, and the page lets the patient choose. The server's save
   is idempotent, so a day sent twice (page and worker at once, or an answer lost
   on a bad connection) is stored once.

   Works in a window and in a worker: no DOM here. */
(function (root) {
  "use strict";

  var DB_NAME = "tmo-offline";
  var DAYS = "days";
  var META = "meta";
  var LOCK = "tmo-send-days";

  function request(r) {
    return new Promise(function (resolve, reject) {
      r.onsuccess = function () { resolve(r.result); };
      r.onerror = function () { reject(r.error); };
    });
  }

  function openDb() {
    var r = root.indexedDB.open(DB_NAME, 1);
    r.onupgradeneeded = function () {
      r.result.createObjectStore(DAYS, { keyPath: "key" });
      r.result.createObjectStore(META);
    };
    return request(r);
  }

  // Runs fn(store) in one transaction; resolves with what fn returned once it commits.
  function withStore(name, mode, fn) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(name, mode);
        var result;
        tx.oncomplete = function () { db.close(); resolve(result); };
        tx.onerror = tx.onabort = function () { db.close(); reject(tx.error); };
        result = fn(tx.objectStore(name));
      });
    });
  }

  function all() {
    return openDb().then(function (db) {
      var r = db.transaction(DAYS).objectStore(DAYS).getAll();
      return request(r).then(function (rows) { db.close(); return rows; });
    });
  }

  function forUser(user) {
    return all().then(function (rows) {
      return rows
        .filter(function (d) { return d.user === user; })
        .sort(function (a, b) { return a.day < b.day ? -1 : 1; });
    });
  }

  // Whether anything was ever kept here: most page loads need not open the database.
  function exists() {
    if (!root.indexedDB.databases) return Promise.resolve(true);
    return root.indexedDB.databases().then(function (dbs) {
      return dbs.some(function (d) { return d.name === DB_NAME; });
    }, function () { return true; });
  }

  function newId() {
    return Date.now().toString(36) + Math.random().toString(36).slice(2);
  }

  /* Keep a day: {user, day, url, entries: [{joint, pain, swelling}], note,
     based_on, csrf}. Saving a day already kept keeps its based_on: the version
     it was first edited from is what the server has to compare with. */
  function keep(day) {
    var key = day.user + "|" + day.day;
    return withStore(DAYS, "readwrite", function (store) {
      var kept = Object.assign({}, day, {
        key: key,
        id: newId(),
        saved_at: new Date().toISOString(),
        status: "pending",
        stored: null,
        errors: null,
      });
      request(store.get(key)).then(function (before) {
        if (before && before.status !== "refused") kept.based_on = before.based_on;
        store.put(kept);
      });
      return kept;
    });
  }

  // Change or drop a kept day only if it is still the save that was sent: a
  // newer save made meanwhile must survive the answer to an older one.
  function settle(sent, change) {
    return withStore(DAYS, "readwrite", function (store) {
      request(store.get(sent.key)).then(function (now) {
        if (!now || now.id !== sent.id) return;
        if (change === null) store.delete(sent.key);
        else store.put(Object.assign(now, change));
      });
    });
  }

  function discard(key) {
    return withStore(DAYS, "readwrite", function (store) { store.delete(key); });
  }

  // Another account signed in on this phone: its days must never be sent with this session.
  function dropOthers(user) {
    return all().then(function (rows) {
      var others = rows.filter(function (d) { return d.user !== user; });
      if (!others.length) return 0;
      return withStore(DAYS, "readwrite", function (store) {
        others.forEach(function (d) { store.delete(d.key); });
        return others.length;
      });
    });
  }

  function clearAll() {
    return withStore(DAYS, "readwrite", function (store) { store.clear(); }).then(function () {
      return withStore(META, "readwrite", function (store) { store.clear(); });
    });
  }

  // Who the pages last said is signed in ("" when signed out): the worker sends only their days.
  function setCurrentUser(user) {
    return withStore(META, "readwrite", function (store) { store.put(user, "user"); });
  }

  function currentUser() {
    return openDb().then(function (db) {
      var r = db.transaction(META).objectStore(META).get("user");
      return request(r).then(function (user) { db.close(); return user || ""; });
    });
  }

  function messages(errors) {
    var out = [];
    Object.keys(errors || {}).forEach(function (field) {
      (errors[field] || []).forEach(function (e) { out.push(e.message || String(e)); });
    });
    return out;
  }

  function sendOne(day, csrf) {
    return root.fetch(day.url, {
      method: "POST",
      credentials: "same-origin",
      // A login redirect means the session ended: keep the day, don't follow it.
      redirect: "manual",
      headers: {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "X-CSRFToken": csrf || day.csrf || "",
      },
      body: JSON.stringify({
        entries: day.entries,
        note: day.note,
        based_on: day.based_on,
        saved_at: day.saved_at,
      }),
    }).then(function (response) {
      if (response.status === 200) {
        return response.json().then(function (body) {
          return settle(day, null).then(function () {
            return { day: day, outcome: "sent", version: body.version };
          });
        });
      }
      if (response.status === 409) {
        return response.json().then(function (body) {
          return settle(day, { status: "conflict", stored: body.stored }).then(function () {
            return { day: day, outcome: "conflict" };
          });
        });
      }
      if (response.status === 400) {
        return response.json().then(function (body) {
          return settle(day, { status: "refused", errors: messages(body.errors) });
        }).then(function () { return { day: day, outcome: "refused" }; });
      }
      // Signed out (redirect), CSRF refused, server trouble: try again later.
      return { day: day, outcome: "stopped", status: response.status };
    });
  }

  /* Send the user's pending days, oldest first. options.csrf: the CSRF token to
     use (the page's cookie); returns [{day, outcome: sent|conflict|refused|
     stopped|offline, version}]. One sender at a time across page and worker. */
  function send(user, options) {
    options = options || {};
    function run() {
      return forUser(user).then(function (days) {
        var results = [];
        var pending = days.filter(function (d) { return d.status === "pending"; });
        return pending.reduce(function (chain, day) {
          return chain.then(function (stop) {
            if (stop) return true;
            return sendOne(day, options.csrf).then(function (result) {
              results.push(result);
              return result.outcome === "stopped";
            }, function () {
              results.push({ day: day, outcome: "offline" });
              return true;
            });
          });
        }, Promise.resolve(false)).then(function () { return results; });
      });
    }
    var locks = root.navigator && root.navigator.locks;
    return locks ? locks.request(LOCK, run) : run();
  }

  root.TMODayQueue = {
    all: all,
    exists: exists,
    keep: keep,
    forUser: forUser,
    settle: settle,
    discard: discard,
    dropOthers: dropOthers,
    clearAll: clearAll,
    setCurrentUser: setCurrentUser,
    currentUser: currentUser,
    send: send,
    SYNC_TAG: "tmo-send-days",
    PAGES_CACHE: "tmo-log-pages",
  };
})(self);
