/* 适老化 and sharing controls of every page (overrides/main.html): text size (standard /
   大字 / 超大字) and high contrast, remembered in localStorage and applied before the first
   paint by the inline script in the page head; read-aloud of the main content where the
   browser has speech synthesis (the button stays hidden where it does not); copy-link /
   share that works inside WeChat without its JS-SDK. No pop-ups: messages go to the
   toolbar's status line. No outside requests, no libraries. */
(function () {
  "use strict";

  var root = document.documentElement;

  function store(key, value) {
    try { window.localStorage.setItem(key, value); } catch (e) { /* private mode: this page only */ }
  }

  function say(text) {
    var status = document.querySelector(".pufa-tools__status");
    if (status) status.textContent = text;
  }

  function setSize(size, keep) {
    if (size === "large" || size === "xlarge") root.setAttribute("data-pufa-size", size);
    else { root.removeAttribute("data-pufa-size"); size = "standard"; }
    if (!keep) store("pufa-size", size);
    var buttons = document.querySelectorAll("button[data-pufa-size]");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].setAttribute("aria-pressed", buttons[i].getAttribute("data-pufa-size") === size ? "true" : "false");
    }
  }

  function setContrast(on) {
    if (on) root.setAttribute("data-pufa-contrast", "high"); else root.removeAttribute("data-pufa-contrast");
    store("pufa-contrast", on ? "high" : "normal");
    var button = document.querySelector("button[data-pufa-contrast]");
    if (button) button.setAttribute("aria-pressed", on ? "true" : "false");
  }

  /* The text a reader would hear: the article without controls, navigation and code. */
  function mainText() {
    var article = document.querySelector(".md-content__inner");
    if (!article) return "";
    var copy = article.cloneNode(true);
    var skip = copy.querySelectorAll("[data-pagefind-ignore], nav, button, form, script, style, svg, video, .pufa-no-read, [hidden]");
    for (var i = 0; i < skip.length; i++) skip[i].parentNode.removeChild(skip[i]);
    return (copy.textContent || "").replace(/\s+/g, " ").trim();
  }

  /* Chrome stops a long utterance after ~15 s: speak sentence by sentence. */
  function sentences(text) {
    var parts = text.match(/[^。！？!?；;]+[。！？!?；;]?/g) || [];
    var out = [];
    for (var i = 0; i < parts.length; i++) {
      var part = parts[i].trim();
      while (part.length > 120) { out.push(part.slice(0, 120)); part = part.slice(120); }
      if (part) out.push(part);
    }
    return out;
  }

  function bindRead() {
    var button = document.querySelector("button[data-pufa-read]");
    var synth = window.speechSynthesis;
    if (!button || !synth || typeof window.SpeechSynthesisUtterance !== "function") return;
    button.hidden = false;
    var reading = false;
    function stop() {
      reading = false;
      synth.cancel();
      button.setAttribute("aria-pressed", "false");
      button.textContent = "朗读正文";
    }
    button.addEventListener("click", function () {
      if (reading) { stop(); say("已停止朗读"); return; }
      var queue = sentences(mainText());
      if (!queue.length) return;
      reading = true;
      button.setAttribute("aria-pressed", "true");
      button.textContent = "停止朗读";
      say("正在朗读正文");
      queue.forEach(function (text, i) {
        var u = new window.SpeechSynthesisUtterance(text);
        u.lang = "zh-CN";
        u.rate = 0.9;
        if (i === queue.length - 1) u.onend = function () { if (reading) stop(); };
        synth.speak(u);
      });
    });
    window.addEventListener("pagehide", function () { synth.cancel(); });
  }

  /* Copy the address. navigator.clipboard needs a secure context and is missing in some
     in-app browsers: fall back to a selected text field and execCommand, and when that
     fails too, leave the address selected in the field for a long press. */
  function copyLink(url, done) {
    function fallback() {
      var field = document.querySelector(".pufa-tools__url");
      if (!field) {
        field = document.createElement("input");
        field.className = "pufa-tools__url";
        field.setAttribute("aria-label", "本页链接");
        field.readOnly = true;
        var tools = document.querySelector(".pufa-tools");
        if (tools) tools.appendChild(field);
      }
      field.value = url;
      field.hidden = false;
      field.focus();
      field.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      done(ok);
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(url).then(function () { done(true); }, fallback);
    } else {
      fallback();
    }
  }

  function bindShare() {
    var button = document.querySelector("button[data-pufa-share]");
    if (!button) return;
    var wechat = /MicroMessenger/i.test(navigator.userAgent);
    button.addEventListener("click", function () {
      var url = window.location.href;
      copyLink(url, function (ok) {
        var hint = wechat ? "；也可点右上角“···”发送给朋友" : "";
        say((ok ? "链接已复制，可以粘贴发送" : "请长按上面的链接复制") + hint);
      });
    });
  }

  /* 返回列表: back to the listing (with its filters) or search the reader came from, when
     the previous page of this site is one of the link's scopes ("cases/$": exactly that
     page; "cases/category/": anything under it). Otherwise the link keeps its default. */
  function siteRoot() {
    try {
      var base = JSON.parse(document.getElementById("__config").textContent).base || ".";
      return new URL(base.replace(/\/*$/, "/"), location.href);
    } catch (e) { return null; }
  }

  function bindBack() {
    var link = document.querySelector("a[data-pufa-back]");
    var root = siteRoot();
    if (!link || !root || !document.referrer) return;
    var from;
    try { from = new URL(document.referrer); } catch (e) { return; }
    if (from.origin !== location.origin || from.pathname === location.pathname) return;
    if (from.pathname.indexOf(root.pathname) !== 0) return;
    var rel = from.pathname.slice(root.pathname.length);
    var scopes = (link.getAttribute("data-pufa-back") || "").split(/\s+/);
    for (var i = 0; i < scopes.length; i++) {
      var scope = scopes[i];
      if (!scope) continue;
      var exact = scope.charAt(scope.length - 1) === "$";
      var path = exact ? scope.slice(0, -1) : scope;
      if (exact ? (rel === path || rel === path + "index.html") : rel.indexOf(path) === 0) {
        link.href = from.href;
        return;
      }
    }
  }

  function bind() {
    var buttons = document.querySelectorAll("button[data-pufa-size]");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].addEventListener("click", function () { setSize(this.getAttribute("data-pufa-size")); });
    }
    setSize(root.getAttribute("data-pufa-size") || "standard", true);
    var contrast = document.querySelector("button[data-pufa-contrast]");
    if (contrast) {
      contrast.addEventListener("click", function () { setContrast(root.getAttribute("data-pufa-contrast") !== "high"); });
      contrast.setAttribute("aria-pressed", root.getAttribute("data-pufa-contrast") === "high" ? "true" : "false");
    }
    bindRead();
    bindShare();
    bindBack();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", bind);
  else bind();
})();
