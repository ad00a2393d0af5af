/* Content pages: printed link URLs, the projector view and the in-vehicle playlist.
   Included in every page; each part does nothing where its elements are absent.
   No outside requests, no libraries. */
(function () {
  "use strict";

  var PROJECTOR_CLASS = "pufa-projector";

  /* Print: each content link carries its absolute address for print.css to show. */
  function markPrintUrls(root) {
    var links = root.querySelectorAll(".md-typeset a[href]");
    for (var i = 0; i < links.length; i++) {
      var a = links[i];
      var raw = a.getAttribute("href") || "";
      if (raw.charAt(0) === "#" || a.classList.contains("headerlink")) continue;
      a.setAttribute("data-print-url", a.href);
    }
  }

  /* Projector: ?projector in the address, or the button; remembered for the tab only. */
  function projectorWanted() {
    if (/[?&]projector(=|&|$)/.test(window.location.search)) return true;
    try { return window.sessionStorage.getItem(PROJECTOR_CLASS) === "1"; } catch (e) { return false; }
  }

  function setProjector(on) {
    document.documentElement.classList.toggle(PROJECTOR_CLASS, on);
    try { window.sessionStorage.setItem(PROJECTOR_CLASS, on ? "1" : "0"); } catch (e) { /* private mode */ }
    var buttons = document.querySelectorAll(".pufa-projector-toggle");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].setAttribute("aria-pressed", on ? "true" : "false");
      buttons[i].textContent = on ? "退出投影模式" : "投影模式";
    }
  }

  function bindProjector() {
    setProjector(projectorWanted());
    var buttons = document.querySelectorAll(".pufa-projector-toggle");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].hidden = false;
      buttons[i].onclick = function () {
        setProjector(!document.documentElement.classList.contains(PROJECTOR_CLASS));
      };
    }
  }

  /* In-vehicle playlist: plays the listed short episodes one after another, for ever,
     muted (autoplay is allowed muted), filling the screen; no controls needed. */
  function startPlaylist() {
    var stage = document.querySelector("[data-pufa-playlist]");
    if (!stage || stage.getAttribute("data-started")) return;
    stage.setAttribute("data-started", "1");
    var video = stage.querySelector("video");
    var caption = stage.querySelector(".pufa-playlist-caption");
    var items = [];
    try { items = JSON.parse(stage.getAttribute("data-pufa-playlist")) || []; } catch (e) { items = []; }
    if (!video || !items.length) return;
    var index = 0;

    function play(i) {
      index = i % items.length;
      var item = items[index];
      video.src = item.src;
      if (item.poster) video.poster = item.poster;
      if (caption) caption.textContent = item.title;
      stage.setAttribute("data-current", String(index));
      var attempt = video.play();
      if (attempt && attempt.catch) attempt.catch(function () { /* shown paused; a tap starts it */ });
    }

    video.muted = true;
    video.loop = items.length === 1;
    video.addEventListener("ended", function () { play(index + 1); });
    // A broken file must not stop the screen: skip to the next one.
    video.addEventListener("error", function () { if (items.length > 1) play(index + 1); });
    stage.addEventListener("click", function () {
      if (video.paused) video.play();
      if (stage.requestFullscreen && !document.fullscreenElement) {
        stage.requestFullscreen().catch(function () { /* not allowed: stays full-window */ });
      }
    });
    play(0);
  }

  function bindPrint() {
    var buttons = document.querySelectorAll("[data-pufa-print]");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].hidden = false;
      buttons[i].onclick = function () { window.print(); };
    }
  }

  function init() {
    markPrintUrls(document);
    bindProjector();
    bindPrint();
    startPlaylist();
  }

  window.addEventListener("beforeprint", function () { markPrintUrls(document); });
  // mkdocs-material's instant navigation replaces the page without a load event.
  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(init);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
