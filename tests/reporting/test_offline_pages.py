"""Every page the project writes works without the internet: the yearly report and the Data Docs
of its checks, drawn in headless Chromium with every network address unresolvable."""
import re
import shutil
import subprocess

from orchestration.lock import data_docs

FETCHED = re.compile(r"<(?:script|link|img)[^>]+(?:src|href)=\"https?://", re.I)
STYLED = re.compile(r"url\(\s*['\"]?https?://", re.I)


def _offline_dom(page, tmp_path) -> str:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "Chromium is installed by `make test` (scripts/install-browser.sh)"
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
             "--host-resolver-rules=MAP * ~NOTFOUND", f"--user-data-dir={tmp_path / 'profile'}",
             "--virtual-time-budget=5000", "--dump-dom", page.as_uri()]
    return subprocess.run([chromium, *flags], check=True, capture_output=True, text=True, timeout=120).stdout


def test_the_data_docs_load_nothing_from_elsewhere_and_draw_their_lists_offline(built_warehouse, tmp_path):
    from expectations.catalogue import default_rules

    site = data_docs(built_warehouse["settings"].db_path)
    pages = list(site.rglob("*.html"))
    assert len(pages) > 3
    # scripts, styles and images come from the site itself, a stylesheet's too
    for page in [*pages, *site.rglob("*.css")]:
        text = page.read_text(encoding="utf-8")
        assert not FETCHED.findall(text) and not STYLED.findall(text), page
    assert "static/images/logo-long.png" in (site / "index.html").read_text(encoding="utf-8")
    dom = _offline_dom(site / "index.html", tmp_path)
    # the validation list is drawn by bootstrap-table's script: one row per mart the rules read
    marts = {r.applies_to for r in default_rules()}
    drawn = re.findall(r'<tr[^>]*data-index="\d+"', dom)
    assert len(drawn) >= len(marts)
    assert all(mart in dom for mart in marts)


def test_the_yearly_report_is_whole_offline(built_warehouse, tmp_path):
    page = built_warehouse["settings"].out_dir / "2024" / "yearly_comparison_2024.html"
    assert not FETCHED.findall(page.read_text(encoding="utf-8"))
    dom = _offline_dom(page, tmp_path)
    assert "地区对比" in dom and "<svg" in dom and "校验问题" in dom
