/* Case listings that combine filters: on a facet listing (e.g. 类别：网约车) the other
   facets (年份 × 裁量 × 办案方式) narrow the list in the page, with counts for the current
   selection. The selection lives in the address (?year=2024&discretion=cong-qing-chu-fa),
   so it can be shared and Back returns to it. The listing's compact index
   (facets.json: id, title, date and four facet numbers a case) is fetched once; a filter
   change after that moves no bytes. Without scripts the chips are plain links to the
   single-facet listings. */
(function () {
  "use strict";
  var FACETS = ["category", "year", "discretion", "handling"];
  var SHOWN = 20;

  function start() {
    var listing = document.querySelector("[data-pufa-listing]");
    if (!listing || listing.hasAttribute("data-pufa-ready")) return;
    listing.setAttribute("data-pufa-ready", "");
    var own = listing.getAttribute("data-facet");
    var root = listing.getAttribute("data-root") || "";
    var list = listing.querySelector(".pufa-cards");
    var count = listing.querySelector(".pufa-count");
    var pager = listing.querySelector(".pufa-pages");
    var chips = Array.prototype.slice.call(listing.querySelectorAll("a.pufa-chip[data-facet]"));
    var original = { list: list ? list.innerHTML : "", count: count ? count.textContent : "",
                     counts: chips.map(function (c) { var s = c.querySelector("small"); return s ? s.textContent : ""; }) };
    var index = null, loading = null, shown = SHOWN;

    function selection() {
      var params = new URLSearchParams(location.search), out = {};
      FACETS.forEach(function (name) {
        if (name !== own && params.get(name)) out[name] = params.get(name);
      });
      return out;
    }

    function query(sel) {
      var params = new URLSearchParams();
      FACETS.forEach(function (name) { if (sel[name]) params.set(name, sel[name]); });
      var text = params.toString();
      return text ? "?" + text : "";
    }

    function staticHref(chip) { return chip.getAttribute("data-static") || chip.getAttribute("href"); }

    function linkChips(sel) {
      chips.forEach(function (chip) {
        if (!chip.hasAttribute("data-static")) chip.setAttribute("data-static", chip.getAttribute("href"));
        var name = chip.getAttribute("data-facet"), slug = chip.getAttribute("data-slug");
        if (name === own) { chip.href = staticHref(chip) + query(sel); return; }
        var next = {};
        Object.keys(sel).forEach(function (k) { next[k] = sel[k]; });
        if (sel[name] === slug) delete next[name]; else next[name] = slug;
        chip.href = location.pathname + (query(next) || "?");
        var on = sel[name] === slug;
        chip.classList.toggle("pufa-chip--on", on);
        if (on) chip.setAttribute("aria-current", "true"); else chip.removeAttribute("aria-current");
      });
    }

    function load() {
      if (!loading) {
        loading = fetch(listing.getAttribute("data-index")).then(function (r) {
          if (!r.ok) throw new Error(r.status);
          return r.json();
        }).then(function (data) {
          var pos = {};
          data.fields.forEach(function (name, i) { pos[name] = i + 3; });
          data.slugs = {};
          data.fields.forEach(function (name) {
            data.slugs[name] = data.values[name].map(function (v) { return v[1]; });
          });
          data.pos = pos;
          index = data;
          listing.setAttribute("data-index-loaded", "");
          return data;
        });
      }
      return loading;
    }

    // The selection as facet → value number (-2: a slug this index does not know).
    function numbers(sel) {
      var out = {};
      Object.keys(sel).forEach(function (name) {
        if (!index.slugs[name]) return;
        var at = index.slugs[name].indexOf(sel[name]);
        out[name] = at < 0 ? -2 : at;
      });
      return out;
    }

    // One pass: the matching rows, and for every facet the count of each value among the
    // rows that match the selection on the other facets (what choosing it would show).
    function tally(sel) {
      var want = numbers(sel), names = Object.keys(want), rows = [], counts = {};
      index.fields.forEach(function (name) { counts[name] = {}; });
      var cases = index.cases, pos = index.pos;
      for (var r = 0; r < cases.length; r++) {
        var row = cases[r], missed = null, misses = 0;
        for (var k = 0; k < names.length; k++) {
          if (row[pos[names[k]]] !== want[names[k]]) { misses++; missed = names[k]; if (misses > 1) break; }
        }
        if (misses > 1) continue;
        if (misses === 1) {
          var v = row[pos[missed]];
          counts[missed][v] = (counts[missed][v] || 0) + 1;
          continue;
        }
        rows.push(row);
        for (var f = 0; f < index.fields.length; f++) {
          var name = index.fields[f], value = row[pos[name]];
          counts[name][value] = (counts[name][value] || 0) + 1;
        }
      }
      return { rows: rows, counts: counts };
    }

    function card(row) {
      var li = document.createElement("li");
      li.className = "pufa-card";
      var a = document.createElement("a");
      a.className = "pufa-card__title";
      a.href = root + "cases/" + row[0] + "/";
      a.textContent = row[1];
      li.appendChild(a);
      var meta = document.createElement("div");
      meta.className = "pufa-card__meta";
      var time = document.createElement("time");
      time.setAttribute("datetime", row[2]);
      time.textContent = row[2];
      meta.appendChild(time);
      ["category", "discretion"].forEach(function (name) {
        var v = index.values[name][row[index.pos[name]]];
        if (!v) return;
        var chip = document.createElement("span");
        chip.className = "pufa-chip";
        chip.textContent = v[0];
        meta.appendChild(document.createTextNode(" "));
        meta.appendChild(chip);
      });
      li.appendChild(meta);
      return li;
    }

    function render(sel) {
      var t = tally(sel), rows = t.rows;
      chips.forEach(function (chip, i) {
        var name = chip.getAttribute("data-facet"), slug = chip.getAttribute("data-slug");
        var small = chip.querySelector("small");
        if (!small) return;
        if (name === own) {
          // Other values of the page's own facet are other listings: their counts are not here.
          small.textContent = chip.classList.contains("pufa-chip--on") ? String(rows.length) : original.counts[i];
          return;
        }
        var at = index.slugs[name] ? index.slugs[name].indexOf(slug) : -1;
        small.textContent = String(at < 0 ? 0 : (t.counts[name][at] || 0));
      });
      var labels = [];
      chips.forEach(function (chip) {
        if (chip.getAttribute("data-facet") !== own && chip.classList.contains("pufa-chip--on")) {
          labels.push(chip.firstChild.textContent.trim());
        }
      });
      if (count) count.textContent = "共 " + rows.length + " 件（同时筛选：" + labels.join("、") + "）";
      if (pager) pager.hidden = true;
      list.textContent = "";
      rows.slice(0, shown).forEach(function (row) { list.appendChild(card(row)); });
      var more = listing.querySelector(".pufa-filter-more");
      if (rows.length > shown) {
        if (!more) {
          more = document.createElement("button");
          more.type = "button";
          more.className = "pufa-search__more pufa-filter-more";
          more.textContent = "显示更多";
          more.addEventListener("click", function () { shown += SHOWN; apply(); });
          list.parentNode.insertBefore(more, list.nextSibling);
        }
        more.hidden = false;
      } else if (more) {
        more.hidden = true;
      }
    }

    function restore() {
      list.innerHTML = original.list;
      if (count) count.textContent = original.count;
      if (pager) pager.hidden = false;
      chips.forEach(function (chip, i) { var s = chip.querySelector("small"); if (s) s.textContent = original.counts[i]; });
      var more = listing.querySelector(".pufa-filter-more");
      if (more) more.hidden = true;
    }

    function apply() {
      var sel = selection();
      linkChips(sel);
      if (!Object.keys(sel).length) { restore(); return; }
      listing.setAttribute("aria-busy", "true");
      load().then(function () {
        render(selection());
        listing.removeAttribute("aria-busy");
      }).catch(function () {
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
      var chip = ev.target.closest && ev.target.closest("a.pufa-chip[data-facet]");
      if (!chip || chip.getAttribute("data-facet") === own || ev.ctrlKey || ev.metaKey || ev.shiftKey) return;
      ev.preventDefault();
      shown = SHOWN;
      history.pushState(null, "", chip.href);
      apply();
    });
    window.addEventListener("popstate", function () { shown = SHOWN; apply(); });
    apply();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
