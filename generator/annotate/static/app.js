/* The annotation tool's page: list transcripts, open one beside its media, edit with the
 * keyboard, autosave with the version it was based on.
 *
 * Safety rule: text from files only ever reaches the page through textContent / value,
 * never innerHTML, so a transcript containing <script> or <img onerror> stays text.
 * Speed rule: a 3-hour transcript has ~4,000 segments; only the blocks of rows near the
 * viewport exist in the DOM (IntersectionObserver), the rest are empty boxes of the last
 * measured height.
 */
"use strict";
(function () {
  const E = window.PufaEdit;
  const TOKEN = document.querySelector('meta[name="pufa-token"]').content;
  const BLOCK = 50;            // rows per rendered block
  const ROW_ESTIMATE = 58;     // px, until a block has been measured
  const STEP = 3;              // seconds for back/forward
  const AUTOSAVE_MS = 1200;
  const LOW_CONFIDENCE = 0.5;

  const $ = (sel) => document.querySelector(sel);
  const el = (tag, props, ...kids) => {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(props || {})) {
      if (k === "class") node.className = v;
      else if (k === "text") node.textContent = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else if (k === "dataset") Object.assign(node.dataset, v);
      else if (k in node) node[k] = v;
      else node.setAttribute(k, v);
    }
    for (const kid of kids) if (kid != null) node.append(kid);  // strings become text nodes
    return node;
  };

  const S = {
    id: null, doc: null, segs: [], flags: [], ann: null, starts: [],
    version: 0, hash: null, cur: 0, playing: -1, editing: -1,
    undo: [], redo: [], changeNo: 0, savedNo: 0, segsChangeNo: 0, segsSavedNo: 0,
    clean: new WeakSet(), saving: false, saveTimer: null, conflict: false, follow: true, nextId: 1,
    lastHighlight: null, blocks: [], heights: new Map(), rendered: new Set(), observer: null,
    hlIds: new Set(), chapterAt: new Map(), gloss: null, find: "", review: new Map(), wave: null,
    timings: {},   // for bench/annotate.py: fetchMs, openMs (to first painted rows), saveMs
  };

  // ---------------------------------------------------------------- server

  async function api(method, path, body) {
    const init = { method: method, headers: { "X-Pufa-Token": TOKEN } };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const res = await fetch(path, init);
    const type = res.headers.get("content-type") || "";
    const data = type.includes("json") ? await res.json() : await res.text();
    if (!res.ok) {
      const err = new Error((data && data.error) || res.statusText);
      err.status = res.status;
      throw err;
    }
    return data;
  }

  function banner(text, kind, actions) {
    const b = $("#banner");
    b.textContent = text || "";
    b.className = kind || "";
    b.hidden = !text;
    for (const a of actions || []) b.append(" ", el("button", { type: "button", text: a.label, onclick: a.run }));
  }

  /* When a save cannot land (conflict, tool restarted with a new token), the person can
   * take their work with them: the changed segments and all annotations, as JSON. */
  function downloadUnsaved() {
    const data = {
      transcript: S.id, based_on_version: S.version, saved_at: new Date().toISOString(),
      changed_segments: S.segs.filter((seg) => !S.clean.has(seg)), flags: S.flags, annotations: S.ann,
    };
    const url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 1)], { type: "application/json" }));
    const a = el("a", { href: url, download: S.id + "-未保存的修改-v" + S.version + ".json" });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }

  const KEEP_WORK = [{ label: "下载未保存的修改", run: () => downloadUnsaved() }];

  function fmtTime(t) {
    t = Math.max(0, t || 0);
    const h = Math.floor(t / 3600), m = Math.floor(t / 60) % 60, s = Math.floor(t % 60);
    return [h, m, s].map((x) => String(x).padStart(2, "0")).join(":");
  }

  // ---------------------------------------------------------------- list view

  async function showList() {
    S.id = null;
    $("#player").pause();
    $("#doc-view").hidden = true;
    $("#list-view").hidden = false;
    for (const b of ["#btn-save", "#btn-vtt", "#btn-srt"]) $(b).hidden = true;
    $("#doc-title").textContent = "";
    $("#save-state").textContent = "";
    const data = await api("GET", "/api/transcripts");
    const body = $("#transcripts tbody");
    body.replaceChildren();
    for (const t of data.transcripts) {
      body.append(el("tr", {},
        el("td", {}, el("a", { href: "#/t/" + encodeURIComponent(t.id), text: t.title })),
        el("td", { text: t.id }), el("td", { text: t.date || "" }),
        el("td", { text: String(t.segments) }), el("td", { text: t.duration ? fmtTime(t.duration) : "" }),
        el("td", { text: t.has_media ? "有" : "无" })));
    }
    $("#list-empty").hidden = data.transcripts.length > 0;
  }

  // ---------------------------------------------------------------- open

  async function openTranscript(id) {
    banner("");
    const t0 = performance.now();
    const doc = await api("GET", "/api/transcripts/" + encodeURIComponent(id));
    S.timings.fetchMs = performance.now() - t0;
    S.id = id;
    S.doc = doc;
    S.segs = doc.transcript.segments.map((seg) => Object.assign({ speaker: "", words: [] }, seg));
    S.flags = doc.transcript.flags || [];
    // Loops the transcription collapsed: marked on their segment for a listen.
    S.review = new Map((doc.transcript.review || []).map((m) => [m.segment_id, m]));
    S.clean = new WeakSet(S.segs);   // segment objects the server holds as they are
    S.ann = Object.assign({ chapters: [], highlights: [], redactions: [], speakers: {} }, doc.annotations);
    delete S.ann.version;
    S.version = doc.version;
    S.hash = doc.transcript_hash;
    S.undo = []; S.redo = [];
    S.changeNo = S.savedNo = S.segsChangeNo = S.segsSavedNo = 0;
    S.conflict = false;
    S.cur = 0; S.playing = -1; S.editing = -1;
    S.heights = new Map();
    S.nextId = S.segs.reduce((m, s) => Math.max(m, s.id), 0) + 1;
    S.gloss = glossaryMatcher(doc.glossary || []);
    $("#list-view").hidden = true;
    $("#doc-view").hidden = false;
    for (const b of ["#btn-save", "#btn-vtt", "#btn-srt"]) $(b).hidden = false;
    $("#doc-title").textContent = (doc.meta && doc.meta.title) || id;
    document.title = ((doc.meta && doc.meta.title) || id) + " · 直播标注";
    $("#user-name").placeholder = doc.os_user || "你的名字";
    const laws = $("#law-titles");
    laws.replaceChildren(...(doc.laws || []).map((t) => el("option", { value: t })));
    const player = $("#player");
    if (doc.media) {
      player.src = doc.media + "?t=" + encodeURIComponent(TOKEN);
      player.hidden = false;
      $("#media-problem").hidden = true;
    } else {
      player.removeAttribute("src");
      player.hidden = true;
      $("#media-problem").hidden = false;
      $("#media-problem").textContent = "无法播放媒体：" + (doc.media_problem || "");
    }
    indexAnnotations();
    rebuild();
    renderPanels();
    showSaveState();
    $("#segments").focus();
    requestAnimationFrame(() => { S.timings.openMs = performance.now() - t0; });
    loadWave(id);
  }

  // ---------------------------------------------------------------- glossary

  function glossaryMatcher(terms) {
    const entries = [];
    for (const t of terms) {
      if (t.term) entries.push({ text: t.term, cls: "gloss", title: "术语" });
      for (const a of t.aliases || []) if (a) entries.push({ text: a, cls: "alias", title: "可能应为：" + t.term });
    }
    entries.sort((a, b) => b.text.length - a.text.length);
    return entries;
  }

  // ---------------------------------------------------------------- derived indexes

  function indexAnnotations() {
    S.starts = S.segs.map((s) => s.start);
    S.hlIds = new Set();
    for (const h of S.ann.highlights) for (const id of h.segment_ids || []) S.hlIds.add(id);
    S.chapterAt = new Map();
    for (const c of S.ann.chapters) {
      const i = Math.max(0, E.indexAtTime(S.starts, c.start + 1e-6));
      if (!S.chapterAt.has(i)) S.chapterAt.set(i, []);
      S.chapterAt.get(i).push(c);
    }
  }

  // ---------------------------------------------------------------- rendering rows

  function speakerName(label) {
    if (!label) return "";
    return S.ann.speakers[label] || label;
  }

  function decorations(seg) {
    const ranges = [];
    const text = seg.text;
    for (const r of S.ann.redactions) {
      if (r.segment_id !== seg.id) continue;
      ranges.push([E.cpToU16(text, r.start_char), E.cpToU16(text, r.end_char), "red-" + r.state,
        r.state === "released" ? "已决定公开" : "已隐去（发布时不显示）"]);
    }
    const reviewed = new Set(S.ann.redactions.map((r) => r.flag_id).filter(Boolean));
    for (const f of S.flags) {
      if (f.segment_id === seg.id && !reviewed.has(f.id)) {
        ranges.push([E.cpToU16(text, f.start_char), E.cpToU16(text, f.end_char), "flag", "建议隐去：" + f.kind]);
      }
    }
    for (const w of E.wordSpans(seg)) {
      if (w.word.probability != null && w.word.probability < LOW_CONFIDENCE) {
        ranges.push([w.start, w.end, "low", "识别把握不大 " + Math.round(w.word.probability * 100) + "%"]);
      }
    }
    for (const g of S.gloss) {
      let at = text.indexOf(g.text);
      while (at >= 0) {
        ranges.push([at, at + g.text.length, g.cls, g.title]);
        at = text.indexOf(g.text, at + g.text.length);
      }
    }
    if (S.find) {
      let at = text.indexOf(S.find);
      while (at >= 0) {
        ranges.push([at, at + S.find.length, "match", ""]);
        at = text.indexOf(S.find, at + S.find.length);
      }
    }
    return ranges;
  }

  /* Text split into spans at every decoration boundary; each span records its offset so a
   * mouse selection maps back to characters. */
  function textNode(seg) {
    const box = el("div", { class: "text" });
    const text = seg.text;
    const ranges = decorations(seg);
    if (!ranges.length) {
      box.append(el("span", { dataset: { o: "0" }, text: text }));
      return box;
    }
    const cuts = new Set([0, text.length]);
    for (const r of ranges) { cuts.add(Math.max(0, r[0])); cuts.add(Math.min(text.length, r[1])); }
    const points = Array.from(cuts).sort((a, b) => a - b);
    for (let k = 0; k < points.length - 1; k++) {
      const a = points[k], b = points[k + 1];
      if (b <= a) continue;
      const cls = [], titles = [];
      for (const r of ranges) if (r[0] <= a && r[1] >= b) { cls.push(r[2]); if (r[3]) titles.push(r[3]); }
      const span = el("span", { dataset: { o: String(a) }, text: text.slice(a, b) });
      if (cls.length) span.className = cls.join(" ");
      if (titles.length) span.title = titles.join("；");
      box.append(span);
    }
    return box;
  }

  function rowNode(i) {
    const seg = S.segs[i];
    const row = el("div", { class: "seg", role: "listitem", dataset: { i: String(i), id: String(seg.id) } });
    if (i === S.cur) row.classList.add("cur");
    if (i === S.playing) row.classList.add("playing");
    if (S.hlIds.has(seg.id)) row.classList.add("hl");
    for (const c of S.chapterAt.get(i) || []) row.append(el("div", { class: "chap", text: c.title || "（未命名章节）" }));
    const side = el("div", { class: "side" }, el("span", { class: "t", text: fmtTime(seg.start), title: "跳到 " + seg.start.toFixed(2) + " 秒" }));
    if (seg.speaker) side.append(el("span", { class: "spk", text: speakerName(seg.speaker), title: seg.speaker }));
    const mark = S.review.get(seg.id);
    if (mark) side.append(el("span", { class: "review", text: "待复听", title: mark.note || "重复已合并，请听一遍" }));
    row.append(side);
    if (i === S.editing) {
      const ta = el("textarea", { class: "edit", value: seg.text, rows: 1, spellcheck: false, "aria-label": "编辑本段文字" });
      row.append(ta);
    } else {
      row.append(textNode(seg));
    }
    return row;
  }

  function blockHeight(b) {
    if (S.heights.has(b)) return S.heights.get(b);
    return Math.min(BLOCK, S.segs.length - b * BLOCK) * ROW_ESTIMATE;
  }

  function fillBlock(b) {
    const node = S.blocks[b];
    if (!node) return;
    const rows = [];
    const end = Math.min(S.segs.length, (b + 1) * BLOCK);
    for (let i = b * BLOCK; i < end; i++) rows.push(rowNode(i));
    node.replaceChildren(...rows);
    node.style.height = "";
    S.rendered.add(b);
    const ta = node.querySelector("textarea.edit");
    if (ta) fitTextarea(ta);
  }

  function emptyBlock(b) {
    const node = S.blocks[b];
    if (!node || !S.rendered.has(b)) return;
    const h = node.getBoundingClientRect().height;
    if (h > 0) S.heights.set(b, h);
    node.replaceChildren();
    node.style.height = blockHeight(b) + "px";
    S.rendered.delete(b);
  }

  /* (Re)create the block boxes, e.g. after a split or merge changed the row count. */
  function rebuild() {
    const box = $("#segments");
    const keep = new Set(S.rendered);
    const top = box.scrollTop;
    if (S.observer) S.observer.disconnect();
    S.rendered = new Set();
    S.blocks = [];
    const count = Math.ceil(S.segs.length / BLOCK);
    const frag = document.createDocumentFragment();
    for (let b = 0; b < count; b++) {
      const node = el("div", { class: "block", dataset: { b: String(b) } });
      node.style.height = blockHeight(b) + "px";
      S.blocks.push(node);
      frag.append(node);
    }
    box.replaceChildren(frag);
    for (const b of keep) if (b < count) fillBlock(b);
    box.scrollTop = top;
    S.observer = new IntersectionObserver((entries) => {
      for (const entry of entries) {
        const b = Number(entry.target.dataset.b);
        if (entry.isIntersecting) { if (!S.rendered.has(b)) fillBlock(b); }
        else emptyBlock(b);
      }
    }, { root: box, rootMargin: "900px 0px" });
    for (const node of S.blocks) S.observer.observe(node);
  }

  function rowEl(i) {
    return S.blocks[Math.floor(i / BLOCK)] ? S.blocks[Math.floor(i / BLOCK)].querySelector('.seg[data-i="' + i + '"]') : null;
  }

  function rerenderRow(i) {
    const old = rowEl(i);
    if (old) {
      const row = rowNode(i);
      old.replaceWith(row);
      const ta = row.querySelector("textarea.edit");
      if (ta) fitTextarea(ta);
    }
  }

  function rerenderVisible() {
    for (const b of Array.from(S.rendered)) fillBlock(b);
  }

  function scrollToRow(i, center) {
    const b = Math.floor(i / BLOCK);
    if (!S.rendered.has(b)) fillBlock(b);
    const row = rowEl(i);
    if (row) row.scrollIntoView({ block: center ? "center" : "nearest" });
    sweepSoon();
  }

  /* The observer reports changes of state only: a block a jump filled and the next jump
   * left within one frame (Enter held, a busy machine) is never reported as leaving, and
   * would stay in the DOM. After jumps, blocks far from the viewport are emptied here
   * (never the current row's block, nor one holding the focus). */
  let sweepTimer = 0;
  function sweepSoon() {
    clearTimeout(sweepTimer);
    sweepTimer = setTimeout(sweep, 150);
  }

  function sweep() {
    const view = $("#segments").getBoundingClientRect();
    const keep = Math.floor(S.cur / BLOCK);
    for (const b of Array.from(S.rendered)) {
      const node = S.blocks[b];
      if (!node || b === keep || node.contains(document.activeElement)) continue;
      const r = node.getBoundingClientRect();
      if (r.bottom < view.top - 900 || r.top > view.bottom + 900) emptyBlock(b);
    }
  }

  function fitTextarea(ta) {
    ta.style.height = "auto";
    ta.style.height = ta.scrollHeight + 2 + "px";
  }

  // ---------------------------------------------------------------- selection & playback

  function select(i, opts) {
    if (!S.segs.length) return;
    i = Math.max(0, Math.min(S.segs.length - 1, i));
    const prev = S.cur;
    S.cur = i;
    const a = rowEl(prev); if (a) a.classList.remove("cur");
    const b = rowEl(i); if (b) b.classList.add("cur");
    if (opts && opts.seek) seek(S.segs[i].start);
    if (!opts || opts.scroll !== false) scrollToRow(i, opts && opts.center);
  }

  function seek(t) {
    const p = $("#player");
    if (p.src) p.currentTime = Math.max(0, t);
    updatePlaying(t);
  }

  function updatePlaying(t) {
    const i = E.indexAtTime(S.starts, t + 1e-3);
    $("#clock").textContent = fmtTime(t);
    if (i === S.playing) return;
    const a = rowEl(S.playing); if (a) a.classList.remove("playing");
    S.playing = i;
    const b = rowEl(i); if (b) b.classList.add("playing");
    const p = $("#player");
    if (S.follow && S.editing < 0 && !p.paused && i >= 0) select(i, { center: true });
  }

  function togglePlay() {
    const p = $("#player");
    if (!p.src) return;
    if (p.paused) p.play().catch(() => {}); else p.pause();
  }

  function nudge(dt) {
    const p = $("#player");
    if (p.src) seek(p.currentTime + dt);
  }

  function rate(delta) {
    const p = $("#player");
    const r = Math.round(Math.min(2.5, Math.max(0.5, p.playbackRate + delta)) * 10) / 10;
    p.playbackRate = r;
    $("#rate").textContent = r.toFixed(1);
  }

  function tick() {
    const p = $("#player");
    if (S.id && !p.paused) updatePlaying(p.currentTime);
    if (S.id && S.wave) drawWave(false);
    requestAnimationFrame(tick);
  }

  // ---------------------------------------------------------------- changes, undo, redo

  /* One user action = one undoable change: segment replacements plus new annotation and
   * flag lists (objects are never mutated, so the old ones serve as the undo state). */
  function commit(changes, ann, flags, label, quiet) {
    const op = {
      changes: changes || [], label: label || "", quiet: !!quiet,
      annBefore: S.ann, annAfter: ann || S.ann, flagsBefore: S.flags, flagsAfter: flags || S.flags,
    };
    apply(op, true);
    op.quiet = false;   // undo/redo must redraw the panels
    S.undo.push(op);
    if (S.undo.length > 500) S.undo.shift();
    S.redo = [];
  }

  function apply(op, forward) {
    const changes = forward ? op.changes : op.changes.slice().reverse();
    let structural = false;
    const touched = [];
    for (const c of changes) {
      const from = forward ? c.before : c.after, to = forward ? c.after : c.before;
      S.segs.splice(c.index, from.length, ...to);
      if (from.length !== to.length) structural = true;
      touched.push(c.index);
    }
    S.ann = forward ? op.annAfter : op.annBefore;
    S.flags = forward ? op.flagsAfter : op.flagsBefore;
    S.changeNo++;
    if (op.changes.length || op.flagsAfter !== op.flagsBefore) S.segsChangeNo = S.changeNo;
    indexAnnotations();
    if (structural) rebuild();
    else if (op.annAfter !== op.annBefore || op.flagsAfter !== op.flagsBefore || op.changes.length > 5) rerenderVisible();
    else for (const i of touched) rerenderRow(i);
    // A field edit in a side panel is already on screen: redrawing would wipe whatever the
    // person is typing in the next field.
    if (op.annAfter !== op.annBefore && !op.quiet) renderPanels();
    scheduleSave();
  }

  function undo() {
    const op = S.undo.pop();
    if (!op) return;
    apply(op, false);
    S.redo.push(op);
    say("已撤销 " + op.label);
  }

  function redo() {
    const op = S.redo.pop();
    if (!op) return;
    apply(op, true);
    S.undo.push(op);
    say("已重做 " + op.label);
  }

  function say(text) {
    $("#save-state").textContent = text;
    setTimeout(showSaveState, 1500);
  }

  function newId(prefix) {
    return prefix + Date.now().toString(36) + Math.random().toString(36).slice(2, 6);
  }

  function withAnn(fn) {
    const ann = structuredClone(S.ann);
    fn(ann);
    return ann;
  }

  // ---------------------------------------------------------------- editing actions

  function startEdit(i) {
    if (i == null) i = S.cur;
    if (i < 0 || i >= S.segs.length) return;
    finishEdit();
    S.editing = i;
    select(i, { scroll: true });
    rerenderRow(i);
    const ta = rowEl(i) && rowEl(i).querySelector("textarea.edit");
    if (ta) {
      ta.focus();
      ta.addEventListener("input", () => fitTextarea(ta));
    }
  }

  /* Leave the editor, committing what was typed (as one undo step). */
  function finishEdit() {
    const i = S.editing;
    if (i < 0) return;
    const ta = rowEl(i) && rowEl(i).querySelector("textarea.edit");
    S.editing = -1;
    const seg = S.segs[i];
    if (ta && ta.value !== seg.text) {
      const value = ta.value.replace(/\r?\n/g, "");
      commitText(i, value, "编辑");
    } else {
      rerenderRow(i);
    }
    $("#segments").focus({ preventScroll: true });
  }

  function commitText(i, value, label) {
    const seg = S.segs[i];
    const r1 = E.setText(seg, value, S.ann.redactions);
    const r2 = E.setText(seg, value, S.flags);
    const ann = Object.assign({}, S.ann, { redactions: r1.spans });
    commit([{ index: i, before: [seg], after: [r1.seg] }], ann, typedFlags(r1.seg, r2.spans, r1.spans), label);
  }

  function splitAtCursor() {
    const i = S.editing;
    if (i < 0) return say("先按 Enter 编辑，再把光标放在要拆分的位置");
    const ta = rowEl(i).querySelector("textarea.edit");
    const value = ta.value.replace(/\r?\n/g, "");
    const k = ta.selectionStart;
    S.editing = -1;
    if (value !== S.segs[i].text) commitText(i, value, "编辑");
    const seg = S.segs[i];
    let res;
    try {
      res = E.split(seg, k, S.nextId, S.ann.redactions, S.flags);
    } catch (err) {
      say(err.message);
      startEdit(i);
      return;
    }
    S.nextId++;
    const ann = Object.assign({}, S.ann, {
      redactions: res.redactions,
      highlights: S.ann.highlights.map((h) => (h.segment_ids || []).indexOf(seg.id) < 0 ? h
        : Object.assign({}, h, { segment_ids: h.segment_ids.concat([res.b.id]) })),
    });
    commit([{ index: i, before: [seg], after: [res.a, res.b] }], ann, res.flags, "拆分");
    startEdit(i + 1);
    const ta2 = rowEl(i + 1).querySelector("textarea.edit");
    ta2.setSelectionRange(0, 0);
  }

  function mergeWithNext() {
    const wasEditing = S.editing >= 0;
    finishEdit();
    const i = S.cur;
    if (i < 0 || i + 1 >= S.segs.length) return say("没有下一段可合并");
    const a = S.segs[i], b = S.segs[i + 1];
    const res = E.merge(a, b, S.ann.redactions, S.flags, S.ann.highlights);
    const ann = Object.assign({}, S.ann, { redactions: res.redactions, highlights: res.highlights });
    commit([{ index: i, before: [a, b], after: [res.seg] }], ann, res.flags, "合并");
    select(i);
    if (wasEditing) startEdit(i);
  }

  function assignSpeaker(n) {
    const labels = speakerLabels();
    const i = S.cur;
    if (i < 0) return;
    const label = n === 0 ? "" : labels[n - 1];
    if (label === undefined) return say("没有第 " + n + " 个说话人，请先在“说话人”里添加");
    const seg = S.segs[i];
    if (seg.speaker === label) return;
    commit([{ index: i, before: [seg], after: [Object.assign({}, seg, { speaker: label })] }], null, null, "说话人");
    select(Math.min(S.segs.length - 1, i + 1));
  }

  /* The selection inside the segment editor, or a mouse selection in one row's text. */
  function currentSelection() {
    if (S.editing >= 0) {
      const ta = rowEl(S.editing).querySelector("textarea.edit");
      if (ta.selectionEnd > ta.selectionStart) {
        const i = S.editing, value = ta.value.replace(/\r?\n/g, "");
        const s = ta.selectionStart, e = ta.selectionEnd;
        S.editing = -1;
        if (value !== S.segs[i].text) commitText(i, value, "编辑"); else rerenderRow(i);
        return { i: i, s: s, e: e };
      }
      return null;
    }
    const sel = window.getSelection();
    if (!sel || sel.isCollapsed || !sel.rangeCount) return null;
    const range = sel.getRangeAt(0);
    const pos = (node, off) => {
      const span = node.nodeType === 3 ? node.parentElement : node;
      const row = span && span.closest(".seg");
      if (!row || !span.dataset || span.dataset.o == null) return null;
      return { i: Number(row.dataset.i), o: Number(span.dataset.o) + off };
    };
    const a = pos(range.startContainer, range.startOffset), b = pos(range.endContainer, range.endOffset);
    if (!a || !b || a.i !== b.i || b.o <= a.o) return null;
    sel.removeAllRanges();
    return { i: a.i, s: a.o, e: b.o };
  }

  function redactSelection() {
    const sel = currentSelection();
    if (!sel) return say("先选中要隐去的文字（编辑时用 Shift+方向键选择）");
    const seg = S.segs[sel.i];
    const red = E.redaction(seg, sel.s, sel.e, newId("r"));
    const limit = mediaEnd();   // the build refuses a silenced range past the end of the media
    if (limit != null) red.end = Math.max(red.start, Math.min(red.end, limit));
    const ann = Object.assign({}, S.ann, { redactions: S.ann.redactions.concat([red]) });
    commit([], ann, null, "隐去");
    select(sel.i);
    showTab("redactions");
  }

  function mediaEnd() {
    const p = $("#player");
    if (p.src && isFinite(p.duration) && p.duration > 0) return p.duration;
    const d = (S.doc.meta && S.doc.meta.duration) || S.doc.transcript.duration;
    return d ? Number(d) : null;
  }

  function addChapter() {
    const p = $("#player");
    const t = p.src && p.currentTime ? p.currentTime : (S.segs[S.cur] ? S.segs[S.cur].start : 0);
    const start = Math.round(t * 100) / 100;
    const same = S.ann.chapters.find((c) => Math.abs(c.start - start) < 0.05);
    if (same) {   // chapters must start one after another
      showTab("chapters");
      const input = document.querySelector('#chapter-list input[data-id="' + CSS.escape(same.id) + '"]');
      if (input) input.focus();
      return say("这个时间已有章节");
    }
    const ch = { id: newId("c"), title: "", start: start };
    const ann = withAnn((a) => { a.chapters.push(ch); a.chapters.sort((x, y) => x.start - y.start); });
    commit([], ann, null, "章节");
    showTab("chapters");
    const input = document.querySelector('#chapter-list input[data-id="' + ch.id + '"]');
    if (input) input.focus();
  }

  function addHighlight(extend) {
    const seg = S.segs[S.cur];
    if (!seg) return;
    if (extend && S.lastHighlight) {
      const ann = withAnn((a) => {
        const h = a.highlights.find((x) => x.id === S.lastHighlight);
        if (!h) return;
        h.start = Math.min(h.start, seg.start);
        h.end = Math.max(h.end, seg.end);
        if (h.segment_ids.indexOf(seg.id) < 0) h.segment_ids.push(seg.id);
      });
      commit([], ann, null, "释法重点");
      return;
    }
    const h = { id: newId("h"), start: seg.start, end: seg.end, title: "", law: "", article: "", note: "", segment_ids: [seg.id] };
    S.lastHighlight = h.id;
    const ann = withAnn((a) => { a.highlights.push(h); a.highlights.sort((x, y) => x.start - y.start); });
    commit([], ann, null, "释法重点");
    showTab("highlights");
    const input = document.querySelector('#highlight-list input[data-id="' + h.id + '"]');
    if (input) input.focus();
  }

  // ---------------------------------------------------------------- find & replace

  function openFind() {
    finishEdit();
    $("#find-bar").hidden = false;
    $("#find-text").focus();
    $("#find-text").select();
  }

  function setFind(text) {
    S.find = text;
    rerenderVisible();
    if (!text) { $("#find-count").textContent = ""; return; }
    let n = 0;
    for (const s of S.segs) if (s.text.indexOf(text) >= 0) n++;
    $("#find-count").textContent = n + " 段含有";
  }

  function findNext() {
    const q = S.find;
    if (!q) return;
    for (let k = 1; k <= S.segs.length; k++) {
      const i = (S.cur + k) % S.segs.length;
      if (S.segs[i].text.indexOf(q) >= 0) { select(i, { center: true }); return; }
    }
    say("没有找到");
  }

  function replaceIn(indices) {
    const q = S.find, repl = $("#replace-text").value;
    if (!q) return 0;
    let redactions = S.ann.redactions, flags = S.flags, total = 0;
    const changes = [];
    for (const i of indices) {
      const seg = S.segs[i];
      const r = E.replaceAll(seg, q, repl, redactions);
      if (!r) continue;
      const f = E.replaceAll(seg, q, repl, flags);
      redactions = r.spans; flags = f.spans; total += r.count;
      changes.push({ index: i, before: [seg], after: [r.seg] });
    }
    if (changes.length) commit(changes, Object.assign({}, S.ann, { redactions: redactions }), flags, "替换");
    return total;
  }

  // ---------------------------------------------------------------- side panels

  function showTab(name) {
    for (const b of document.querySelectorAll("#tabs button")) b.setAttribute("aria-selected", String(b.dataset.tab === name));
    for (const p of document.querySelectorAll(".panel")) p.hidden = p.id !== "panel-" + name;
  }

  function speakerLabels() {
    const labels = Object.keys(S.ann.speakers);
    const seen = new Set(labels);
    for (const s of S.segs) if (s.speaker && !seen.has(s.speaker)) { seen.add(s.speaker); labels.push(s.speaker); }
    return labels;
  }

  function changeAnn(label, fn, quiet) {
    commit([], withAnn(fn), null, label, quiet);
  }

  function renderPanels() {
    const focusId = document.activeElement && document.activeElement.dataset ? document.activeElement.dataset.id : null;
    const focusField = document.activeElement && document.activeElement.dataset ? document.activeElement.dataset.field : null;
    renderSpeakers(); renderChapters(); renderHighlights(); renderRedactions();
    if (focusId) {
      const again = document.querySelector('#side [data-id="' + CSS.escape(focusId) + '"][data-field="' + (focusField || "") + '"]');
      if (again) again.focus();
    }
  }

  function renderSpeakers() {
    const list = $("#speaker-list");
    list.replaceChildren(...speakerLabels().map((label, k) => el("li", {},
      el("div", { class: "row" },
        el("kbd", { text: String(k + 1) }),
        el("span", { class: "quote", text: label }),
        el("input", {
          value: S.ann.speakers[label] || "", placeholder: "显示名，如 执法人员", "aria-label": "说话人 " + label + " 的名字",
          dataset: { id: "spk:" + label, field: "name" },
          onchange: (ev) => changeAnn("说话人名字", (a) => { a.speakers[label] = ev.target.value.trim(); }, true),
        }, ),
      ))));
    for (const input of list.querySelectorAll("input")) input.setAttribute("list", "speaker-names");
  }

  function renderChapters() {
    $("#chapter-list").replaceChildren(...S.ann.chapters.map((c) => el("li", {},
      el("div", { class: "row" },
        el("button", { type: "button", class: "linkish", text: fmtTime(c.start), onclick: () => { seek(c.start); select(Math.max(0, E.indexAtTime(S.starts, c.start + 1e-6)), { center: true }); } }),
        el("input", {
          value: c.title, placeholder: "章节标题", "aria-label": "章节标题", dataset: { id: c.id, field: "title" },
          onchange: (ev) => changeAnn("章节标题", (a) => { a.chapters.find((x) => x.id === c.id).title = ev.target.value.trim(); },
            !!c.title === !!ev.target.value.trim()),
          onkeydown: (ev) => { if (ev.key === "Enter") { ev.preventDefault(); ev.target.blur(); $("#segments").focus(); } },
        }),
        el("button", { type: "button", text: "删除", "aria-label": "删除章节", onclick: () => changeAnn("删除章节", (a) => { a.chapters = a.chapters.filter((x) => x.id !== c.id); }) }),
      ),
      c.title ? null : el("span", { class: "warn", text: "请填写标题（空标题发布时会报错）" }))));
  }

  function lawLink(h, slot) {
    // Only the answer to the latest request may fill the slot (typing fires several).
    const ticket = String(Number(slot.dataset.ticket || 0) + 1);
    slot.dataset.ticket = ticket;
    if (!h || (!h.law && !h.article)) { slot.replaceChildren(); return; }
    api("GET", "/api/law-url?law=" + encodeURIComponent(h.law) + "&article=" + encodeURIComponent(h.article || ""))
      .then((r) => {
        if (slot.dataset.ticket !== ticket) return;
        if (r.problem) slot.replaceChildren(el("span", { class: "warn", text: "发布时会报错：" + r.problem }));
        else if (r.url && r.url.startsWith("/")) slot.replaceChildren(el("a", { href: r.url, target: "_blank", rel: "noopener", text: "《" + h.law.replace(/[《》]/g, "") + "》" + (h.article || "") }));
        else slot.replaceChildren();
      }).catch(() => {});
  }

  function renderHighlights() {
    $("#highlight-list").replaceChildren(...S.ann.highlights.map((h) => {
      const field = (name, placeholder, extra) => el("input", Object.assign({
        value: h[name] || "", placeholder: placeholder, "aria-label": placeholder, dataset: { id: h.id, field: name },
        onchange: (ev) => {
          changeAnn("释法重点", (a) => { a.highlights.find((x) => x.id === h.id)[name] = ev.target.value.trim(); }, true);
          lawLink(S.ann.highlights.find((x) => x.id === h.id), link);
        },
      }, extra || {}));
      const link = el("span", {});
      const law = field("law", "法律名称（如 中华人民共和国行政处罚法）");
      law.setAttribute("list", "law-titles");
      const li = el("li", {},
        el("div", { class: "row" },
          el("button", { type: "button", class: "linkish", text: fmtTime(h.start) + "–" + fmtTime(h.end), onclick: () => { seek(h.start); } }),
          field("title", "标题"),
          el("button", { type: "button", text: "删除", "aria-label": "删除释法重点", onclick: () => changeAnn("删除释法重点", (a) => { a.highlights = a.highlights.filter((x) => x.id !== h.id); }) })),
        el("div", { class: "row" }, law, field("article", "条文（如 第三十三条）")),
        el("div", { class: "row" }, field("note", "说明")),
        link);
      lawLink(h, link);
      return li;
    }));
  }

  function segIndexById(id) {
    for (let i = 0; i < S.segs.length; i++) if (S.segs[i].id === id) return i;
    return -1;
  }

  function spanText(sp) {
    const i = segIndexById(sp.segment_id);
    if (i < 0) return "";
    const t = S.segs[i].text;
    return t.slice(E.cpToU16(t, sp.start_char), E.cpToU16(t, sp.end_char));
  }

  // Releasing one of these puts a person's number on the public site: a reason is asked for
  // and kept with the redaction (and so in redaction-log.jsonl).
  const SENSITIVE = new Set(["phone", "id_number", "plate", "bank_card"]);
  const KIND_NAMES = { phone: "电话", id_number: "身份证号", plate: "车牌", bank_card: "银行卡号", name: "姓名", address: "地址", other: "其他号码" };

  function askReason(kinds, count) {
    const names = Array.from(new Set(kinds)).map((k) => KIND_NAMES[k] || k).join("、");
    const answer = window.prompt("公开" + (count > 1 ? " " + count + " 处" : "") + names + "会发布在网站上。请填写理由（记入隐去日志）：", "");
    return answer && answer.trim() ? answer.trim() : null;
  }

  function redactionFor(f, state, reason) {
    const red = { id: newId("r"), segment_id: f.segment_id, start_char: f.start_char, end_char: f.end_char,
      start: f.start, end: f.end, state: state, kind: f.kind, flag_id: f.id, text: f.text || spanText(f) };
    if (reason) red.reason = reason;
    return red;
  }

  function decideFlag(f, state) {
    let reason = "";
    if (state === "released" && SENSITIVE.has(f.kind)) {
      reason = askReason([f.kind], 1);
      if (reason == null) { say("未公开：需要填写理由"); return; }
    }
    const red = redactionFor(f, state, reason);
    changeAnn(state === "kept" ? "接受隐去" : "拒绝隐去", (a) => { a.redactions.push(red); });
  }

  /* Suggestions still waiting for a decision, narrowed by the kind and chapter filters:
   * the bulk buttons act on exactly this list, which is on screen when they are pressed. */
  function chapterRange(value) {
    if (value === "" || value == null) return null;
    const chapters = S.ann.chapters.slice().sort((a, b) => a.start - b.start);
    const k = Number(value);
    if (!chapters[k]) return null;
    return [chapters[k].start, k + 1 < chapters.length ? chapters[k + 1].start : Infinity];
  }

  function pendingFlags() {
    const reviewed = new Set(S.ann.redactions.map((r) => r.flag_id).filter(Boolean));
    const kind = $("#bulk-kind").value;
    const range = chapterRange($("#bulk-chapter").value);
    return S.flags.filter((f) => !reviewed.has(f.id) && (!kind || f.kind === kind)
      && (!range || (f.start + 0.6 >= range[0] && f.start + 0.6 < range[1])));
  }

  function decideAll(state) {
    const flags = pendingFlags();
    if (!flags.length) { say("没有待定的建议"); return; }
    let reason = "";
    const sensitive = flags.filter((f) => SENSITIVE.has(f.kind)).map((f) => f.kind);
    if (state === "released" && sensitive.length) {
      reason = askReason(sensitive, flags.length);
      if (reason == null) { say("未公开：需要填写理由"); return; }
    }
    const reds = flags.map((f) => redactionFor(f, state, reason));
    changeAnn((state === "kept" ? "全部接受隐去 " : "全部公开 ") + reds.length + " 处", (a) => { a.redactions.push(...reds); });
    say((state === "kept" ? "已隐去 " : "已公开 ") + reds.length + " 处");
  }

  function renderBulkBar() {
    const kinds = Array.from(new Set(S.flags.map((f) => f.kind))).sort();
    const kindSel = $("#bulk-kind"), chapSel = $("#bulk-chapter");
    const kv = kindSel.value, cv = chapSel.value;
    kindSel.replaceChildren(el("option", { value: "", text: "全部类别" }),
      ...kinds.map((k) => el("option", { value: k, text: KIND_NAMES[k] || k })));
    const chapters = S.ann.chapters.slice().sort((a, b) => a.start - b.start);
    chapSel.replaceChildren(el("option", { value: "", text: "全部章节" }),
      ...chapters.map((c, k) => el("option", { value: String(k), text: fmtTime(c.start) + " " + (c.title || "") })));
    if (kinds.includes(kv)) kindSel.value = kv;
    if (cv !== "" && chapters[Number(cv)]) chapSel.value = cv;
    $("#bulk-count").textContent = "待定 " + pendingFlags().length + " 处";
  }

  function renderRedactions() {
    renderBulkBar();
    const items = [];
    const goto = (segId, t) => () => { const i = segIndexById(segId); if (i >= 0) select(i, { center: true }); seek(t); };
    for (const f of pendingFlags()) {
      items.push(el("li", { class: "proposed" },
        el("div", { class: "row" },
          el("button", { type: "button", class: "linkish", text: fmtTime(f.start), onclick: goto(f.segment_id, f.start) }),
          el("span", { text: "建议隐去（" + (KIND_NAMES[f.kind] || f.kind) + "）" }), el("span", { class: "quote", text: f.text || spanText(f) })),
        el("div", { class: "row" },
          el("button", { type: "button", text: "接受：隐去", dataset: { id: f.id, field: "accept" }, onclick: () => decideFlag(f, "kept") }),
          el("button", { type: "button", text: "拒绝：公开", dataset: { id: f.id, field: "reject" }, onclick: () => decideFlag(f, "released") }))));
    }
    for (const r of S.ann.redactions) {
      const state = el("select", {
        "aria-label": "隐去状态", dataset: { id: r.id, field: "state" },
        onchange: (ev) => {
          let reason = "";
          if (ev.target.value === "released" && SENSITIVE.has(r.kind)) {
            reason = askReason([r.kind], 1);
            if (reason == null) { ev.target.value = r.state; say("未公开：需要填写理由"); return; }
          }
          changeAnn("隐去状态", (a) => {
            const x = a.redactions.find((y) => y.id === r.id);
            x.state = ev.target.value;
            if (reason) x.reason = reason;
          });
        },
      }, el("option", { value: "kept", text: "隐去" }), el("option", { value: "released", text: "公开" }), el("option", { value: "proposed", text: "待定（隐去）" }));
      state.value = r.state;
      items.push(el("li", {},
        el("div", { class: "row" },
          el("button", { type: "button", class: "linkish", text: fmtTime(r.start), onclick: goto(r.segment_id, r.start) }),
          el("span", { class: "quote", text: r.text || spanText(r) }), el("span", { text: KIND_NAMES[r.kind] || r.kind }),
          r.reason ? el("span", { class: "reason", text: "理由：" + r.reason }) : null),
        el("div", { class: "row" }, state,
          el("button", { type: "button", text: r.flag_id ? "撤回决定" : "删除", dataset: { id: r.id, field: "delete" },
            onclick: () => changeAnn("删除隐去", (a) => { a.redactions = a.redactions.filter((x) => x.id !== r.id); }) }))));
    }
    $("#redaction-list").replaceChildren(...items);
  }

  // ---------------------------------------------------------------- segment times and waveform

  const TIME_STEP = 0.1;

  function mediaDuration() {
    const p = $("#player");
    const d = (S.doc && S.doc.transcript && S.doc.transcript.duration) || (S.wave && S.wave.duration) || (p && p.duration);
    return d && isFinite(d) ? d : Infinity;
  }

  /* New start/end for segment i, kept in order with its neighbours and inside the media. */
  function setTimes(i, start, end) {
    const seg = S.segs[i];
    if (!seg) return;
    const prev = S.segs[i - 1], next = S.segs[i + 1];
    start = Math.max(0, prev ? prev.start : 0, start);
    if (next) start = Math.min(start, next.start);
    end = Math.min(mediaDuration(), Math.max(start, end));
    start = Math.round(start * 1000) / 1000; end = Math.round(end * 1000) / 1000;
    if (start === seg.start && end === seg.end) return;
    const after = Object.assign({}, seg, { start: start, end: end });
    commit([{ index: i, before: [seg], after: [after] }], null, null, "调整时间");
    say("开始 " + start.toFixed(2) + " s，结束 " + end.toFixed(2) + " s");
    drawWave(true);
  }

  function shiftTime(which, dt) {
    const seg = S.segs[S.cur];
    if (!seg) return;
    if (which === "start") setTimes(S.cur, seg.start + dt, seg.end);
    else setTimes(S.cur, seg.start, seg.end + dt);
  }

  function timeToPlayhead(which) {
    const p = $("#player"), seg = S.segs[S.cur];
    if (!seg || !p.src) return;
    if (which === "start") setTimes(S.cur, p.currentTime, Math.max(seg.end, p.currentTime));
    else setTimes(S.cur, seg.start, p.currentTime);
  }

  async function loadWave(id) {
    S.wave = null;
    $("#wave-box").hidden = true;
    try {
      const wave = await api("GET", "/api/transcripts/" + encodeURIComponent(id) + "/waveform");
      if (S.id !== id) return;
      S.wave = wave;
      $("#wave-box").hidden = false;
      drawWave(true);
    } catch (err) {
      $("#wave-box").hidden = true;   // no media, no waveform: the rest works without it
    }
  }

  const WAVE_SPAN = 20;   // seconds shown in the zoomed strip

  function waveView() {
    const seg = S.segs[S.cur], p = $("#player");
    const centre = !p.paused ? p.currentTime : seg ? (seg.start + seg.end) / 2 : p.currentTime || 0;
    const from = Math.max(0, centre - WAVE_SPAN / 2);
    return [from, from + WAVE_SPAN];
  }

  function drawWave(force) {
    if (!S.wave) return;
    const p = $("#player");
    const now = p.currentTime || 0;
    if (!force && S.waveDrawnAt === now && S.waveCur === S.cur) return;
    S.waveDrawnAt = now; S.waveCur = S.cur;
    const canvas = $("#wave"), g = canvas.getContext("2d");
    const w = canvas.width = canvas.clientWidth || 600, h = canvas.height;
    const [from, to] = waveView();
    const x = (t) => (t - from) / (to - from) * w;
    const step = S.wave.seconds_per_peak, peaks = S.wave.peaks;
    g.clearRect(0, 0, w, h);
    for (let k = Math.max(0, S.segs.length ? E.indexAtTime(S.starts, from) : 0); k < S.segs.length && S.segs[k].start < to; k++) {
      if (k < 0) continue;
      const s = S.segs[k];
      g.fillStyle = k === S.cur ? "rgba(255,190,0,0.35)" : "rgba(120,160,255,0.18)";
      g.fillRect(x(s.start), 0, Math.max(1, x(s.end) - x(s.start)), h);
      if (k === S.cur) {
        g.fillStyle = "#b36b00";
        g.fillRect(x(s.start) - 1, 0, 3, h);
        g.fillRect(x(s.end) - 1, 0, 3, h);
      }
    }
    g.fillStyle = "#334";
    for (let px = 0; px < w; px++) {
      const a = Math.floor((from + px / w * (to - from)) / step), b = Math.max(a + 1, Math.floor((from + (px + 1) / w * (to - from)) / step));
      let v = 0;
      for (let k = a; k < b && k < peaks.length; k++) v = Math.max(v, peaks[k]);
      const bar = v / 100 * (h - 4);
      g.fillRect(px, (h - bar) / 2, 1, Math.max(1, bar));
    }
    g.fillStyle = "#d00";
    g.fillRect(x(now), 0, 2, h);
    const over = $("#wave-overview"), o = over.getContext("2d");
    const ow = over.width = over.clientWidth || 600, oh = over.height;
    o.clearRect(0, 0, ow, oh);
    const total = Math.max(S.wave.duration, 0.001);
    o.fillStyle = "#667";
    for (let px = 0; px < ow; px++) {
      const a = Math.floor(px / ow * total / step), b = Math.max(a + 1, Math.floor((px + 1) / ow * total / step));
      let v = 0;
      for (let k = a; k < b && k < peaks.length; k++) v = Math.max(v, peaks[k]);
      const bar = v / 100 * oh;
      o.fillRect(px, oh - bar, 1, bar);
    }
    o.fillStyle = "rgba(255,190,0,0.5)";
    o.fillRect(from / total * ow, 0, Math.max(2, (to - from) / total * ow), oh);
    o.fillStyle = "#d00";
    o.fillRect(now / total * ow, 0, 2, oh);
  }

  function waveEvents() {
    const canvas = $("#wave");
    let drag = null;
    const timeAt = (ev) => {
      const [from, to] = waveView();
      const r = canvas.getBoundingClientRect();
      return from + (ev.clientX - r.left) / r.width * (to - from);
    };
    canvas.addEventListener("mousedown", (ev) => {
      const seg = S.segs[S.cur];
      if (!seg || !S.wave) return;
      const [from, to] = waveView();
      const r = canvas.getBoundingClientRect();
      const px = (t) => r.left + (t - from) / (to - from) * r.width;
      if (Math.abs(ev.clientX - px(seg.start)) <= 6) drag = { which: "start", view: [from, to] };
      else if (Math.abs(ev.clientX - px(seg.end)) <= 6) drag = { which: "end", view: [from, to] };
      else { seek(timeAt(ev)); drawWave(true); return; }
      ev.preventDefault();
    });
    window.addEventListener("mouseup", (ev) => {
      if (!drag) return;
      const r = canvas.getBoundingClientRect();
      const t = drag.view[0] + (ev.clientX - r.left) / r.width * (drag.view[1] - drag.view[0]);
      const which = drag.which;
      drag = null;
      const seg = S.segs[S.cur];
      if (which === "start") setTimes(S.cur, t, Math.max(seg.end, t)); else setTimes(S.cur, seg.start, t);
    });
    $("#wave-overview").addEventListener("mousedown", (ev) => {
      if (!S.wave) return;
      const r = ev.currentTarget.getBoundingClientRect();
      seek((ev.clientX - r.left) / r.width * S.wave.duration);
      drawWave(true);
    });
  }

  // ---------------------------------------------------------------- personal data typed while correcting

  const DIGITS = { "零": "0", "〇": "0", "一": "1", "幺": "1", "二": "2", "两": "2", "三": "3", "四": "4", "五": "5",
    "六": "6", "七": "7", "八": "8", "九": "9" };
  const PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼";

  /* [kind, start, end] in code points: numbers of people typed (or left) in a segment. */
  function typedPersonalData(text) {
    const cps = Array.from(text);
    const digit = (c) => c in DIGITS || (c >= "0" && c <= "9") || (c >= "０" && c <= "９");
    const sep = (c) => " -—–·.,，、".includes(c);
    const out = [];
    for (let k = 0; k < cps.length;) {
      if (!digit(cps[k])) { k++; continue; }
      let end = k + 1, count = 1;
      for (let j = k + 1; j < cps.length; j++) {
        if (digit(cps[j])) { count++; end = j + 1; }
        else if (!(sep(cps[j]) && j + 1 < cps.length && digit(cps[j + 1]))) break;
      }
      const before = cps.slice(Math.max(0, k - 4), k).join("");
      const plate = /[\u4e00-\u9fff][A-Za-z][\s·・\-—–，,、]*$/.test(before) && count >= 4;
      const tail = /尾号[是为]?\s*$/.test(before) && count >= 3;
      if (count >= 7) {
        const kind = count === 11 ? "phone" : count === 18 || (count === 17 && /[xX叉]/.test(cps[end] || "")) ? "id_number"
          : count >= 16 ? "bank_card" : "other";
        out.push([kind, k, end]);
      } else if (plate) {
        const m = before.match(/([\u4e00-\u9fff])[A-Za-z][\s·・\-—–，,、]*$/);
        out.push(["plate", k - m[0].length, end]);
      } else if (tail) {
        out.push(["other", k, end]);
      }
      k = end;
    }
    const name = /(我叫|名字叫|名字是|姓名)([\u4e00-\u9fff]{2,3})/g;
    let m;
    const joined = cps.join("");
    while ((m = name.exec(joined)) !== null) {
      if (m[2].includes("某")) continue;
      const a = Array.from(joined.slice(0, m.index + m[1].length)).length;
      out.push(["name", a, a + Array.from(m[2]).length]);
    }
    return out;
  }

  /* Flags for personal data typed into segment `seg`, beside those it already has. */
  function typedFlags(seg, flags, redactions) {
    const found = typedPersonalData(seg.text);
    if (!found.length) return flags;
    const mine = flags.filter((f) => f.segment_id === seg.id).concat(redactions.filter((r) => r.segment_id === seg.id));
    const add = [];
    for (const [kind, a, b] of found) {
      if (mine.some((f) => f.start_char < b && a < f.end_char)) continue;
      add.push({ id: seg.id + ":" + a + "-" + b, segment_id: seg.id, start_char: a, end_char: b, kind: kind,
        start: Math.max(0, Math.round((seg.start - 0.6) * 1000) / 1000), end: Math.round((seg.end + 0.6) * 1000) / 1000,
        text: Array.from(seg.text).slice(a, b).join("") });
    }
    if (add.length) say("发现疑似个人信息 " + add.length + " 处，已列入“隐去”待定");
    return add.length ? flags.concat(add) : flags;
  }

  // ---------------------------------------------------------------- saving

  function dirty() {
    return S.changeNo !== S.savedNo;
  }

  function showSaveState(text) {
    const box = $("#save-state");
    if (!S.id) return;
    box.className = dirty() ? "dirty" : "";
    box.textContent = text || (S.conflict ? "未保存：有冲突" : dirty() ? "有未保存的修改" : "已保存 · 版本 " + S.version);
  }

  function scheduleSave() {
    showSaveState();
    clearTimeout(S.saveTimer);
    S.saveTimer = S.conflict ? null : setTimeout(save, AUTOSAVE_MS);
  }

  async function save() {
    clearTimeout(S.saveTimer);
    S.saveTimer = null;
    if (!S.id || S.conflict) return false;
    if (S.saving) { S.saveTimer = setTimeout(save, 300); return false; }
    if (!dirty()) return true;
    S.saving = true;
    const id = S.id, no = S.changeNo, segNo = S.segsChangeNo;
    const body = {
      base_version: S.version, base_hash: S.hash, user: $("#user-name").value.trim(), annotations: S.ann,
    };
    const sent = S.segs.slice();
    if (segNo !== S.segsSavedNo) {
      // Unchanged segments go as {id, same}: a one-word fix must not upload 3 hours of words.
      body.segments = sent.map((seg) => S.clean.has(seg) ? { id: seg.id, same: true } : seg);
      body.flags = S.flags;
    }
    showSaveState("正在保存…");
    const t0 = performance.now();
    try {
      const res = await api("PUT", "/api/transcripts/" + encodeURIComponent(S.id), body);
      S.timings.saveMs = performance.now() - t0;
      if (S.id !== id) return true;   // another transcript was opened meanwhile
      S.version = res.version;
      S.hash = res.transcript_hash;
      S.savedNo = no;
      if (body.segments) S.clean = new WeakSet(sent);
      S.segsSavedNo = segNo;
      banner("");
      return true;
    } catch (err) {
      if (S.id !== id) {
        banner("上一个转写稿的修改未能保存：" + err.message);
      } else if (err.status === 409) {
        S.conflict = true;
        banner(err.message + "\n你的修改还在本页，但不会再自动保存。", "", KEEP_WORK);
      } else if (err.status === 403) {
        banner("保存失败：" + err.message + "\n（工具重新启动过？先下载未保存的修改，再刷新页面。）", "", KEEP_WORK);
      } else if (err.status === 422 || err.status === 400 || err.status === 413) {
        banner("保存失败：" + err.message, "", KEEP_WORK);
      } else {
        banner("保存失败（稍后自动重试）：" + err.message, "", KEEP_WORK);
        S.saveTimer = setTimeout(save, 5000);
      }
      S.failed = true;
      return false;
    } finally {
      S.saving = false;
      showSaveState();
      // Changes made while this save was in flight get their own save; a failed save is
      // retried by the next change (or the timer above), not in a tight loop.
      if (!S.failed && dirty() && !S.conflict && !S.saveTimer) scheduleSave();
      S.failed = false;
    }
  }

  async function exportAs(fmt) {
    finishEdit();
    if (dirty() && !(await save())) return;
    const res = await fetch("/api/transcripts/" + encodeURIComponent(S.id) + "/export." + fmt, { headers: { "X-Pufa-Token": TOKEN } });
    if (!res.ok) { banner("导出失败：" + ((await res.json()).error || res.statusText)); return; }
    const url = URL.createObjectURL(await res.blob());
    const a = el("a", { href: url, download: S.id + "." + fmt });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }

  // ---------------------------------------------------------------- keyboard

  function onKey(ev) {
    if (!S.id || $("#doc-view").hidden) return;
    if (ev.isComposing || ev.keyCode === 229) return;  // the IME is composing Chinese
    const t = ev.target;
    const inEditor = t.classList && t.classList.contains("edit");
    const inField = !inEditor && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT");
    const ctrl = ev.ctrlKey || ev.metaKey;
    const key = ev.key;
    const done = () => { ev.preventDefault(); ev.stopPropagation(); };

    if (ctrl && key.toLowerCase() === "s") { done(); finishEdit(); save(); return; }
    if (ctrl && key.toLowerCase() === "f") { done(); openFind(); return; }
    if (ev.altKey && !ctrl) {
      const map = {
        k: togglePlay, j: () => nudge(-STEP), l: () => nudge(STEP), ",": () => rate(-0.1), ".": () => rate(0.1),
        m: mergeWithNext, r: redactSelection,
        "1": () => shiftTime("start", -TIME_STEP), "2": () => shiftTime("start", TIME_STEP),
        "3": () => shiftTime("end", -TIME_STEP), "4": () => shiftTime("end", TIME_STEP),
        i: () => timeToPlayhead("start"), o: () => timeToPlayhead("end"),
        ArrowUp: () => { const e = S.editing >= 0; finishEdit(); select(S.cur - 1, { seek: true }); if (e) startEdit(S.cur); },
        ArrowDown: () => { const e = S.editing >= 0; finishEdit(); select(S.cur + 1, { seek: true }); if (e) startEdit(S.cur); },
      };
      const byCode = { Comma: ",", Period: ".", Digit1: "1", Digit2: "2", Digit3: "3", Digit4: "4", KeyI: "i", KeyO: "o" };
      const fn = map[key.length === 1 ? key.toLowerCase() : key] || map[byCode[ev.code] || ""];
      if (fn) { done(); fn(); }
      return;
    }
    if (inEditor) {
      if (key === "Enter" && ctrl) { done(); splitAtCursor(); }
      else if (key === "Enter" || key === "Escape") { done(); finishEdit(); }
      return;
    }
    if (inField) {
      if (key === "Escape") { done(); t.blur(); if (t.closest("#find-bar")) closeFind(); $("#segments").focus(); }
      return;
    }
    if (ctrl && !ev.shiftKey && key.toLowerCase() === "z") { done(); undo(); return; }
    if (ctrl && (key.toLowerCase() === "y" || (ev.shiftKey && key.toLowerCase() === "z"))) { done(); redo(); return; }
    if (ctrl) return;
    if (t.tagName === "BUTTON" && (key === "Enter" || key === " ")) return;
    switch (key) {
      case " ": case "k": case "K": done(); togglePlay(); break;
      case "ArrowLeft": case "j": case "J": done(); nudge(-STEP); break;
      case "ArrowRight": case "l": case "L": done(); nudge(STEP); break;
      case "[": done(); rate(-0.1); break;
      case "]": done(); rate(0.1); break;
      case "ArrowUp": done(); select(S.cur - 1, { seek: true }); break;
      case "ArrowDown": done(); select(S.cur + 1, { seek: true }); break;
      case "Enter": case "F2": done(); startEdit(S.cur); break;
      case "m": case "M": done(); mergeWithNext(); break;
      case "r": case "R": done(); redactSelection(); break;
      case "c": case "C": done(); addChapter(); break;
      case "h": done(); addHighlight(false); break;
      case "H": done(); addHighlight(true); break;
      case "f": case "F": done(); S.follow = !S.follow; $("#follow").classList.toggle("off", !S.follow); break;
      default:
        if (/^[0-9]$/.test(key)) { done(); assignSpeaker(Number(key)); }
    }
  }

  function closeFind() {
    $("#find-bar").hidden = true;
    setFind("");
  }

  // ---------------------------------------------------------------- wiring

  function route() {
    const m = location.hash.match(/^#\/t\/([^/]+)$/);
    const go = m ? openTranscript(decodeURIComponent(m[1])) : showList();
    go.catch((err) => banner("打开失败：" + err.message));
  }

  function wire() {
    document.addEventListener("keydown", onKey, true);
    window.addEventListener("hashchange", () => {
      if (S.id && dirty()) save();
      route();
    });
    window.addEventListener("beforeunload", (ev) => {
      if (S.id && dirty()) { save(); ev.preventDefault(); ev.returnValue = ""; }
    });
    const user = $("#user-name");
    user.value = localStorage.getItem("pufa-user") || "";
    user.addEventListener("change", () => localStorage.setItem("pufa-user", user.value.trim()));
    $("#btn-save").addEventListener("click", () => { finishEdit(); save(); });
    $("#btn-vtt").addEventListener("click", () => exportAs("vtt"));
    $("#btn-srt").addEventListener("click", () => exportAs("srt"));
    $("#tabs").addEventListener("click", (ev) => { const b = ev.target.closest("button"); if (b) showTab(b.dataset.tab); });
    $("#btn-add-speaker").addEventListener("click", () => {
      const labels = speakerLabels();
      let n = labels.length + 1;
      while (labels.indexOf("S" + n) >= 0) n++;
      changeAnn("添加说话人", (a) => { a.speakers["S" + n] = ""; });
    });
    const segs = $("#segments");
    segs.addEventListener("click", (ev) => {
      if (ev.target.closest("textarea")) return;
      const row = ev.target.closest(".seg");
      if (!row) return;
      if (!window.getSelection().isCollapsed) return;  // selecting text to redact
      const i = Number(row.dataset.i);
      if (S.editing >= 0 && S.editing !== i) finishEdit();
      select(i, { seek: true, scroll: false });
    });
    segs.addEventListener("dblclick", (ev) => {
      const row = ev.target.closest(".seg");
      if (row && !ev.target.closest("textarea")) startEdit(Number(row.dataset.i));
    });
    segs.addEventListener("focusout", (ev) => {
      if (ev.target.classList && ev.target.classList.contains("edit") && S.editing >= 0) {
        // Clicking elsewhere keeps what was typed: commit, do not discard.
        setTimeout(() => { if (S.editing >= 0 && !segs.contains(document.activeElement)) finishEdit(); }, 0);
      }
    });
    const player = $("#player");
    player.addEventListener("timeupdate", () => updatePlaying(player.currentTime));
    player.addEventListener("seeked", () => updatePlaying(player.currentTime));
    $("#find-bar").addEventListener("submit", (ev) => { ev.preventDefault(); findNext(); });
    $("#find-text").addEventListener("input", (ev) => setFind(ev.target.value));
    $("#btn-replace").addEventListener("click", () => {
      if (S.segs[S.cur] && S.segs[S.cur].text.indexOf(S.find) >= 0) replaceIn([S.cur]);
      findNext();
    });
    $("#btn-replace-all").addEventListener("click", () => {
      const n = replaceIn(S.segs.map((_, i) => i));
      $("#find-count").textContent = "替换了 " + n + " 处";
    });
    $("#btn-find-close").addEventListener("click", closeFind);
    $("#bulk-kind").addEventListener("change", renderRedactions);
    $("#bulk-chapter").addEventListener("change", renderRedactions);
    $("#btn-bulk-keep").addEventListener("click", () => decideAll("kept"));
    $("#btn-bulk-release").addEventListener("click", () => decideAll("released"));
    waveEvents();
    requestAnimationFrame(tick);
    route();
  }

  // For tests and the bench: read-only view of the state.
  window.pufaAnnotate = { state: S, save: save, dirty: dirty };
  wire();
})();
