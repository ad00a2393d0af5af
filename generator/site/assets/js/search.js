/* pufa search: Pagefind's JS API (self-hosted under pagefind/), our own small UI.
   Exact-phrase matches are ranked first: Pagefind also matches pages holding only the
   parts of a compound query (网约车 → 网 约 车), which must not outrank real matches.
   Every piece of result text is put in the page with textContent, never as HTML. */
(function () {
  "use strict";

  function siteRoot() {
    var base = ".";
    var config = document.getElementById("__config");
    if (config) {
      try { base = JSON.parse(config.textContent).base || "."; } catch (e) { /* keep "." */ }
    }
    return new URL(base.replace(/\/*$/, "/"), location.href);
  }

  var pagefindReady = null;
  function pagefind() {
    if (!pagefindReady) {
      var root = siteRoot();
      // A large site's index is split into shards (pufa-shards.json lists the ones after
      // pagefind/ itself), so that changing one case re-indexes one shard; Pagefind
      // searches them as one (mergeIndex), loading its WebAssembly once.
      var shards = fetch(new URL("pagefind/pufa-shards.json", root).href).then(function (r) {
        return r.ok ? r.json() : [];
      }).catch(function () { return []; });
      pagefindReady = Promise.all([import(new URL("pagefind/pagefind.js", root).href), shards]).then(function (got) {
        var pf = got[0];
        return Promise.resolve(pf.options({ baseUrl: root.pathname })).then(function () {
          return Promise.all(got[1].map(function (dir) {
            return pf.mergeIndex(new URL(dir, root).pathname, { baseUrl: root.pathname });
          }));
        }).then(function () {
          pf.init();
          return pf;
        });
      });
    }
    return pagefindReady;
  }

  function plain(text) {
    // Pagefind stores content HTML-escaped; decode entities without parsing markup.
    var area = document.createElement("textarea");
    area.innerHTML = text || "";
    return area.value;
  }

  function phraseScore(query, data) {
    var q = query.replace(/\s+/g, "");
    if (!q) return 0;
    var title = plain((data.meta && data.meta.title) || "").replace(/\s+/g, "");
    var content = plain(data.content || "").replace(/\s+/g, "");
    if (title.indexOf(q) >= 0) return 2;
    // The query names the result's category (超限超载, 网约车): as good as a title match,
    // and among those the kind order puts cases first.
    var cats = (data.filters && data.filters.category) || [];
    for (var c = 0; c < cats.length; c++) {
      if (plain(cats[c]).replace(/\s+/g, "").indexOf(q) >= 0) return 2;
    }
    if (content.indexOf(q) >= 0) return 1;
    return 0;
  }

  function excerptNode(query, data) {
    var text = plain(data.content || "").replace(/\s+/g, " ");
    var q = query.trim();
    var at = q ? text.indexOf(q) : -1;
    var start = Math.max(0, (at >= 0 ? at : 0) - 24);
    var snippet = text.slice(start, start + 90);
    var p = document.createElement("p");
    p.className = "pufa-result__excerpt";
    if (start > 0) p.appendChild(document.createTextNode("…"));
    var i = q ? snippet.indexOf(q) : -1;
    if (i >= 0) {
      p.appendChild(document.createTextNode(snippet.slice(0, i)));
      var mark = document.createElement("mark");
      mark.textContent = q;
      p.appendChild(mark);
      p.appendChild(document.createTextNode(snippet.slice(i + q.length)));
    } else {
      p.appendChild(document.createTextNode(snippet));
    }
    if (start + 90 < text.length) p.appendChild(document.createTextNode("…"));
    return p;
  }

  // What a result is, from the page's Pagefind filter `type` (set by each section), in
  // the words of the issue readers know: 案例 / 法条 / 清单 / 视频 / 课程 / 直播.
  var KIND_LABELS = { "案例": "案例", "法律法规": "法条", "裁量清单": "清单", "视频": "视频", "课程": "课程", "直播": "直播", "数据公开": "数据" };
  // Ties in phrase matching go to cases first: a reader who types 网约车 wants cases
  // before lesson plans that mention it.
  var KIND_ORDER = { "案例": 0, "法律法规": 1, "裁量清单": 2, "视频": 3, "直播": 4, "课程": 5, "数据公开": 6 };
  function kindOf(data) {
    var t = data && data.filters && data.filters.type;
    return t && t.length ? t[0] : "";
  }
  function kindRank(data) {
    var r = KIND_ORDER[kindOf(data)];
    return r === undefined ? 9 : r;
  }

  // The query and filters live in the address (?q=…), so Back to the search (or the home
  // page) shows the same query and results, and a search can be shared.
  function remember(query, filters) {
    if (!window.history || !history.replaceState) return;
    var params = new URLSearchParams(location.search);
    params.delete("q");
    ["type", "category", "year"].forEach(function (n) { params.delete(n); });
    if (query) params.set("q", query);
    Object.keys(filters || {}).forEach(function (n) { params.set(n, filters[n]); });
    var search = params.toString();
    var url = location.pathname + (search ? "?" + search : "") + location.hash;
    if (url !== location.pathname + location.search + location.hash) history.replaceState(history.state, "", url);
  }

  function resultItem(query, data) {
    var li = document.createElement("li");
    li.className = "pufa-result";
    var a = document.createElement("a");
    a.className = "pufa-result__title";
    a.href = (window.pufaMomentUrl && window.pufaMomentUrl(query, data)) || data.url;   // recaps.js
    a.textContent = plain((data.meta && data.meta.title) || data.url);
    li.appendChild(a);
    var bits = [];
    var kind = kindOf(data);
    if (kind) {
      var label = document.createElement("span");
      label.className = "pufa-result__kind";
      label.textContent = KIND_LABELS[kind] || kind;
      li.insertBefore(label, a);
      li.insertBefore(document.createTextNode(" "), a);
    }
    if (data.meta && data.meta.category) bits.push(plain(data.meta.category));
    if (data.meta && data.meta.date) bits.push(plain(data.meta.date));
    if (bits.length) {
      var meta = document.createElement("div");
      meta.className = "pufa-result__meta";
      meta.textContent = bits.join(" · ");
      li.appendChild(meta);
    }
    li.appendChild(excerptNode(query, data));
    return li;
  }

  // Results whose text is loaded to rank exact phrases first: two pages of results. Each
  // is a fetch and an excerpt computed by Pagefind (~3 ms); 40 cost ~60 ms more of a
  // first search that must show results within 0.5 s.
  var RANK_WINDOW = 20;

  function setup(form) {
    var mode = form.getAttribute("data-pufa-search");
    var limit = parseInt(form.getAttribute("data-limit") || "10", 10);
    var input = form.querySelector("input[name=q]");
    var list = form.querySelector(".pufa-search__results");
    var status = form.querySelector(".pufa-search__status");
    var more = form.querySelector(".pufa-search__more");
    var selects = Array.prototype.slice.call(form.querySelectorAll("select[data-filter]"));
    // ranked: loaded results in display order; rest: the results after the ranking
    // window, in Pagefind's order, loaded a page at a time when "more" asks for them.
    var ranked = [], rest = [], shown = 0, serial = 0, timer = null, lastQuery = "";

    function filters() {
      var out = {};
      selects.forEach(function (s) { if (s.value) out[s.getAttribute("data-filter")] = s.value; });
      return out;
    }

    function showMore() {
      if (mode !== "live" && ranked.length < shown + limit && rest.length) {
        var mine = serial, page = rest.splice(0, limit);
        if (more) more.hidden = true;
        Promise.all(page.map(function (r) { return r.data(); })).then(function (datas) {
          if (mine !== serial) return;
          ranked = ranked.concat(datas);
          showMore();
        }).catch(function () {
          if (mine !== serial) return;
          rest = page.concat(rest);           // try again on the next click
          if (more) more.hidden = false;
        });
        return;
      }
      var next = ranked.slice(shown, shown + limit);
      shown += next.length;
      next.forEach(function (data) { list.appendChild(resultItem(lastQuery, data)); });
      if (more) {
        more.hidden = ranked.length <= shown && !rest.length;
        if (mode === "live") more.href = form.action + "?q=" + encodeURIComponent(lastQuery);
      }
    }

    var lastKey = null;

    function run() {
      var query = input.value.trim();
      // The same query and filters as the search already running (or shown): typing
      // starts a search, and Enter right after must not throw it away and start again.
      var key = JSON.stringify([query, filters()]);
      if (key === lastKey) return;
      lastKey = key;
      var mine = ++serial;
      lastQuery = query;
      remember(query, filters());
      if (!query) {
        ranked = [];
        rest = [];
        list.textContent = "";
        status.textContent = "";
        if (more) more.hidden = true;
        return;
      }
      status.textContent = "正在搜索…";
      pagefind().then(function (pf) {
        return pf.search(query, { filters: filters() });
      }).then(function (search) {
        if (mine !== serial) return null;
        var head = search.results.slice(0, RANK_WINDOW);
        rest = search.results.slice(RANK_WINDOW);
        return Promise.all(head.map(function (r) { return r.data(); })).then(function (datas) {
          if (mine !== serial) return;
          var order = datas.map(function (d, i) { return { d: d, i: i, s: phraseScore(query, d) }; });
          order.sort(function (a, b) { return (b.s - a.s) || (kindRank(a.d) - kindRank(b.d)) || (a.i - b.i); });
          ranked = order.map(function (o) { return o.d; });
          list.textContent = "";
          shown = 0;
          var total = search.results.length;
          status.textContent = total ? "找到 " + total + " 个结果" : "没有找到与“" + query + "”相关的内容";
          showMore();
        });
      }).catch(function (err) {
        if (mine === serial) lastKey = null;      // a failed search may be tried again
        status.textContent = "搜索暂不可用（" + (err && err.message ? err.message : err) + "）";
      });
    }

    function fillFilters() {
      if (!selects.length) return;
      pagefind().then(function (pf) { return pf.filters(); }).then(function (all) {
        selects.forEach(function (s) {
          var name = s.getAttribute("data-filter");
          var values = Object.keys(all[name] || {}).sort();
          if (name === "year") values.reverse();
          var wanted = new URLSearchParams(location.search).get(name) || "";
          values.forEach(function (v) {
            var o = document.createElement("option");
            o.value = v;
            o.textContent = v + "（" + all[name][v] + "）";
            s.appendChild(o);
          });
          if (wanted) s.value = wanted;
        });
        if (input.value.trim()) run();
      }).catch(function () { /* search itself reports the problem */ });
    }

    form.addEventListener("submit", function (e) {
      if (mode === "full") { e.preventDefault(); clearTimeout(timer); run(); }
    });
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var query = input.value.trim();
      // Fetch the index chunks for what is typed so far while the debounce waits.
      if (query) pagefind().then(function (pf) { return pf.preload(query, { filters: filters() }); }).catch(function () {});
      timer = setTimeout(run, 200);
    });
    selects.forEach(function (s) { s.addEventListener("change", run); });
    if (more && mode !== "live") more.addEventListener("click", showMore);

    var q = new URLSearchParams(location.search).get("q");
    if (q) input.value = q;
    if (selects.length) fillFilters(); else if (input.value.trim()) run();
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-pufa-search]"), function (form) {
      if (form.hasAttribute("data-pufa-ready")) return;
      form.setAttribute("data-pufa-ready", "");
      setup(form);
    });
  }
  // Material's instant navigation (if a project turns it on) swaps pages without reloading
  // scripts and announces each new page on document$.
  if (window.document$ && typeof window.document$.subscribe === "function") window.document$.subscribe(start);
  else if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
