"""Starting the search shard of an edited case before the pages step knows it changed.

After a one-case edit, Pagefind re-indexing that case's shard (~1,250 pages, ~1.2 s) is
most of a rebuild, and it could only start once every page's key had been computed
(~0.7 s). The case cache already knows which case files changed right after loading,
so their pages are rendered at once and their shard, as the last build planned it, is
indexed in the background with them, into scratch space.

It is a guess, checked before use: the index is adopted only when the real plan
re-indexes exactly that shard, with the same pages, and every page's Markdown is the
one the guess indexed (by digest). Anything else (a law edited too, a new case, a
changed layout) and the guess is dropped and the shard indexed as usual: the site is
the same either way (tests/test_incremental.py).
"""
from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from .incremental import BuildState
from .model import SiteModel
from .shards import ShardJob, ShardPlan, output_path, shard_of, sync_tree

MAX_CASES = 8           # more edited cases than this: not worth a guess


@dataclass
class Speculation:
    shard: int
    members: list[str]
    job: ShardJob

    def matches(self, plan: ShardPlan, docs: dict[str, str]) -> bool:
        """Whether the guess indexed what the plan asks for (waits for its pages)."""
        if plan.count != self.job.plan.count or plan.todo != [self.shard] \
                or plan.members.get(self.shard) != self.members:
            return False
        self.job.wait_written()
        used = self.job.used
        return len(used) == len(self.members) and all(docs.get(path) == used[path] for path in self.members)

    def adopt(self, plan: ShardPlan, pagefind_dir: Path) -> "AdoptedShard":
        return AdoptedShard(self, plan, pagefind_dir)

    def close(self) -> None:
        self.job.close()
        if self.job.output_root is not None:
            shutil.rmtree(self.job.output_root, ignore_errors=True)


@dataclass
class AdoptedShard:
    """The guess, used as the build's ShardJob: wait() moves its index into the state."""

    speculation: Speculation
    plan: ShardPlan
    pagefind_dir: Path

    def wait_written(self) -> None:
        self.speculation.job.wait_written()

    def wait(self, progress: bool = False) -> dict[str, str]:
        job = self.speculation.job
        job.wait(progress)          # raises the guess's Pagefind error; writes the shard list
        shard = str(self.speculation.shard)
        sync_tree(job.output_root / shard, self.pagefind_dir / shard)
        return dict(self.plan.signatures)

    def close(self) -> None:
        self.speculation.close()


def speculate(model: SiteModel, state: BuildState, markdown, site_name: str, pagefind: str,
              scratch: Path) -> Speculation | None:
    """Index the shard of the cases edited since the last build, if they share one."""
    if os.environ.get("PUFA_NO_SPECULATION"):      # to measure what the guess saves (bench/)
        return None
    edited = [model.cases_by_id[case_id] for case_id in sorted(model.reparsed) if case_id in model.cases_by_id]
    count = len(state.shard_members)
    if not edited or len(edited) > MAX_CASES or not count or len(edited) != len(model.reparsed):
        return None
    paths = [f"cases/{case.id}.md" for case in edited]
    shards = {shard_of(output_path(path), count) for path in paths}
    if len(shards) != 1:
        return None
    shard = shards.pop()
    members = state.shard_members.get(str(shard), [])
    if not set(paths) <= set(members):
        return None                            # a new case: the page set changes
    from .sections.cases import RelatedIndex, case_page
    related = RelatedIndex(model)
    overrides = {f"cases/{case.id}.md": markdown(case_page(model, case, related.related(case))).encode("utf-8")
                 for case in edited}
    plan = ShardPlan(count, {shard: list(members)}, {}, [shard])
    job = ShardJob(plan, state.docs_dir, state.pagefind_dir, site_name, pagefind, scratch,
                   overrides=overrides, output_root=scratch / "speculative")
    job.start(workers=1)
    # Its pages are written before the pages step starts: both are Python (one GIL), and
    # Pagefind, once it runs, needs none and has the other core.
    job.wait_written()
    return Speculation(shard, list(members), job)
