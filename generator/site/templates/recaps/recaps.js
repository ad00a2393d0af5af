/* Livestream recaps and transcripts: a click on anything with data-start seeks the page's
   player ([data-pufa-player]) to that time; an address ending in #id of such an element
   (a search hit, a chapter link from another page) seeks there on load; the line being
   spoken is marked while the player runs. No-op on pages without a player. */
(function () {
  "use strict";
  function player() { return document.querySelector("[data-pufa-player]"); }

  function seek(p, seconds, play) {
    var go = function () {
      try { p.currentTime = seconds; } catch (e) { /* not seekable yet */ }
      if (play && p.play) { var r = p.play(); if (r && r.catch) { r.catch(function () {}); } }
    };
    if (p.readyState >= 1) { go(); } else { p.addEventListener("loadedmetadata", go, { once: true }); if (p.preload === "none") { p.preload = "metadata"; } }
  }

  function startOf(el) {
    var value = parseFloat(el.getAttribute("data-start"));
    return isNaN(value) ? null : value;
  }

  document.addEventListener("click", function (ev) {
    var p = player();
    if (!p || !ev.target.closest) { return; }
    var el = ev.target.closest("[data-start]:not(section)");
    if (!el) { return; }
    var link = ev.target.closest("a");
    if (link && link !== el) { return; }            // a link inside a line: just follow it
    if (link && link.pathname !== location.pathname) { return; }  // another page seeks on load
    var seconds = startOf(el);
    if (seconds === null) { return; }
    seek(p, seconds, true);
  });

  function seekToHash() {
    var p = player();
    if (!p || location.hash.length < 2) { return; }
    var el = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    var seconds = el ? startOf(el) : null;
    if (seconds !== null) { seek(p, seconds, false); }
  }

  function markCurrent() {
    var p = player();
    if (!p) { return; }
    var lines = Array.prototype.slice.call(document.querySelectorAll(".pufa-recap-line[data-start]"));
    if (!lines.length) { return; }
    var starts = lines.map(startOf);
    var current = null;
    p.addEventListener("timeupdate", function () {
      var t = p.currentTime, lo = 0, hi = starts.length - 1, found = -1;
      while (lo <= hi) { var mid = (lo + hi) >> 1; if (starts[mid] <= t + 0.05) { found = mid; lo = mid + 1; } else { hi = mid - 1; } }
      var line = found >= 0 ? lines[found] : null;
      if (line !== current) {
        if (current) { current.classList.remove("is-current"); }
        if (line) { line.classList.add("is-current"); }
        current = line;
      }
    });
  }

  /* For the site search: a hit in a livestream transcript links to the chapter or minute
     heading where it occurs (a Pagefind sub-result), not just to the page. */
  window.pufaMomentUrl = function (query, data) {
    if (!data || !/\/livestreams\//.test(data.url || "") || !data.sub_results) { return null; }
    var q = (query || "").replace(/\s+/g, "");
    var best = null, bestCount = 0;
    data.sub_results.forEach(function (sub) {
      if (!sub.url || sub.url.indexOf("#") < 0) { return; }
      var text = (sub.excerpt || "").replace(/<[^>]*>/g, "").replace(/\s+/g, "");
      var count = (sub.locations || []).length + (q && text.indexOf(q) >= 0 ? 1000 : 0);
      if (count > bestCount) { best = sub.url; bestCount = count; }
    });
    return best;
  };

  /* Keyboard: every transcript line and chapter heading is a stop in the tab order, and
     Enter (or Space) seeks the player there, as a click does. */
  function keyboardLines() {
    if (!player()) { return; }
    var els = document.querySelectorAll(".pufa-recap-line[data-start], .pufa-recap-chapter-head[data-start], .pufa-recap-mark[data-start], .pufa-transcript [data-start]");
    for (var i = 0; i < els.length; i++) {
      var el = els[i];
      if (el.querySelector("a")) { continue; }        // a line with a link: the link is the stop
      if (/^H[1-6]$/.test(el.tagName)) {
        // A heading stays a heading (screen readers list them; role=button is not allowed on
        // it): its text goes into a span that is the button.
        var inner = document.createElement("span");
        while (el.firstChild) { inner.appendChild(el.firstChild); }
        inner.setAttribute("data-start", el.getAttribute("data-start"));
        el.appendChild(inner);
        el = inner;
      }
      el.setAttribute("tabindex", "0");
      el.setAttribute("role", "button");
      var time = el.querySelector("time");
      if (time) { el.setAttribute("aria-description", "按回车键从 " + time.textContent + " 开始播放"); }
    }
    document.addEventListener("keydown", function (ev) {
      if (ev.key !== "Enter" && ev.key !== " ") { return; }
      var el = ev.target;
      if (!el || !el.getAttribute || el.getAttribute("role") !== "button" || !el.hasAttribute("data-start")) { return; }
      var p = player(), seconds = startOf(el);
      if (!p || seconds === null) { return; }
      ev.preventDefault();
      seek(p, seconds, true);
    });
  }

  function init() { seekToHash(); markCurrent(); keyboardLines(); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
  window.addEventListener("hashchange", seekToHash);
})();
