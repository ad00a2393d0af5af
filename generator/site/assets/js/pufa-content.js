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
    if (document.querySelector(".pufa-projector-toggle")) setSlides(on);
    try { window.sessionStorage.setItem(PROJECTOR_CLASS, on ? "1" : "0"); } catch (e) { /* private mode */ }
    var buttons = document.querySelectorAll(".pufa-projector-toggle");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].setAttribute("aria-pressed", on ? "true" : "false");
      buttons[i].textContent = on ? "退出投影模式" : "投影模式";
    }
  }

  /* Projector slides: one section (a heading and what follows, up to the next h2) per
     screen; ← / → (also PageUp / PageDown, space) and the on-screen buttons move between
     them; the address keeps the slide (#slide-3) so a reload stays put. */
  var slides = null, slideAt = 0;

  function slideParts() {
    var article = document.querySelector(".md-content__inner");
    if (!article) return [];
    var parts = [];
    Array.prototype.forEach.call(article.children, function (el) {
      if (el.classList.contains("pufa-page")) {
        Array.prototype.forEach.call(el.children, function (child) { parts.push(child); });
      } else {
        parts.push(el);
      }
    });
    return parts.filter(function (el) {
      return !el.matches(".pufa-print-only, .pufa-crumbs, script, style, #pufa-main");
    });
  }

  function buildSlides() {
    var groups = [[]];
    slideParts().forEach(function (el) {
      if (el.tagName === "H2" && groups[groups.length - 1].length) groups.push([]);
      groups[groups.length - 1].push(el);
    });
    return groups.length > 1 ? groups : null;
  }

  function slideNav() {
    var nav = document.querySelector(".pufa-slide-nav");
    if (nav) return nav;
    nav = document.createElement("div");
    nav.className = "pufa-slide-nav pufa-no-print";
    nav.setAttribute("role", "group");
    nav.setAttribute("aria-label", "幻灯片");
    nav.innerHTML = '<button type="button" data-slide="-1">‹ 上一页</button>'
      + '<span class="pufa-slide-nav__at" aria-live="polite"></span>'
      + '<button type="button" data-slide="1">下一页 ›</button>'
      + '<button type="button" data-slide-exit>退出投影</button>';
    nav.addEventListener("click", function (ev) {
      if (ev.target.closest && ev.target.closest("button[data-slide-exit]")) { setProjector(false); return; }
      var b = ev.target.closest && ev.target.closest("button[data-slide]");
      if (b) showSlide(slideAt + parseInt(b.getAttribute("data-slide"), 10));
    });
    document.body.appendChild(nav);
    return nav;
  }

  function showSlide(n) {
    if (!slides) return;
    slideAt = Math.max(0, Math.min(slides.length - 1, n));
    slides.forEach(function (group, i) {
      group.forEach(function (el) { el.classList.toggle("pufa-slide-off", i !== slideAt); });
    });
    var nav = slideNav();
    nav.hidden = false;
    nav.querySelector(".pufa-slide-nav__at").textContent = (slideAt + 1) + " / " + slides.length;
    nav.querySelector('[data-slide="-1"]').disabled = slideAt === 0;
    nav.querySelector('[data-slide="1"]').disabled = slideAt === slides.length - 1;
    if (window.history && history.replaceState) history.replaceState(history.state, "", "#slide-" + (slideAt + 1));
    window.scrollTo(0, 0);
  }

  function setSlides(on) {
    if (on) {
      slides = slides || buildSlides();
      var m = /^#slide-(\d+)$/.exec(window.location.hash);
      showSlide(m ? parseInt(m[1], 10) - 1 : slideAt);
    } else {
      var off = document.querySelectorAll(".pufa-slide-off");
      for (var i = 0; i < off.length; i++) off[i].classList.remove("pufa-slide-off");
      var nav = document.querySelector(".pufa-slide-nav");
      if (nav) nav.hidden = true;
    }
  }

  document.addEventListener("keydown", function (ev) {
    if (!slides || !document.documentElement.classList.contains(PROJECTOR_CLASS)) return;
    var t = ev.target;
    if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable)) return;
    if (ev.key === "ArrowRight" || ev.key === "PageDown" || (ev.key === " " && t.tagName !== "BUTTON")) {
      ev.preventDefault(); showSlide(slideAt + 1);
    } else if (ev.key === "ArrowLeft" || ev.key === "PageUp") {
      ev.preventDefault(); showSlide(slideAt - 1);
    } else if (ev.key === "Escape") {
      setProjector(false);
    }
  });

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
