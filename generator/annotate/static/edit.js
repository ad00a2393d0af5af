/* Pure transcript edits (no DOM): text edits that carry redactions along, split, merge.
 *
 * Segments and annotations are treated as immutable: every function returns new objects,
 * so undo/redo can keep the old ones. Record offsets (start_char/end_char) count code
 * points like Python; JS strings count UTF-16 units, so offsets are converted at the edge.
 */
"use strict";
(function (global) {
  const ASTRAL = /[\uD800-\uDFFF]/;

  function cpToU16(text, cp) {
    if (!ASTRAL.test(text)) return cp;
    let u = 0;
    for (let i = 0; i < cp && u < text.length; i++) u += text.codePointAt(u) > 0xffff ? 2 : 1;
    return u;
  }

  function u16ToCp(text, u) {
    if (!ASTRAL.test(text)) return u;
    return Array.from(text.slice(0, u)).length;
  }

  function cpLen(text) {
    return ASTRAL.test(text) ? Array.from(text).length : text.length;
  }

  /* Where each recognised word sits in the (possibly edited) text, in UTF-16 offsets.
   * Words that no longer match the text are skipped. */
  function wordSpans(seg) {
    const spans = [];
    let cursor = 0;
    for (const w of seg.words || []) {
      const token = String(w.word || "").trim();
      if (!token) continue;
      const at = seg.text.indexOf(token, cursor);
      if (at < 0 || at - cursor > 8) continue;
      spans.push({ start: at, end: at + token.length, word: w });
      cursor = at + token.length;
    }
    return spans;
  }

  /* The moment character `i` (UTF-16) is spoken: from word timings, else proportional. */
  function timeAtChar(seg, i) {
    const spans = wordSpans(seg);
    if (spans.length) {
      let prev = null;
      for (const s of spans) {
        if (i < s.start) return prev ? prev.word.end : Math.max(seg.start, s.word.start);
        if (i < s.end) {
          const frac = (i - s.start) / (s.end - s.start);
          return s.word.start + (s.word.end - s.word.start) * frac;
        }
        prev = s;
      }
      return Math.min(seg.end, prev.word.end);
    }
    const len = seg.text.length || 1;
    return seg.start + (seg.end - seg.start) * (i / len);
  }

  function round3(x) {
    return Math.round(x * 1000) / 1000;
  }

  /* Map a span [s, e) of the old text through replacing old[from, to) by `insert`.
   * A span the replacement overlaps (or an insertion touching its edge) grows to cover
   * what replaced it: when in doubt, hide more, never less. A span merely next to a
   * replaced word keeps its own text. Returns null when the span's text is gone. */
  function mapSpan(s, e, from, to, insertLen) {
    const delta = insertLen - (to - from);
    const touching = from === to ? (s <= from && from <= e) : (s < to && from < e);
    let ns, ne;
    if (touching) {
      ns = Math.min(s, from);
      ne = Math.max(e, to) + delta;
    } else if (e <= from) {
      ns = s; ne = e;
    } else {
      ns = s + delta; ne = e + delta;
    }
    if (ne <= ns) return null;
    return [ns, ne];
  }

  /* Apply one replacement to a segment's text and move the spans (redactions, flags)
   * that point into it. `spans` are records with segment_id/start_char/end_char (code
   * points). Returns {seg, spans} with new objects for whatever changed; a span whose
   * text was deleted is dropped. */
  function replaceInSegment(seg, from, to, insert, spans) {
    const text = seg.text.slice(0, from) + insert + seg.text.slice(to);
    const out = [];
    for (const sp of spans) {
      if (sp.segment_id !== seg.id) {
        out.push(sp);
        continue;
      }
      const s16 = cpToU16(seg.text, sp.start_char);
      const e16 = cpToU16(seg.text, sp.end_char);
      const mapped = mapSpan(s16, e16, from, to, insert.length);
      if (!mapped) continue;
      if (mapped[0] === s16 && mapped[1] === e16 && text === seg.text) {
        out.push(sp);
        continue;
      }
      out.push(Object.assign({}, sp, {
        start_char: u16ToCp(text, mapped[0]),
        end_char: u16ToCp(text, mapped[1]),
        text: text.slice(mapped[0], mapped[1]),
      }));
    }
    return { seg: Object.assign({}, seg, { text: text }), spans: out };
  }

  /* Whole-text edit (what a person typed): one replacement of the changed middle. */
  function diffRange(a, b) {
    let pre = 0;
    const max = Math.min(a.length, b.length);
    while (pre < max && a.charCodeAt(pre) === b.charCodeAt(pre)) pre++;
    if (pre > 0 && /[\uD800-\uDBFF]/.test(a[pre - 1])) pre--;   // never cut a surrogate pair
    let suf = 0;
    while (suf < max - pre && a.charCodeAt(a.length - 1 - suf) === b.charCodeAt(b.length - 1 - suf)) suf++;
    if (suf > 0 && /[\uDC00-\uDFFF]/.test(a[a.length - suf])) suf--;
    return { from: pre, to: a.length - suf, insert: b.slice(pre, b.length - suf) };
  }

  function setText(seg, newText, spans) {
    if (newText === seg.text) return { seg: seg, spans: spans };
    const d = diffRange(seg.text, newText);
    return replaceInSegment(seg, d.from, d.to, d.insert, spans);
  }

  /* Replace every occurrence of `find` (plain text) in one segment, right to left so
   * earlier offsets stay valid. */
  function replaceAll(seg, find, repl, spans) {
    if (!find || seg.text.indexOf(find) < 0) return null;
    const hits = [];
    let at = seg.text.indexOf(find);
    while (at >= 0) {
      hits.push(at);
      at = seg.text.indexOf(find, at + find.length);
    }
    let cur = { seg: seg, spans: spans };
    for (let k = hits.length - 1; k >= 0; k--) {
      cur = replaceInSegment(cur.seg, hits[k], hits[k] + find.length, repl, cur.spans);
    }
    return Object.assign(cur, { count: hits.length });
  }

  function insideSpan(seg, i16, spans) {
    for (const sp of spans) {
      if (sp.segment_id !== seg.id) continue;
      const s = cpToU16(seg.text, sp.start_char), e = cpToU16(seg.text, sp.end_char);
      if (s < i16 && i16 < e) return sp;
    }
    return null;
  }

  /* Split `seg` at UTF-16 index k: Chinese has no spaces, so split at the character and
   * divide the time where the word timings say that character is spoken.
   * `redactions`/`flags` move to the new segment when they lie after k; a span that k
   * would cut refuses the split (throws). */
  function split(seg, k, newId, redactions, flags) {
    if (k > 0 && k < seg.text.length && /[\uDC00-\uDFFF]/.test(seg.text[k])) k -= 1;
    if (k <= 0 || k >= seg.text.length) throw new Error("光标在开头或结尾，无法拆分 / put the cursor inside the text to split");
    if (insideSpan(seg, k, redactions) || insideSpan(seg, k, flags)) {
      throw new Error("不能在隐去的内容中间拆分 / cannot split inside a redacted span");
    }
    const lo = seg.start + 0.01, hi = seg.end - 0.01;
    let t = timeAtChar(seg, k);
    t = round3(hi > lo ? Math.min(hi, Math.max(lo, t)) : (seg.start + seg.end) / 2);
    const spans = wordSpans(seg);
    const mapped = new Set(spans.map((s) => s.word));
    const first = [], second = [];
    for (const s of spans) {
      if (s.end <= k) first.push(s.word);
      else if (s.start >= k) second.push(s.word);
      else {  // a word cut in two: each half keeps its share of the time
        first.push(Object.assign({}, s.word, { end: t, word: seg.text.slice(s.start, k) }));
        second.push(Object.assign({}, s.word, { start: t, word: seg.text.slice(k, s.end) }));
      }
    }
    for (const w of seg.words || []) {
      if (!mapped.has(w)) (w.start < t ? first : second).push(w);
    }
    const byStart = (a, b) => a.start - b.start;
    const kcp = u16ToCp(seg.text, k);
    const a = Object.assign({}, seg, { end: t, text: seg.text.slice(0, k), words: first.sort(byStart) });
    const b = Object.assign({}, seg, { id: newId, start: t, text: seg.text.slice(k), words: second.sort(byStart) });
    const move = (sp) => sp.segment_id === seg.id && sp.start_char >= kcp
      ? Object.assign({}, sp, { segment_id: newId, start_char: sp.start_char - kcp, end_char: sp.end_char - kcp })
      : sp;
    return { a: a, b: b, redactions: redactions.map(move), flags: flags.map(move) };
  }

  /* Merge `a` with the next segment `b`: spans of b shift behind a's text. */
  function merge(a, b, redactions, flags, highlights) {
    const shift = cpLen(a.text);
    const move = (sp) => sp.segment_id === b.id
      ? Object.assign({}, sp, { segment_id: a.id, start_char: sp.start_char + shift, end_char: sp.end_char + shift })
      : sp;
    const seg = Object.assign({}, a, {
      end: Math.max(a.end, b.end), text: a.text + b.text, speaker: a.speaker || b.speaker,
      words: (a.words || []).concat(b.words || []),
    });
    const hl = highlights.map((h) => h.segment_ids.indexOf(b.id) < 0 ? h : Object.assign({}, h, {
      segment_ids: Array.from(new Set(h.segment_ids.map((id) => id === b.id ? a.id : id))),
    }));
    return { seg: seg, redactions: redactions.map(move), flags: flags.map(move), highlights: hl };
  }

  /* A new redaction over UTF-16 [s, e) of seg; the time range is widened a little because
   * word timings are approximate and a half-heard digit is still personal data. */
  function redaction(seg, s, e, id) {
    const pad = 0.3;
    return {
      id: id, segment_id: seg.id,
      start_char: u16ToCp(seg.text, s), end_char: u16ToCp(seg.text, e),
      start: round3(Math.max(0, timeAtChar(seg, s) - pad)),
      end: round3(timeAtChar(seg, e) + pad),
      state: "kept", kind: "other", flag_id: "", text: seg.text.slice(s, e),
    };
  }

  function indexAtTime(starts, t) {
    let lo = 0, hi = starts.length - 1, ans = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid] <= t) { ans = mid; lo = mid + 1; } else hi = mid - 1;
    }
    return ans;
  }

  global.PufaEdit = {
    cpToU16, u16ToCp, cpLen, wordSpans, timeAtChar, mapSpan, replaceInSegment, diffRange,
    setText, replaceAll, split, merge, redaction, indexAtTime, insideSpan,
  };
})(window);
