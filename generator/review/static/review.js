/* pufa review: the page staff use to approve imported cases. No outside resources; all
   text goes into the page as text nodes (never as HTML). */
(function () {
  "use strict";
  const TOKEN = document.querySelector('meta[name="pufa-token"]').content;
  const HIDDEN = "[已隐去]";
  const KINDS = { name: "姓名", id_number: "身份证号", phone: "电话", bank_card: "银行卡号", vin: "车架号",
                  plate: "车牌", house_number: "门牌号", personal: "个人信息列", age: "年龄", birth_date: "出生日期",
                  address: "住址", certificate: "证件号", credit_code: "信用代码/注册号" };
  const $ = (id) => document.getElementById(id);
  let rec = null;        // the open case, as the server sent it
  let items = [];        // changes and suspects, each with a decision
  let current = 0;
  let freeText = {};     // field → the reviewer's own text (编辑全文), replacing item edits there

  async function api(method, path, body) {
    const init = { method: method, headers: { "X-Pufa-Token": TOKEN } };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const res = await fetch(path, init);
    const data = await res.json().catch(() => ({ error: res.statusText }));
    if (!res.ok) throw new Error(data.error || res.statusText);
    return data;
  }

  function banner(text) {
    $("banner").textContent = text || "";
    $("banner").hidden = !text;
  }

  function el(tag, text, cls) {
    const node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    if (cls) node.className = cls;
    return node;
  }

  /* --- the list ------------------------------------------------------------------- */
  async function showList() {
    rec = null;
    $("record-view").hidden = true;
    $("list-view").hidden = false;
    banner("");
    let data;
    try { data = await api("GET", "/api/records"); } catch (e) { banner(e.message); return; }
    if (!$("reviewer").value) $("reviewer").value = localStorage.getItem("pufa-reviewer") || data.reviewer || "";
    $("counts").textContent = "待审核 " + data.pending.length + " 条 · 已批准 " + data.approved + " 条";
    const list = $("records");
    list.replaceChildren();
    $("list-empty").hidden = data.pending.length > 0;
    for (const row of data.pending) {
      const li = el("li");
      const button = el("button", row.id + " · " + row.title + " — 修改 " + row.changes + " 处，可疑 " + row.suspects + " 处");
      button.type = "button";
      button.dataset.id = row.id;
      button.addEventListener("click", () => { location.hash = "#/case/" + encodeURIComponent(row.id); });
      li.append(button);
      list.append(li);
    }
    const first = list.querySelector("button");
    if (first) first.focus();
  }

  /* --- one case ------------------------------------------------------------------- */
  async function showRecord(id) {
    banner("");
    try { rec = await api("GET", "/api/records/" + encodeURIComponent(id)); } catch (e) { banner(e.message); return; }
    items = [];
    for (const c of rec.changes) {
      items.push({ type: "change", field: c.field, start: c.start, end: c.end, text: c.after,
                   label: "已替换" + (KINDS[c.kind] || c.kind) + "：" + c.before + " → " + c.after, decision: "accepted", replacement: null });
    }
    for (const s of rec.suspects) {
      items.push({ type: "suspect", field: s.field, start: s.start, end: s.end, text: s.text,
                   label: "可疑 " + s.why + "：" + s.text, decision: null, replacement: null });
    }
    current = 0;
    freeText = {};
    $("list-view").hidden = true;
    $("record-view").hidden = false;
    $("record-title").textContent = rec.id + " · " + (rec.fields.title || "");
    $("record-source").textContent = (rec.case_no || "") + (rec.source ? " · 来源 " + rec.source : "");
    $("no-note").hidden = rec.has_note;
    $("personal-columns").hidden = !rec.personal_columns.length;
    $("personal-columns").textContent = "不公开的个人信息列：" + rec.personal_columns.join("、");
    $("state").textContent = rec.approved.length ? "已批准（" + rec.approved[0].by + "）" : "待审核";
    render();
    const first = $("items").querySelector("li");
    if (first) first.focus(); else $("approve").focus();
  }

  function decisionText(item) {
    if (item.decision === "accepted") return item.type === "change" ? "保留替换" : "已接受（不是个人信息）";
    if (item.decision === "hidden") return "隐去";
    if (item.decision === "edited") return "改为“" + item.replacement + "”";
    return "未处理";
  }

  function render() {
    const list = $("items");
    list.replaceChildren();
    items.forEach((item, index) => {
      const li = el("li");
      li.tabIndex = 0;
      li.dataset.index = index;
      li.className = (item.decision ? "" : "undecided ") + (index === current ? "current" : "");
      li.append(el("span", (rec.labels[item.field] || item.field) + "：", "what"), el("span", item.label));
      li.append(el("span", decisionText(item), "decision"));
      for (const [action, name] of [["accept", "接受"], ["hide", "隐去"], ["edit", "修改"]]) {
        const button = el("button", name);
        button.type = "button";
        button.dataset.action = action;
        button.disabled = action !== "accept" && item.start === undefined;
        button.addEventListener("click", () => { current = index; act(action); });
        li.append(" ", button);
      }
      li.addEventListener("focus", () => { current = index; markCurrent(); });
      list.append(li);
    });
    renderFields();
    const edits = items.some((i) => i.replacement !== null) || Object.keys(freeText).length > 0;
    $("save").disabled = !edits;
  }

  function markCurrent() {
    for (const li of $("items").children) li.classList.toggle("current", Number(li.dataset.index) === current);
  }

  function renderFields() {
    const box = $("fields");
    box.replaceChildren();
    for (const name of Object.keys(rec.labels)) {
      const text = rec.fields[name];
      if (!text) continue;
      const div = el("div", undefined, "field");
      const head = el("h3", rec.labels[name] + " ");
      const whole = el("button", "编辑全文");
      whole.type = "button";
      whole.addEventListener("click", () => {
        if (!(name in freeText)) freeText[name] = applied(name);
        render();
        const area = document.querySelector('textarea[data-field="' + name + '"]');
        if (area) area.focus();
      });
      head.append(whole);
      div.append(head);
      if (name in freeText) {
        // The reviewer writes this field as it should be published.
        const area = el("textarea");
        area.dataset.field = name;
        area.rows = 4;
        area.cols = 100;
        area.value = freeText[name];
        area.setAttribute("aria-label", rec.labels[name]);
        area.addEventListener("input", () => { freeText[name] = area.value; $("save").disabled = false; });
        div.append(area);
        box.append(div);
        continue;
      }
      const p = el("p");
      const spans = items.filter((i) => i.field === name && i.start !== undefined).sort((a, b) => a.start - b.start);
      let pos = 0;
      for (const item of spans) {
        if (item.start < pos) continue;
        p.append(text.slice(pos, item.start));
        const shown = item.replacement !== null ? item.replacement : text.slice(item.start, item.end);
        const cls = item.type === "suspect" && !item.decision ? "hl-suspect" : "hl-change";
        const mark = el("mark", shown, cls);
        mark.title = item.label;
        p.append(mark);
        pos = item.end;
      }
      p.append(text.slice(pos));
      div.append(p);
      box.append(div);
    }
  }

  function act(action) {
    const item = items[current];
    if (!item) return;
    if (action === "accept") {
      item.decision = "accepted";
      item.replacement = null;
    } else if (action === "hide" && item.start !== undefined) {
      item.decision = "hidden";
      item.replacement = HIDDEN;
    } else if (action === "edit" && item.start !== undefined) {
      const li = $("items").children[current];
      const input = el("input");
      input.value = item.replacement !== null ? item.replacement : item.text;
      input.setAttribute("aria-label", "改为");
      li.append(" ", input);
      input.focus();
      input.select();
      input.addEventListener("keydown", (event) => {
        event.stopPropagation();
        if (event.key === "Enter") {
          item.decision = "edited";
          item.replacement = input.value;
          render();
          focusItem(current);
        } else if (event.key === "Escape") {
          render();
          focusItem(current);
        }
      });
      return;
    }
    render();
    focusItem(Math.min(current + 1, items.length - 1));
  }

  function focusItem(index) {
    current = index;
    const li = $("items").children[index];
    if (li) li.focus();
    markCurrent();
  }

  function applied(name) {
    let text = rec.fields[name] || "";
    const spans = items.filter((i) => i.field === name && i.replacement !== null && i.start !== undefined)
      .sort((a, b) => b.start - a.start);
    for (const item of spans) text = text.slice(0, item.start) + item.replacement + text.slice(item.end);
    return text;
  }

  function editedFields() {
    const fields = {};
    for (const name of Object.keys(rec.labels)) {
      if (name in freeText) {
        if (freeText[name] !== rec.fields[name]) fields[name] = freeText[name];
        continue;
      }
      let text = rec.fields[name];
      const spans = items.filter((i) => i.field === name && i.replacement !== null && i.start !== undefined)
        .sort((a, b) => b.start - a.start);
      if (!spans.length) continue;
      for (const item of spans) text = text.slice(0, item.start) + item.replacement + text.slice(item.end);
      fields[name] = text;
    }
    return fields;
  }

  async function save() {
    const fields = editedFields();
    if (!Object.keys(fields).length) return true;
    try {
      const decided = items.map((i) => i.decision);
      rec = await api("PUT", "/api/records/" + encodeURIComponent(rec.id), { digest: rec.digest, fields: fields });
      $("state").textContent = "已保存";
      await showRecord(rec.id);
      // What the reviewer decided on the saved items is now in the text: the suspects
      // that remain were accepted already if they were decided before.
      if (decided.every((d) => d)) items.forEach((i) => { if (!i.decision) i.decision = "accepted"; });
      render();
      return true;
    } catch (e) {
      banner("保存失败：" + e.message);
      return false;
    }
  }

  async function approve() {
    const name = $("reviewer").value.trim();
    if (!name) { banner("请先填写审核人姓名。"); $("reviewer").focus(); return; }
    localStorage.setItem("pufa-reviewer", name);
    const open = items.filter((i) => !i.decision).length;
    if (open) { banner("还有 " + open + " 个可疑项未处理：接受、隐去或修改后再批准。"); focusItem(items.findIndex((i) => !i.decision)); return; }
    if (!(await save())) return;
    try {
      rec = await api("POST", "/api/records/" + encodeURIComponent(rec.id) + "/approve", { digest: rec.digest, by: name });
    } catch (e) { banner("批准失败：" + e.message); return; }
    $("state").textContent = "已批准";
    location.hash = "#/";
  }

  document.addEventListener("keydown", (event) => {
    if (!rec || $("record-view").hidden) return;
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { event.preventDefault(); approve(); return; }
    const tag = (event.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "textarea" || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "j") { focusItem(Math.min(current + 1, items.length - 1)); event.preventDefault(); }
    else if (event.key === "k") { focusItem(Math.max(current - 1, 0)); event.preventDefault(); }
    else if (event.key === "a") { act("accept"); event.preventDefault(); }
    else if (event.key === "h") { act("hide"); event.preventDefault(); }
    else if (event.key === "e") { act("edit"); event.preventDefault(); }
  });

  $("accept-all").addEventListener("click", () => {
    items.forEach((i) => { if (!i.decision) i.decision = "accepted"; });
    render();
  });
  $("hide-suspects").addEventListener("click", () => {
    items.forEach((i) => {
      if (i.type === "suspect" && i.start !== undefined) { i.decision = "hidden"; i.replacement = HIDDEN; }
    });
    render();
  });
  $("save").addEventListener("click", save);
  $("approve").addEventListener("click", approve);

  function route() {
    const match = location.hash.match(/^#\/case\/(.+)$/);
    if (match) showRecord(decodeURIComponent(match[1])); else showList();
  }
  window.addEventListener("hashchange", route);
  route();
})();
