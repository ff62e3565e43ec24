/* The installable app on every page: registers the service worker, keeps a day
   saved with no signal on the phone (day-queue.js) and sends it when the
   connection returns, shows what is waiting or needs a choice, and wipes the
   phone at logout. Without JavaScript none of this runs and the log page is the
   plain form it always was.

   Reads <meta> tags from templates/pwa/head.html: tmo-user (an opaque key of
   who is signed in, "" when signed out, absent on the cached offline page),
   tmo-tz (the patient's time zone: "today" is theirs), tmo-sw, tmo-log and
   tmo-logout. No inline scripts: the CSP forbids them. */
(function () {
  "use strict";

  var Q = window.TMODayQueue;

  function meta(name) {
    var m = document.querySelector('meta[name="' + name + '"]');
    return m ? m.getAttribute("content") : null;
  }

  var user = meta("tmo-user");
  var tz = meta("tmo-tz") || undefined;
  var swUrl = meta("tmo-sw");
  var logUrl = meta("tmo-log");
  var logoutUrl = meta("tmo-logout");
  var canKeep = !!(Q && window.indexedDB && window.Promise);
  var LANG = document.documentElement.lang || "en";
  var T = readStrings();
  var SWELLING = T.swelling || ["none", "mild", "moderate", "severe"];
  var WARM_EVERY_MS = 6 * 3600 * 1000;

  /* What this script says comes translated inside the page (templates/pwa/head.html),
     so a page opened from the phone's cache speaks the patient's language too. */
  function readStrings() {
    var node = document.getElementById("tmo-strings");
    try { return node ? JSON.parse(node.textContent) : {}; } catch (e) { return {}; }
  }

  function say(text, values) {
    return String(text).replace(/%\((\w+)\)s/g, function (all, name) {
      return values && name in values ? values[name] : all;
    });
  }

  var plurals = window.Intl && Intl.PluralRules ? new Intl.PluralRules(LANG) : null;
  function sayCount(forms, count) {
    var form = plurals && plurals.select(count) === "one" ? "one" : "other";
    if (!plurals && count === 1) form = "one";
    return say(forms[form], { count: count });
  }

  // ---- dates: the patient's calendar, whatever the phone's own zone --------

  // Intl formatters are slow to build on a phone: one of each, made when first needed.
  var formats = {};
  function format(name, options) {
    if (!formats[name]) formats[name] = new Intl.DateTimeFormat(LANG, options);
    return formats[name];
  }

  function isoToday() {
    var parts = {};
    format("iso", { timeZone: tz, year: "numeric", month: "2-digit", day: "2-digit" })
      .formatToParts(new Date()).forEach(function (p) { parts[p.type] = p.value; });
    return parts.year + "-" + parts.month + "-" + parts.day;
  }

  function addDays(iso, n) {
    var d = new Date(iso + "T00:00:00Z");
    d.setUTCDate(d.getUTCDate() + n);
    return d.toISOString().slice(0, 10);
  }

  function dayLabel(iso, long) {
    var f = long
      ? format("long", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" })
      : format("short", { weekday: "short", day: "numeric", month: "short", timeZone: "UTC" });
    return f.format(new Date(iso + "T00:00:00Z"));
  }

  function whenLabel(instant) {
    if (!instant) return "";
    return format("when", {
      timeZone: tz, weekday: "short", day: "numeric", month: "short",
      hour: "2-digit", minute: "2-digit",
    }).format(new Date(instant));
  }

  // ---- the log form -------------------------------------------------------

  function dayForm() { return document.getElementById("day-form"); }

  function csrfToken() {
    // The cookie is always the current one; a page from the cache may hold an old token.
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function jointCodes(form) {
    return Array.prototype.map.call(form.querySelectorAll(".joint-row"), function (row) {
      return row.id.replace(/^row-/, "");
    });
  }

  function jointLabel(code) {
    var legend = document.querySelector("#row-" + code + " legend");
    return legend ? legend.textContent.trim() : code.replace(/_/g, " ");
  }

  function readForm(form) {
    var entries = jointCodes(form).map(function (code) {
      var pain = form.querySelector('input[name="pain_' + code + '"]:checked');
      var swelling = form.querySelector('input[name="swelling_' + code + '"]:checked');
      return {
        joint: code,
        pain: pain ? Number(pain.value) : 0,
        swelling: swelling ? Number(swelling.value) : 0,
      };
    });
    var note = form.querySelector("[name=note]");
    return {
      user: user,
      day: form.dataset.day,
      url: form.dataset.dayUrl,
      entries: entries,
      note: note ? note.value : "",
      based_on: form.dataset.version || null,
      csrf: csrfToken(),
    };
  }

  function fillForm(form, entries, note) {
    entries.forEach(function (e) {
      ["pain", "swelling"].forEach(function (field) {
        var input = form.querySelector(
          'input[name="' + field + "_" + e.joint + '"][value="' + e[field] + '"]');
        if (input) input.checked = true;
      });
    });
    var box = form.querySelector("[name=note]");
    if (box && typeof note === "string") box.value = note;
  }

  var STATUS = {
    pending: "msg msg-offline",
    sent: "msg msg-success",
    conflict: "msg msg-warning",
    refused: "msg msg-error",
    theirs: "msg msg-success",
    network: "msg msg-warning",
    "not-kept": "msg msg-error",
  };

  function setFormStatus(form, kind) {
    // The server's own status lines would contradict ours ("✓ Logged", "Saved.").
    form.querySelectorAll(".status, .msg-success, .pwa-status").forEach(function (el) {
      el.remove();
    });
    var line = document.createElement("p");
    line.className = STATUS[kind] + " pwa-status";
    line.setAttribute("role", "status");
    line.textContent = T.status[kind];
    var csrf = form.querySelector("input[name=csrfmiddlewaretoken]");
    if (csrf) csrf.after(line);
    else form.prepend(line);
  }

  /* A cached "today" page from an earlier day, opened offline the next evening
     (the usual case: people log once a day): turn it into today's form, filled
     in from the last day, rather than show yesterday as "Today". */
  function adaptStaleToday(form) {
    if (location.pathname !== logUrl || !form.dataset.today) return false;
    var d = new Date();
    var local = d.getFullYear() + "-" + ("0" + (d.getMonth() + 1)).slice(-2) + "-" +
      ("0" + d.getDate()).slice(-2);
    // The usual case, a fresh page: skip the time-zone calendar (its first use
    // loads time-zone data, a noticeable pause on a phone).
    if (navigator.onLine && local === form.dataset.today) return false;
    var today = isoToday();
    if (form.dataset.today >= today) return false;
    var from = form.dataset.day;
    form.dataset.day = today;
    form.dataset.today = today;
    form.dataset.version = "";  // the phone has not seen today logged anywhere
    form.dataset.dayUrl = form.dataset.dayUrl.replace(from, today);
    var h1 = document.querySelector(".day-head h1");
    if (h1) {
      var small = document.createElement("small");
      small.textContent = dayLabel(today, true);
      h1.textContent = T.today;
      h1.appendChild(small);
    }
    document.title = T.today_title;
    var prev = document.querySelector(".day-head a.day-nav");
    if (prev) prev.href = form.dataset.dayUrl.replace(today, addDays(today, -1));
    var strip = document.getElementById("week-strip");
    if (strip) strip.hidden = true;  // it shows the week of the cached day
    form.querySelectorAll(".status, .msg-success").forEach(function (el) { el.remove(); });
    var line = document.createElement("p");
    line.className = "status";
    line.textContent = T.filled_in;
    var csrf = form.querySelector("input[name=csrfmiddlewaretoken]");
    if (csrf) csrf.after(line);
    return true;
  }

  // ---- the list of days kept on the phone ---------------------------------

  function describe(entries, note) {
    var items = entries.map(function (e) {
      return say(T.entry, { joint: jointLabel(e.joint), pain: e.pain, swelling: SWELLING[e.swelling] });
    });
    if (note) items.push(say(T.note, { note: note }));
    return items;
  }

  function fillList(ul, items) {
    items.forEach(function (text) {
      var li = document.createElement("li");
      li.textContent = text;
      ul.appendChild(li);
    });
  }

  function conflictCard(day) {
    var card = document.getElementById("conflict-card").content.firstElementChild.cloneNode(true);
    card.dataset.day = day.day;
    card.querySelector(".conflict-title").textContent = say(T.two_versions, { day: dayLabel(day.day) });
    card.querySelector(".conflict-mine-when").textContent = say(T.saved_when, { when: whenLabel(day.saved_at) });
    card.querySelector(".conflict-theirs-when").textContent = say(T.saved_when, { when: whenLabel(day.stored.version) });
    fillList(card.querySelector(".conflict-mine ul"), describe(day.entries, day.note));
    fillList(card.querySelector(".conflict-theirs ul"), describe(day.stored.entries, day.stored.note));
    card.querySelector("[data-keep=mine]").addEventListener("click", function () {
      // Sent again as based on the version it now knows about, so the server takes it.
      Q.settle(day, { status: "pending", based_on: day.stored.version, stored: null })
        .then(function () { return render(false); })
        .then(sendNow);
    });
    card.querySelector("[data-keep=theirs]").addEventListener("click", function () {
      Q.discard(day.key).then(function () {
        var form = dayForm();
        if (form && form.dataset.day === day.day) {
          fillForm(form, day.stored.entries, day.stored.note);
          form.dataset.version = day.stored.version;
          setFormStatus(form, "theirs");
        }
        refreshPages(day);
        return render(false);
      });
    });
    return card;
  }

  function refusedCard(day) {
    var card = document.createElement("div");
    card.className = "msg msg-error";
    card.setAttribute("role", "alert");
    var p = document.createElement("p");
    p.textContent = say(T.not_saved, { day: dayLabel(day.day), errors: (day.errors || []).join(" ") });
    var button = document.createElement("button");
    button.type = "button";
    button.className = "btn";
    button.textContent = T.remove;
    button.addEventListener("click", function () { Q.discard(day.key).then(function () { render(false); }); });
    card.append(p, button);
    return card;
  }

  function pendingLine(days) {
    var p = document.createElement("p");
    p.className = "msg msg-offline";
    p.appendChild(document.createTextNode(sayCount(T.pending_days, days.length)));
    days.forEach(function (day, i) {
      var a = document.createElement("a");
      a.href = day.url;
      a.textContent = dayLabel(day.day);
      if (i) p.appendChild(document.createTextNode(", "));
      p.appendChild(a);
    });
    return p;
  }

  // The database is made by the first day kept; until then there is nothing to read.
  var hasKept = null;
  function keptDays() {
    if (!canKeep || !user) return Promise.resolve([]);
    if (!hasKept) hasKept = Q.exists();
    return hasKept.then(function (yes) { return yes ? Q.forUser(user) : []; });
  }

  function render(firstTime) {
    if (!canKeep || !user) return Promise.resolve([]);
    return keptDays().then(function (days) {
      var section = document.getElementById("offline-days");
      if (section) {
        var list = section.querySelector(".offline-list");
        list.textContent = "";
        var shown = dayForm() && dayForm().dataset.day;
        // The day on the form says so itself; list the other days waiting.
        var pending = days.filter(function (d) { return d.status === "pending" && d.day !== shown; });
        if (pending.length) list.appendChild(pendingLine(pending));
        days.forEach(function (d) {
          if (d.status === "conflict") list.appendChild(conflictCard(d));
          if (d.status === "refused") list.appendChild(refusedCard(d));
        });
        section.querySelector(".offline-banner").hidden = navigator.onLine;
        section.hidden = !list.childElementCount && navigator.onLine;
      }
      var today = days.length ? isoToday() : null;
      document.querySelectorAll("#week-strip a").forEach(function (a) {
        var href = a.getAttribute("href");
        a.classList.toggle("kept", days.some(function (d) {
          return d.status === "pending" && (d.url === href || (href === logUrl && d.day === today));
        }));
      });
      var form = dayForm();
      if (!form) return days;
      var mine = days.filter(function (d) { return d.day === form.dataset.day; })[0];
      if (mine && firstTime) fillForm(form, mine.entries, mine.note);
      if (mine) setFormStatus(form, mine.status);
      if (!mine && firstTime && form.dataset.adapted) {
        // Prefill today from the newest day kept on the phone, if newer than the cached page.
        var earlier = days.filter(function (d) { return d.day < form.dataset.day; }).pop();
        if (earlier && earlier.day > form.dataset.adapted) fillForm(form, earlier.entries, "");
      }
      return days;
    }).catch(function () { return []; });
  }

  // ---- keeping, sending, refreshing --------------------------------------

  function keepForm(form) {
    return Q.keep(readForm(form)).then(function () {
      hasKept = Promise.resolve(true);
      Q.setCurrentUser(user).catch(function () {});
      setFormStatus(form, "pending");
      if (navigator.serviceWorker) {
        navigator.serviceWorker.ready.then(function (reg) {
          // Background Sync: the worker sends it when the signal returns, even
          // if this page is closed by then (where the browser supports it).
          if (reg.sync) return reg.sync.register(Q.SYNC_TAG);
        }).catch(function () {});
      }
      return render(false);
    }, function () { setFormStatus(form, "not-kept"); });
  }

  // Fetch a day's pages again so the worker's cached copies show what is stored now.
  function refreshPages(day) {
    var urls = [day.url];
    if (day.day === isoToday()) urls.push(logUrl);
    urls.forEach(function (url) { fetch(url, { credentials: "same-origin" }).catch(function () {}); });
  }

  function sendNow() {
    if (!canKeep || !user || !navigator.onLine) return Promise.resolve([]);
    return keptDays().then(function (days) {
      return days.length ? Q.send(user, { csrf: csrfToken() }) : [];
    }).then(function (results) {
      var form = dayForm();
      results.forEach(function (r) {
        if (r.outcome !== "sent") return;
        refreshPages(r.day);
        if (form && form.dataset.day === r.day.day) {
          form.dataset.version = r.version || "";
          setFormStatus(form, "sent");
        }
      });
      return render(false).then(function () { return results; });
    }).catch(function () { return []; });
  }

  /* While online, have the worker cache this week's log pages, so they open
     with no signal later; at most every few hours per page (each is a render). */
  function warm() {
    var sw = navigator.serviceWorker;
    if (!sw || !navigator.onLine) return;
    if (!sw.controller) {
      // First visit: the worker is still installing; it takes over this page when ready.
      sw.addEventListener("controllerchange", warm, { once: true });
      return;
    }
    var urls = [logUrl];
    document.querySelectorAll("#week-strip a").forEach(function (a) { urls.push(a.getAttribute("href")); });
    var now = Date.now();
    // This page too: on a first visit it arrived before the worker was there to keep it.
    urls.push(location.pathname);
    urls.filter(function (url, i) { return urls.indexOf(url) === i; })
      .forEach(function (url) {
        var key = "tmo-warm:" + url;
        if (now - Number(localStorage.getItem(key) || 0) < WARM_EVERY_MS) return;
        fetch(url, { credentials: "same-origin" }).then(function (r) {
          if (r.ok) localStorage.setItem(key, String(Date.now()));
        }).catch(function () {});
      });
  }

  function forgetPages() {
    Object.keys(localStorage).forEach(function (k) {
      if (k.indexOf("tmo-warm:") === 0) localStorage.removeItem(k);
    });
    return window.caches && Q ? caches.delete(Q.PAGES_CACHE) : Promise.resolve();
  }

  // Everything this app keeps on the phone: queue, caches, the worker itself.
  function clearPhone() {
    var jobs = [];
    if (canKeep) jobs.push(Q.clearAll());
    if (window.caches) {
      jobs.push(caches.keys().then(function (names) {
        return Promise.all(names.map(function (n) { return caches.delete(n); }));
      }));
    }
    if (navigator.serviceWorker) {
      jobs.push(navigator.serviceWorker.getRegistrations().then(function (regs) {
        return Promise.all(regs.map(function (r) { return r.unregister(); }));
      }));
    }
    Object.keys(localStorage).forEach(function (k) {
      if (k.indexOf("tmo-") === 0) localStorage.removeItem(k);
    });
    return Promise.all(jobs);
  }

  /* Logging out wipes the phone (the server also sends Clear-Site-Data). Days
     still waiting are sent first if possible; otherwise the patient is asked. */
  function onLogout(event, form) {
    event.preventDefault();
    var waiting = canKeep && user ? Q.forUser(user) : Promise.resolve([]);
    waiting.then(function (days) {
      if (days.length && navigator.onLine) {
        return sendNow().then(function () { return Q.forUser(user); });
      }
      return days;
    }).then(function (left) {
      if (!left.length) return true;
      return window.confirm(sayCount(T.logout_confirm, left.length));
    }).catch(function () { return true; }).then(function (go) {
      if (!go) return;
      clearPhone().catch(function () {}).then(function () { form.submit(); });
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (logoutUrl && form.getAttribute("action") === logoutUrl) {
      onLogout(event, form);
      return;
    }
    if (form.id !== "day-form" || navigator.onLine || !canKeep || !user) return;
    // Offline: keep the day here instead of letting htmx (or the browser) fail.
    event.preventDefault();
    event.stopImmediatePropagation();
    keepForm(form);
  }, true);

  // Online in name only (one bar, a captive portal): the request itself failed.
  function onRequestFailed(event) {
    var form = dayForm();
    if (!form || !canKeep || !user) return;
    var elt = event.detail && event.detail.elt;
    if (elt === form) keepForm(form);
    else if (elt && form.contains(elt)) setFormStatus(form, "network");
  }
  document.addEventListener("htmx:sendError", onRequestFailed);
  document.addEventListener("htmx:timeout", onRequestFailed);

  // Saved online through the form: that supersedes a copy kept on the phone.
  document.addEventListener("htmx:afterRequest", function (event) {
    var d = event.detail || {};
    if (!user || !canKeep || !d.successful || !d.elt || d.elt.id !== "day-form") return;
    if (!d.requestConfig || d.requestConfig.verb !== "post") return;
    var form = dayForm();  // the form htmx swapped in
    if (!form) return;
    var day = { day: form.dataset.day, url: form.dataset.dayUrl };
    Q.discard(user + "|" + day.day).then(function () { return render(false); });
    refreshPages(day);
  });

  window.addEventListener("online", function () { render(false).then(sendNow); });
  window.addEventListener("offline", function () { render(false); });

  function init() {
    if (user === null) return;  // the worker's offline page: nobody to act for
    if (!user) {
      // Signed out (or the session ended): no private page stays in the cache,
      // and the worker sends nobody's days until someone signs in.
      if (localStorage.getItem("tmo-user")) forgetPages();
      localStorage.removeItem("tmo-user");
      if (canKeep) Q.exists().then(function (yes) { if (yes) return Q.setCurrentUser(""); }).catch(function () {});
      return;
    }
    var changed = localStorage.getItem("tmo-user") !== user;
    if (changed) {
      // Another account used this phone before: drop its pages (and its days, below).
      forgetPages();
      localStorage.setItem("tmo-user", user);
    }
    if (canKeep) {
      keptDays();  // starts the look-up once
      hasKept.then(function (yes) {
        if (!yes) return;
        return (changed ? Q.dropOthers(user) : Promise.resolve()).then(function () {
          return Q.setCurrentUser(user);
        });
      }).catch(function () {});
    }
    if (swUrl && navigator.serviceWorker) {
      // Its own task: registering starts the worker's install.
      step(function () { navigator.serviceWorker.register(swUrl).catch(function () {}); });
      navigator.serviceWorker.addEventListener("message", function (event) {
        if (event.data && event.data.type === "tmo-days-sent") {
          var form = dayForm();
          (event.data.sent || []).forEach(function (s) {
            if (form && form.dataset.day === s.day) {
              form.dataset.version = s.version || "";
              setFormStatus(form, "sent");
            }
          });
          render(false);
        }
      });
    }
    var form = dayForm();
    if (!form) {
      step(sendNow);  // days waiting on the phone go out from any page
      return;
    }
    var from = form.dataset.day;
    if (adaptStaleToday(form)) form.dataset.adapted = from;
    step(function () {
      render(true).then(function () {
        if (navigator.onLine) return sendNow();
      }).then(function () { setTimeout(warm, 1500); });
    });
  }

  /* Online, the page the patient opened comes first: start once it has loaded
     and the phone is idle, each step in its own short task. Offline, at once:
     the patient must see what is kept on the phone. */
  var idle = window.requestIdleCallback || function (fn) { setTimeout(fn, 50); };
  function step(fn) {
    if (!navigator.onLine) fn();
    else idle(fn, { timeout: 2000 });
  }
  if (!navigator.onLine || document.readyState === "complete") step(init);
  else window.addEventListener("load", function () { step(init); }, { once: true });
})();
