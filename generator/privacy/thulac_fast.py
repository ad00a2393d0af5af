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
        self.fl = np.memmap(model_file, dtype="<i4", mode="r", offset=8 + 4 * L * L,
                            shape=(self.f_size, L))
        dat = np.memmap(d / "model_c_dat.bin", dtype="<i4", mode="r")
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
        self.trans_t = np.ascontiguousarray(self._transitions(ll.astype(np.float64)).T)

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

    def _emissions(self, codes: np.ndarray) -> np.ndarray:
        """Summed feature weights, shape (n, l_size), for one cleaned line."""
        n = len(codes)
        e = np.concatenate(([_BOUNDARY], codes, [_BOUNDARY, _BOUNDARY])).astype(np.int64)
        uni, bi_next = self._bases(e[:-1], e[1:])          # pairs k = 0..n+1
        _, bi0 = self._bases(np.array([_BOUNDARY]), np.array([_BOUNDARY]))
        bi = np.concatenate((bi0, bi_next))                # biBases[0..n+2]
        i = np.arange(n)
        feats = [(uni[i + 1], 49), (uni[i], 50), (uni[i + 2], 51),
                 (bi[i + 1], 49), (bi[i + 2], 50), (bi[i], 51), (bi[i + 3], 52)]
        out = np.zeros((n, self.l_size), dtype=np.int64)
        for base, dele in feats:
            has = base != -1
            node = np.full(n, -1, dtype=np.int64)
            node[has] = self._child(base[has], dele)
            has = node != -1
            # one feature per slot and character: plain fancy-index add is safe
            out[has] += self.fl[self._at(2 * node[has])]
        return out

    # ---- decoding -------------------------------------------------------------
    def _viterbi(self, emits: list[np.ndarray], graphs: list[np.ndarray]) -> list[np.ndarray]:
        """thulac AlphaBeta.dbDecode for many lines at once (padded batch)."""
        B = len(emits)
        L = self.l_size
        lens = np.array([len(x) for x in emits])
        T = int(lens.max())
        em = np.zeros((B, T, L))
        allow = np.zeros((B, T, L), dtype=bool)
        for b, (x, g) in enumerate(zip(emits, graphs)):
            em[b, :len(x)] = x
            allow[b, :len(x)] = self.allowed[g]
        back = np.zeros((B, T, L), dtype=np.int16)       # best predecessor label
        reach = np.zeros((B, T, L), dtype=bool)          # thulac: preAlpha[1] != -2
        score = np.where(allow[:, 0], em[:, 0], _NEG)
        reach[:, 0] = allow[:, 0]
        final = np.full((B, L), _NEG)
        final_reach = np.zeros((B, L), dtype=bool)
        last = lens == 1
        final[last] = score[last]
        for t in range(1, T):
            live = np.nonzero(lens > t)[0]
            prev = np.where(reach[live, t - 1], score[live], _NEG)
            cand = prev[:, None, :] + self.trans_t[None]   # (b, j, k)
            k = cand.argmax(axis=2)                        # first best, as thulac
            best = cand.max(axis=2)
            got = np.isfinite(best)
            a = allow[live, t]
            new = np.where(got, best, 0.0) + em[live, t]
            score[live] = np.where(a, new, _NEG)
            reach[live, t] = a & got
            back[live, t] = k
            ends = live[lens[live] == t + 1]
            if len(ends):
                final[ends] = score[ends]
        # the best final label (unreachable ones count too, as in thulac)
        out = []
        for b in range(B):
            n = lens[b]
            j = int(final[b].argmax())
            res = np.zeros(n, dtype=np.int64)
            t = n - 1
            res[t] = j
            while t > 0 and reach[b, t, j]:
                j = int(back[b, t, j])
                t -= 1
                res[t] = j
            out.append(res)
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
            emits = [self._emissions(np.array([ord(c) for c in raws[i]], dtype=np.int64))
                     for i in chunk]
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

