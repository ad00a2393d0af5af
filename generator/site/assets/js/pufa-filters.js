/* Case listings that combine filters (类别 × 年份 × 裁量 × 办案方式), with counts for the
   current selection. The selection and the page live in the address
   (/cases/?category=wang-yue-che&year=2024&page=2, or on a facet listing such as
   类别：网约车, /cases/category/wang-yue-che/?year=2024), so it can be shared, reloaded, and
   Back and Forward return to it.

   Two kinds of file, both made by the build (generator/site/sections/cases.py):
   - cases/filters.json, fetched once: for every case (newest first) only the number of its
     value in each facet, as one string per facet (one character a case; ~20 KB gzip at
     10,000 cases). Results and every count come from one pass over these columns.
   - cases/cards/<n>.json: title, date, cause and decision of cases n*shard … by position,
     fetched only for the 20 results on the page shown (kept for the next change).
   Without scripts the page is the server-rendered listing and the chips are plain links to
   the one-facet listings. */
(function () {
  "use strict";
  var FACETS = ["category", "year", "discretion", "handling"];
  var PAGE = 20;

  function start() {
    var listing = document.querySelector("[data-pufa-listing]");
    if (!listing || listing.hasAttribute("data-pufa-ready")) return;
    listing.setAttribute("data-pufa-ready", "");
    var own = listing.getAttribute("data-facet") || "";       // the facet fixed by the path, if any
    var ownSlug = listing.getAttribute("data-slug") || "";
    var base = listing.getAttribute("data-base") || location.pathname;
    var root = listing.getAttribute("data-root") || "";
    var list = listing.querySelector(".pufa-cards");
    var count = listing.querySelector(".pufa-count");
    var pager = listing.querySelector(".pufa-pages");
    var chips = Array.prototype.slice.call(listing.querySelectorAll("a.pufa-chip[data-facet]"));
    chips.forEach(function (chip) { chip.setAttribute("data-static", chip.getAttribute("href")); });
    var original = { list: list ? list.innerHTML : "", count: count ? count.textContent : "",
                     counts: chips.map(function (c) { var s = c.querySelector("small"); return s ? s.textContent : ""; }) };
    var index = null, loading = null, shards = {}, drawn = 0;

    function params() { return new URLSearchParams(location.search); }

    // The reader's choices (facet → slug), without the page's own facet.
    function selection() {
      var p = params(), out = {};
      FACETS.forEach(function (name) { if (name !== own && p.get(name)) out[name] = p.get(name); });
      return out;
    }

    function pageNumber() {
      var n = parseInt(params().get("page") || "1", 10);
      return n > 0 ? n : 1;
    }

    function query(sel, page) {
      var p = new URLSearchParams();
      FACETS.forEach(function (name) { if (sel[name]) p.set(name, sel[name]); });
      if (page > 1) p.set("page", String(page));
      var text = p.toString();
      return text ? "?" + text : "";
    }

    var everything = listing.querySelector(".pufa-facets a.pufa-chip:not([data-facet])");   // 全部

    function linkChips(sel) {
      if (everything && !own) everything.classList.toggle("pufa-chip--on", !Object.keys(sel).length);
      chips.forEach(function (chip) {
        var name = chip.getAttribute("data-facet"), slug = chip.getAttribute("data-slug");
        if (name === own) {
          // Another value of the page's own facet is another listing: go there, keeping the
          // other choices; the current one, chosen again, is dropped (the full listing).
          chip.href = (slug === ownSlug ? root + "cases/" : chip.getAttribute("data-static")) + query(sel, 1);
          return;
        }
        var next = {};
        Object.keys(sel).forEach(function (k) { next[k] = sel[k]; });
        var on = sel[name] === slug;
        if (on) delete next[name]; else next[name] = slug;
        chip.href = base + (query(next, 1) || "?");
        chip.classList.toggle("pufa-chip--on", on);
        if (on) chip.setAttribute("aria-current", "true"); else chip.removeAttribute("aria-current");
      });
    }

    function getJSON(url) {
      return fetch(url).then(function (r) {
        if (!r.ok) throw new Error(url + ": " + r.status);
        return r.json();
      });
    }

    function load() {
      if (!loading) {
        loading = getJSON(listing.getAttribute("data-index")).then(function (data) {
          var lookup = {};
          for (var k = 0; k < data.alphabet.length; k++) lookup[data.alphabet.charAt(k)] = k;
          var columns = {}, slugs = {};
          data.fields.forEach(function (name) {
            var source = data.columns[name], column = new Uint16Array(data.total);
            if (data.widths[name] === 1) {
              for (var i = 0; i < data.total; i++) column[i] = lookup[source.charAt(i)];
            } else {                                         // two letters a case (> 52 values)
              var size = data.alphabet.length;
              for (var j = 0; j < data.total; j++) {
                column[j] = lookup[source.charAt(2 * j)] * size + lookup[source.charAt(2 * j + 1)];
              }
            }
            columns[name] = column;
            slugs[name] = data.values[name].map(function (v) { return v[1]; });
          });
          index = { fields: data.fields, total: data.total, shard: data.shard, values: data.values,
                    columns: columns, slugs: slugs };
          listing.setAttribute("data-index-loaded", "");
          return index;
        });
        loading.catch(function () { loading = null; });        // a later change tries again
      }
      return loading;
    }

    function shard(number) {
      if (!shards[number]) {
        shards[number] = getJSON(listing.getAttribute("data-cards") + number + ".json");
        shards[number].catch(function () { delete shards[number]; });
      }
      return shards[number];
    }

    // The selection as facet → value number (-1: a slug this index does not know).
    function numbers(sel) {
      var out = {};
      Object.keys(sel).forEach(function (name) {
        if (index.slugs[name]) out[name] = index.slugs[name].indexOf(sel[name]);
      });
      return out;
    }

    // One pass: the matching positions, and for every facet the count of each value among
    // the cases that match the selection on the other facets (what choosing it would show).
    function tally(sel) {
      var want = numbers(sel), names = Object.keys(want), hits = [], counts = {};
      var cols = names.map(function (name) { return index.columns[name]; });
      var wanted = names.map(function (name) { return want[name]; });
      index.fields.forEach(function (name) { counts[name] = new Uint32Array(index.values[name].length); });
      var fields = index.fields.map(function (name) { return index.columns[name]; });
      var tallies = index.fields.map(function (name) { return counts[name]; });
      for (var r = 0; r < index.total; r++) {
        var missed = -1, misses = 0;
        for (var k = 0; k < cols.length; k++) {
          if (cols[k][r] !== wanted[k]) { misses++; missed = k; if (misses > 1) break; }
        }
        if (misses > 1) continue;
        if (misses === 1) { counts[names[missed]][cols[missed][r]]++; continue; }
        hits.push(r);
        for (var f = 0; f < fields.length; f++) tallies[f][fields[f][r]]++;
      }
      return { hits: hits, counts: counts };
    }

    function text(tag, className, content) {
      var el = document.createElement(tag);
      if (className) el.className = className;
      if (content !== undefined) el.textContent = content;
      return el;
    }

    // The same card as the server renders (templates/_case_card.html).
    function card(position, row) {
      var li = text("li", "pufa-card");
      var a = text("a", "pufa-card__title", row[1]);
      a.href = root + "cases/" + row[0] + "/";
      li.appendChild(a);
      var meta = text("div", "pufa-card__meta");
      var time = text("time", "", row[2]);
      time.setAttribute("datetime", row[2]);
      meta.appendChild(time);
      ["category", "discretion"].forEach(function (name) {
        var v = index.values[name][index.columns[name][position]];
        meta.appendChild(document.createTextNode(" "));
        meta.appendChild(text("span", "pufa-chip" + (name === "discretion" ? " pufa-chip--" + v[1] : ""), v[0]));
      });
      li.appendChild(meta);
      li.appendChild(text("p", "pufa-card__cause", row[3]));
      li.appendChild(text("p", "pufa-card__decision", "处罚决定：" + row[4]));
      return li;
    }

    // The page numbers a pager shows: first, last and two either side (page_window in cases.py).
    function windowOf(page, pages) {
      var shown = [1, pages];
      for (var n = Math.max(1, page - 2); n <= Math.min(pages, page + 2); n++) shown.push(n);
      return shown.filter(function (n, i) { return shown.indexOf(n) === i; }).sort(function (a, b) { return a - b; });
    }

    function drawPager(sel, page, pages) {
      var nav = listing.querySelector(".pufa-filter-pages");
      if (!nav) {
        nav = text("nav", "pufa-pages pufa-filter-pages");
        nav.setAttribute("aria-label", "分页");
        list.parentNode.insertBefore(nav, list.nextSibling);
      }
      nav.textContent = "";
      nav.hidden = pages <= 1;
      if (pages <= 1) return;
      var items = nav.appendChild(text("ol"));              // as templates/_pagination.html
      function item(el) { items.appendChild(text("li")).appendChild(el); }
      function link(n, label, rel) {
        var a = text("a", "", label);
        a.href = base + query(sel, n);
        a.setAttribute("data-page", String(n));
        if (rel) a.rel = rel;
        item(a);
      }
      if (page > 1) link(page - 1, "‹ 上一页", "prev");
      var last = 0;
      windowOf(page, pages).forEach(function (n) {
        if (n - last > 1) item(text("span", "pufa-pages__gap", "…"));
        last = n;
        if (n === page) {
          var here = text("span", "pufa-pages__current", String(n));
          here.setAttribute("aria-current", "page");
          item(here);
        } else {
          link(n, String(n));
        }
      });
      if (page < pages) link(page + 1, "下一页 ›", "next");
    }

    // The counts, the result count and the pager; the cards follow as their shards arrive.
    function render(sel, t, page) {
      chips.forEach(function (chip) {
        var name = chip.getAttribute("data-facet"), slug = chip.getAttribute("data-slug");
        var small = chip.querySelector("small");
        if (!small) return;
        var at = index.slugs[name] ? index.slugs[name].indexOf(slug) : -1;
        small.textContent = String(at < 0 ? 0 : t.counts[name][at]);
      });
      var labels = [];
      chips.forEach(function (chip) {
        if (chip.getAttribute("data-facet") !== own && chip.classList.contains("pufa-chip--on")) {
          labels.push(chip.firstChild.textContent.trim());
        }
      });
      var pages = Math.max(1, Math.ceil(t.hits.length / PAGE));
      if (count) {
        count.textContent = "共 " + t.hits.length + " 件（同时筛选：" + labels.join("、") + "）" +
          (pages > 1 ? "，第 " + page + "/" + pages + " 页" : "");
      }
      if (pager) pager.hidden = true;
      drawPager(sel, page, pages);
    }

    function restore() {
      list.innerHTML = original.list;
      if (count) count.textContent = original.count;
      if (pager) pager.hidden = false;
      chips.forEach(function (chip, i) { var s = chip.querySelector("small"); if (s) s.textContent = original.counts[i]; });
      var nav = listing.querySelector(".pufa-filter-pages");
      if (nav) nav.hidden = true;
    }

    function apply() {
      var sel = selection(), turn = ++drawn;
      linkChips(sel);
      if (!Object.keys(sel).length) { restore(); listing.removeAttribute("aria-busy"); return Promise.resolve(); }
      listing.setAttribute("aria-busy", "true");
      return load().then(function () {
        var all = {};
        Object.keys(sel).forEach(function (k) { all[k] = sel[k]; });
        if (own) all[own] = ownSlug;
        var t = tally(all);
        var pages = Math.max(1, Math.ceil(t.hits.length / PAGE));
        var page = Math.min(pageNumber(), pages);
        var shown = t.hits.slice((page - 1) * PAGE, page * PAGE);
        var needed = [];
        shown.forEach(function (p) { var n = Math.floor(p / index.shard); if (needed.indexOf(n) < 0) needed.push(n); });
        // Every shard is requested now; the cards are put in, in order, as each arrives, so
        // the first results show after the first shard rather than the slowest.
        var requests = needed.map(shard), next = 0;
        render(sel, t, page);
        if (!shown.length) list.textContent = "";
        var chain = requests.reduce(function (previous, request, i) {
          return previous.then(function () { return request; }).then(function (rows) {
            if (turn !== drawn) return;                      // a newer change is being drawn
            if (i === 0) list.textContent = "";
            while (next < shown.length && Math.floor(shown[next] / index.shard) === needed[i]) {
              list.appendChild(card(shown[next], rows[shown[next] % index.shard]));
              next++;
            }
            if (i === 0) listing.setAttribute("data-pufa-drawn", String(turn));
          });
        }, Promise.resolve());
        return chain.then(function () {
          if (turn !== drawn) return;
          if (!shown.length) listing.setAttribute("data-pufa-drawn", String(turn));
          listing.removeAttribute("aria-busy");
        });
      }).catch(function () {
        if (turn !== drawn) return;
        listing.removeAttribute("aria-busy");
        if (count) count.textContent = "筛选暂不可用，请使用上面的分类链接。";
      });
    }

    // Start fetching the index as soon as a reader reaches for a filter (touch, mouse or
    // keyboard), so it is usually there by the time the click lands.
    var nav = listing.querySelector(".pufa-facets");
    if (nav) {
      ["pointerdown", "touchstart", "focusin"].forEach(function (type) {
        nav.addEventListener(type, function () { load().catch(function () {}); }, { once: true, passive: true });
      });
    }

    listing.addEventListener("click", function (ev) {
      if (ev.ctrlKey || ev.metaKey || ev.shiftKey || ev.altKey || ev.button) return;
      var target = ev.target.closest ? ev.target : null;
      var chip = target && target.closest("a.pufa-chip[data-facet]");
      var step = target && target.closest(".pufa-filter-pages a[data-page]");
      if (chip && chip.getAttribute("data-facet") !== own) {
        ev.preventDefault();
        history.pushState(null, "", chip.href);
        apply();
      } else if (step) {
        ev.preventDefault();
        history.pushState(null, "", step.href);
        // The pager is drawn anew: keyboard focus goes to the result count, at the list's top.
        apply().then(function () {
          if (!count) return;
          count.setAttribute("tabindex", "-1");
          count.focus();
        });
      }
    });
    window.addEventListener("popstate", function () { apply(); });
    apply();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
