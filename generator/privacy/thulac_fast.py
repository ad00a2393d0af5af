"""THULAC's joint segmentation + POS model (model_c) decoded with numpy.

thulac 0.2.2 ships a good tagger (its `np` tag finds person names jieba misses) but
decodes it in pure Python: loading unpacks 92 M weights into a tuple (many seconds, GBs
of memory) and tagging runs at ~1-2 thousand characters a second. This module reads the
same model files from the installed package (never copied into the repository) and
decodes them the same way, only vectorised:

* the weight table and the double-array trie are `numpy.memmap`s (load is instant, the
  pages are shared by forked workers through the page cache);
* the 7 n-gram features of every character of every line are looked up at once and
  their weight rows summed with numpy;
* Viterbi runs over all lines of a call together, one numpy step per character
  position, over the allowed label transitions (a -inf mask), with the same tie
  breaking as thulac (first best predecessor, first best final label).

Pre-processing (`Preprocesser.clean`) and the post-processing passes (place, idiom,
time-word and punctuation dictionaries) are thulac's own classes, so `cut()` returns
what `thulac.thulac().cut(text)` returns. tests/test_thulac_fast.py checks that.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

_SEPARATOR = 32        # ord(' '): thulac's feature separator
_BOUNDARY = 35         # ord('#'): sentence boundary character
_NEG = -np.inf


def model_dir() -> Path:
    """The `models` folder of the installed thulac package (no import of thulac itself,
    whose __init__ is cheap but whose decoder we do not want)."""
    import importlib.util

    spec = importlib.util.find_spec("thulac")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("thulac is not installed (pip install thulac==0.2.2)")
    return Path(list(spec.submodule_search_locations)[0]) / "models"


@dataclass(frozen=True)
class Word:
    text: str
    tag: str


class FastThulac:
    """Load once per process (before forking workers); `cut()` is then thread-safe and
    keeps no state between calls."""

    def __init__(self, models: Path | None = None) -> None:
        from thulac.manage.Postprocesser import Postprocesser
        from thulac.manage.Preprocesser import Preprocesser
        from thulac.manage.Punctuation import Punctuation
        from thulac.manage.TimeWord import TimeWord

        d = Path(models) if models else model_dir()
        model_file = d / "model_c_model.bin"
        header = np.fromfile(model_file, dtype="<i4", count=2)
        self.l_size, self.f_size = int(header[0]), int(header[1])
        L = self.l_size
        ll = np.fromfile(model_file, dtype="<i4", count=L * L, offset=8).reshape(L, L)
        # plain ndarray views of the maps: indexing a memmap object costs more per call
        self.fl = np.asarray(np.memmap(model_file, dtype="<i4", mode="r", offset=8 + 4 * L * L,
                                       shape=(self.f_size, L)))
        dat = np.asarray(np.memmap(d / "model_c_dat.bin", dtype="<i4", mode="r"))
        self.dat = dat                                  # flat: base at 2i, check at 2i+1
        self.dat_size = dat.shape[0] // 2

        labels = (d / "model_c_label.txt").read_text(encoding="utf-8").splitlines()
        self.labels = labels
        self.pos = np.array([int(x[0]) for x in labels])   # 0 B, 1 M, 2 E, 3 S
        self.tags = [x[1:] for x in labels]
        # pocs (bit set of allowed positions B/M/E/S) -> allowed label mask
        self.allowed = np.zeros((16, L), dtype=bool)
        for pocs in range(1, 16):
            self.allowed[pocs] = [(1 << p) & pocs != 0 for p in self.pos]
        self.allowed[0] = self.allowed[15]
        # transposed (to label j, from label k) so the max runs over the last axis
        trans = self._transitions(ll.astype(np.float64))
        # thulac's transitions are of two kinds: a word's first label (B, S) follows any
        # word's last label (E, S); M and E follow B or M of their own tag only. Viterbi
        # looks at those (47 x 47, and 2 a label) instead of all 96 x 96 pairs. Inside
        # the decoder labels are reordered, first labels then inner ones (`order`), so
        # each kind is a slice; predecessors stay in thulac's (ascending) order, so the
        # first best is thulac's.
        begins = np.nonzero((self.pos == 0) | (self.pos == 3))[0]
        inner = np.nonzero((self.pos == 1) | (self.pos == 2))[0]
        ends = np.nonzero((self.pos == 2) | (self.pos == 3))[0]
        self.order = np.concatenate([begins, inner])            # internal -> label
        where = np.empty(L, dtype=np.int64)
        where[self.order] = np.arange(L)                         # label -> internal
        self.where = where
        self.n_begin = len(begins)
        self.ends = where[ends]
        assert all(np.array_equal(np.nonzero(np.isfinite(trans[:, j]))[0], ends) for j in begins)
        self.trans_begin = np.ascontiguousarray(trans[np.ix_(ends, begins)].T)   # (begin, end)
        inner_preds = np.full((len(inner), 2), L)                # L: the -inf column
        self.trans_inner = np.full((len(inner), 2), _NEG)
        for row, j in enumerate(inner):
            ks = np.nonzero(np.isfinite(trans[:, j]))[0]
            assert len(ks) <= 2 and all(self.pos[k] in (0, 1) for k in ks)
            inner_preds[row, :len(ks)] = where[ks]
            self.trans_inner[row, :len(ks)] = trans[ks, j]
        self.inner_preds = inner_preds
        # back pointer (an index into the predecessor list) -> internal label
        width = len(ends)
        self.pred_table = np.full((L, width), L)
        self.pred_table[:self.n_begin] = self.ends
        self.pred_table[self.n_begin:, :2] = inner_preds

        # thulac's own pre/post-processing, so the output matches thulac.cut()
        self._pre = Preprocesser()
        self._post = [
            Postprocesser(str(d / "ns.dat"), "ns", False),
            Postprocesser(str(d / "idiom.dat"), "i", False),
            TimeWord(),
            Punctuation(str(d / "singlepun.dat")),
        ]

    def _transitions(self, ll: np.ndarray) -> np.ndarray:
        """ll weights where thulac's setLabelTrans allows k -> j, else -inf."""
        L = self.l_size
        ok = np.zeros((L, L), dtype=bool)
        same_ok = {(0, 1), (0, 2), (1, 2), (1, 1), (2, 0), (2, 3), (3, 3), (3, 0)}
        for i in range(L):
            for j in range(L):
                ni, nj = self.pos[i], self.pos[j]
                if self.tags[i] == self.tags[j]:
                    ok[i, j] = (ni, nj) in same_ok
                else:
                    ok[i, j] = ni in (2, 3) and nj in (0, 3)
        return np.where(ok, ll, _NEG)

    # ---- features -------------------------------------------------------------
    def _at(self, idx: np.ndarray) -> np.ndarray:
        """dat[idx] with Python's negative-index meaning (thulac indexes a tuple)."""
        n = self.dat.shape[0]
        return self.dat[np.where(idx < 0, idx + n, idx)]

    def _child(self, base: np.ndarray, ch: np.ndarray) -> np.ndarray:
        """Index of the trie child `ch` of node `base`, or -1 (thulac: getIndex)."""
        ind = self._at(2 * base) + ch
        ok = ind < self.dat_size
        safe = np.where(ok, ind, 0)
        ok &= self._at(2 * safe + 1) == base
        return np.where(ok, ind, -1)

    def _bases(self, c1: np.ndarray, c2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """thulac CBNGramFeature.findBases for arrays of character pairs."""
        c1 = np.where((c1 > 32) & (c1 < 128), c1 + 65248, c1)
        c2 = np.where((c2 > 32) & (c2 < 128), c2 + 65248, c2)
        ok1 = c1 < self.dat_size
        s1 = np.where(ok1, c1, 0)
        ok1 &= self._at(2 * s1 + 1) == 0
        uni = np.where(ok1, self._at(2 * s1) + _SEPARATOR, -1)
        ind = self._at(2 * s1) + c2
        ok2 = ok1 & (ind < self.dat_size)
        safe = np.where(ok2, ind, 0)
        ok2 &= self._at(2 * safe + 1) == c1
        bi = np.where(ok2, self._at(2 * safe) + _SEPARATOR, -1)
        return uni, bi

    def _emissions(self, lines: list[str]) -> list[np.ndarray]:
        """Summed feature weights, (n, l_size) a line, for cleaned non-empty lines.

        thulac's 7 features of character i of a line: unigrams at i-1, i, i+1 and bigrams
        (i-2,i-1) … (i+1,i+2), the line padded with '#'. All lines are laid end to end,
        each as '#' + line + '##', and every feature of every character looked up at once."""
        parts, offsets, at = [], [], 0
        for line in lines:
            parts.append(f"#{line}##")
            offsets.append(at)
            at += len(line) + 3
        e = np.frombuffer("".join(parts).encode("utf-32-le"), dtype="<u4").astype(np.int64)
        uni, pair_bi = self._bases(e[:-1], e[1:])        # pair k = (e[k], e[k+1])
        bi0 = int(self._bases(np.array([_BOUNDARY]), np.array([_BOUNDARY]))[1][0])
        lens = np.array([len(x) for x in lines])
        g = np.concatenate([np.arange(o, o + n) for o, n in zip(offsets, lens)])  # the '#' before char i
        first = np.zeros(len(g), dtype=bool)
        first[np.cumsum(lens) - lens] = True
        # thulac's uniBases[k] = uni(pair o+k); biBases[k] = bi(pair o+k-1), biBases[0] = bi('#','#')
        bi_before = np.where(first, bi0, pair_bi[np.maximum(g - 1, 0)])
        feats = [(uni[g + 1], 49), (uni[g], 50), (uni[g + 2], 51),
                 (pair_bi[g], 49), (pair_bi[g + 1], 50), (bi_before, 51), (pair_bi[g + 2], 52)]
        out = np.zeros((len(g), self.l_size), dtype=np.int64)
        for base, dele in feats:
            has = np.nonzero(base != -1)[0]
            node = self._child(base[has], dele)
            keep = node != -1
            # one feature a slot and character: a plain fancy-index add is safe
            out[has[keep]] += self.fl[self._at(2 * node[keep])]
        return np.split(out, np.cumsum(lens)[:-1])

    # ---- decoding -------------------------------------------------------------
    def _viterbi(self, emits: list[np.ndarray], graphs: list[np.ndarray]) -> list[np.ndarray]:
        """thulac AlphaBeta.dbDecode for many lines at once (padded batch, longest first,
        so the lines still running at a position are a prefix of the batch)."""
        order = sorted(range(len(emits)), key=lambda b: -len(emits[b]))
        B, L, nb = len(emits), self.l_size, self.n_begin
        lens = np.array([len(emits[b]) for b in order])
        T = int(lens[0])
        em = np.full((B, T, L), _NEG)                    # -inf: a label the line forbids there
        for row, b in enumerate(order):
            em[row, :lens[row]] = np.where(self.allowed[graphs[b]], emits[b], _NEG)[:, self.order]
        live = (B - np.cumsum(np.bincount(lens, minlength=T + 2))).tolist()   # lines longer than t
        back = np.zeros((B, T, L), dtype=np.int64)       # index into pred_table[j]
        # A label no predecessor reaches is -inf below, which is thulac's "not a
        # predecessor". thulac still scores it (its own value) as a last label: `final`
        # and `reached` keep that for each line's last position.
        final = np.full((B, L), _NEG)
        reached = np.ones((B, L), dtype=bool)
        use = np.full((B, L + 1), _NEG)                  # + the -inf column
        use[:, :L] = em[:, 0]
        final[live[1]:] = em[live[1]:, 0]
        best = np.empty((B, L))
        ends, wb, ip, wi = self.ends, self.trans_begin, self.inner_preds, self.trans_inner
        for t in range(1, T):
            m = live[t]
            u = use[:m]
            cb = u.take(ends, axis=1)[:, None, :] + wb             # (m, begin, end)
            back[:m, t, :nb] = cb.argmax(axis=2)                  # first best, as thulac
            best[:m, :nb] = cb.max(axis=2)
            ci = u.take(ip, axis=1) + wi                          # (m, inner, 2)
            second = ci[:, :, 1] > ci[:, :, 0]                    # a tie keeps the first
            back[:m, t, nb:] = second
            best[:m, nb:] = np.where(second, ci[:, :, 1], ci[:, :, 0])
            use[:m, :L] = best[:m] + em[:m, t]
            done = live[t + 1]
            if done < m:                                          # lines ending here
                got = best[done:m] > _NEG
                final[done:m] = np.where(got, best[done:m], 0.0) + em[done:m, t]
                reached[done:m] = got
        out: list[np.ndarray] = [np.empty(0)] * B
        table = self.pred_table
        for row, b in enumerate(order):
            n = int(lens[row])
            # thulac's best last label: the first best in label order, unreached ones counted
            j = int(self.where[final[row, self.where].argmax()])
            res = np.zeros(n, dtype=np.int64)
            t = n - 1
            res[t] = j
            if n == 1 or reached[row, j]:
                while t > 0:
                    j = int(table[j, back[row, t, j]])
                    t -= 1
                    res[t] = j
            out[b] = self.order[res]
        return out

    def _words(self, raw: str, labels: np.ndarray) -> list[tuple[str, str, str]]:
        pos = self.pos[labels]
        ends = np.nonzero((pos == 2) | (pos == 3))[0].tolist()
        if not ends or ends[-1] != len(raw) - 1:
            ends.append(len(raw) - 1)
        words, start = [], 0
        for e in ends:
            words.append((raw[start:e + 1], "_", self.tags[labels[e]]))
            start = e + 1
        return words

    def decode(self, raws: list[str], graphs: list[list[int]]) -> list[list[tuple[str, str, str]]]:
        """Decoder only (thulac CBTaggingDecoder.segmentTag) for cleaned lines."""
        results: list[list[tuple[str, str, str]]] = [[] for _ in raws]
        todo = [i for i, r in enumerate(raws) if r]
        # similar lengths together so the padded batch wastes little
        todo.sort(key=lambda i: len(raws[i]))
        for s in range(0, len(todo), 64):
            chunk = todo[s:s + 64]
            emits = self._emissions([raws[i] for i in chunk])
            gs = [np.array(graphs[i], dtype=np.int64) for i in chunk]
            for i, lab in zip(chunk, self._viterbi(emits, gs)):
                results[i] = self._words(raws[i], lab)
        return results

    def cut(self, text: str) -> list[list[tuple[str, str]]]:
        """Like thulac.thulac().cut(line) for each line of text: [(word, tag), ...]."""
        lines = text.split("\n")
        cleaned = [self._pre.clean(line) for line in lines]
        decoded = self.decode([c[0] for c in cleaned], [c[1] for c in cleaned])
        out = []
        for words in decoded:
            for p in self._post:
                p.adjustTag(words)
            out.append([(w[0], w[2]) for w in words])
        return out


def warm_pages(tagger: FastThulac) -> None:
    """Read the mapped files once so forked workers find them in the page cache."""
    for arr in (tagger.fl, tagger.dat):
        mm = np.asarray(arr).reshape(-1)
        step = max(1, 4096 // mm.itemsize)
        int(mm[::step].sum())

