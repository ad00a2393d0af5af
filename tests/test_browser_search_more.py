"""The search page ranks a window of results, then "更多结果" goes on past it: every
matching page can be reached, each once."""
from __future__ import annotations

import shutil
import threading
from pathlib import Path

from generator.site.build import build_site
from generator.site.serve import make_server
from generator.review.approvals import approve_all

MINI = Path(__file__).parent / "data" / "mini-project"
EXTRA = 27          # with the mini project's own, more than the ranking window (20) + a page


def test_more_results_go_past_the_ranking_window(tmp_path, phone_page):
    project = tmp_path / "p"
    shutil.copytree(MINI, project)
    template = (project / "cases_public" / "2024-0002.yaml").read_text(encoding="utf-8")
    for n in range(EXTRA):
        number = f"{100 + n:04d}"
        (project / "cases_public" / f"2024-{number}.yaml").write_text(
            template.replace("2024-0002", f"2024-{number}").replace("0002号", f"{number}号")
            .replace("李某", f"{'赵钱孙周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华'[n]}某"),
            encoding="utf-8")
    approve_all(project / "cases_public", "测试")      # staff approve the new cases
    build_site(project, progress=False)
    expected = {p.stem for p in (project / "cases_public").glob("*.yaml") if "驾驶员证" in p.read_text("utf-8")}
    assert len(expected) > 20 + 5

    server = make_server(project / "site")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        phone_page.goto(f"http://127.0.0.1:{server.server_address[1]}/search/?q=驾驶员证")
        phone_page.wait_for_selector(".pufa-search__results li", timeout=15000)
        more = phone_page.locator(".pufa-search__more")
        for _ in range(10):
            if more.is_hidden():
                break
            count = phone_page.locator(".pufa-result").count()
            more.click()
            phone_page.wait_for_function(
                f"document.querySelectorAll('.pufa-result').length > {count}", timeout=15000)
        assert more.is_hidden()
        hrefs = phone_page.locator(".pufa-result a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
        cases = [h.rstrip("/").rsplit("/", 1)[-1] for h in hrefs if "/cases/" in h]
        assert len(cases) == len(set(cases))
        assert set(cases) == expected
        assert phone_page.console_errors == []
    finally:
        server.shutdown()
        server.server_close()
