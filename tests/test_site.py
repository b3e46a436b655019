"""The built site, in a real browser: every page loads, links and images work, nothing errors.

Uses the book built once per session by the `built_book` fixture (conftest.py), serves it on
127.0.0.1 and drives Debian's headless Chromium over the DevTools protocol (tests/sitecheck.py).
Screenshots of the welcome page and of a chapter page, and a JSON summary of the check, are
saved in book/_build/screenshots/ as build artifacts. RATIFY_SITE=<html folder> checks an
already-built site instead (e.g. a one-chapter build), without building the book.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from ratify.site import pages_to_reread, unique_scripts, without_thebe

pytestmark = pytest.mark.book


@pytest.fixture(scope="module")
def html(request) -> Path:
    given = os.environ.get("RATIFY_SITE")
    if given:
        return Path(given)
    return request.getfixturevalue("built_book")[0]


@pytest.fixture(scope="module")
def browser():
    sitecheck = pytest.importorskip("sitecheck")
    if not Path(sitecheck.CHROMIUM).exists() and not shutil.which(sitecheck.CHROMIUM):
        reason = f"NO BROWSER: {sitecheck.CHROMIUM} not found (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(reason + " — .ci/run installs it.")
        pytest.skip(reason)
    chromium = sitecheck.Chromium()
    yield chromium
    chromium.close()


@pytest.fixture(scope="module")
def site_report(html, browser):
    from sitecheck import check_site, serve, site_pages

    with serve(html) as base:
        report = check_site(browser, base, html)
        report.base = base
        shots = html.parent / "screenshots"
        browser.goto(base + "intro.html")
        welcome = browser.screenshot(shots / "welcome.png")
        chapter_page = next((p for p in site_pages(html) if p.startswith("chapters/")
                             and report.pages[p]["images"]), None) or \
            next((p for p in site_pages(html) if p.startswith(("chapters/", "primer/"))), "intro.html")
        browser.goto(base + chapter_page)
        chapter = browser.screenshot(shots / "chapter.png")
        # the search page finds a word every chapter uses
        browser.goto(base + "search.html?q=ratification")
        report.search_hits = browser.evaluate(
            "new Promise(done => { const t0 = Date.now(); (function poll() {"
            " const n = document.querySelectorAll('#search-results li').length;"
            " if (n > 0 || Date.now() - t0 > 20000) done(n); else setTimeout(poll, 250); })(); })")
    math_pages = {p: probe["math"] for p, probe in report.pages.items() if probe["math"]["equations"]}
    summary = {"pages_checked": len(report.pages), "internal_links_checked": report.links_checked,
               "images": report.images, "figures": report.figures, "search_hits": report.search_hits,
               "pages_with_math": {p: f"{m['rendered']} of {m['equations']} equations rendered"
                                   for p, m in sorted(math_pages.items())},
               "external_requests": [p for p in report.problems if "request to another host" in p],
               "screenshots": [str(welcome), str(chapter)], "chapter_page": chapter_page,
               "problems": report.problems}
    (shots / "site-check.json").write_text(json.dumps(summary, indent=2))
    print(f"\nsite check: {summary['pages_checked']} pages, {report.links_checked} internal links, "
          f"{report.images} images, {report.figures} figures; screenshots: {welcome}, {chapter}")
    return report, welcome, chapter


def test_every_page_is_checked(html, site_report):
    from sitecheck import site_pages

    report, _, _ = site_report
    assert set(report.pages) == set(site_pages(html))
    assert "intro.html" in report.pages and len(report.pages) >= 5


def test_no_broken_links_images_errors_or_empty_figures(site_report):
    report, _, _ = site_report
    assert report.problems == [], "\n".join(report.problems)


def test_pages_carry_numbered_figures_and_download_and_launch_buttons(site_report):
    report, _, _ = site_report
    notebooks = [p for p, probe in report.pages.items()
                 if any(link["url"].endswith(".ipynb") for link in probe["links"])]
    assert notebooks, "no page offers its executed notebook (.ipynb) for download"
    page = report.pages[notebooks[0]]
    assert any("mybinder.org" in link["url"] for link in page["links"])
    assert any("colab.research.google.com" in link["url"] for link in page["links"])


def test_search_finds_pages(site_report):
    report, _, _ = site_report
    assert report.search_hits > 0


def test_screenshots_are_saved(site_report):
    _, welcome, chapter = site_report
    for shot in (welcome, chapter):
        data = shot.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000


def test_no_page_requests_another_host(site_report):
    """The site is complete: MathJax, fonts and scripts all come from the site itself."""
    report, _, _ = site_report
    external = [p for p in report.problems if "request to another host" in p]
    assert external == [], "\n".join(external)


def test_equations_render_on_every_page_with_math(site_report):
    report, _, _ = site_report
    math_pages = {p: probe["math"] for p, probe in report.pages.items() if probe["math"]["equations"]}
    assert len(math_pages) >= 5, f"only {sorted(math_pages)} carry equations; the primer and chapters have more"
    assert {p: m["rendered"] for p, m in math_pages.items()} == {p: m["equations"] for p, m in math_pages.items()}
    assert [p for p, probe in report.pages.items() if probe["math"]["raw_dollars"]] == []


def test_site_opens_from_disk(html, browser):
    """`make book` output needs no server and no network: on file://, every page's styles, images
    and relative links resolve, nothing is requested from another host and equations render."""
    from sitecheck import check_from_disk, is_redirect, site_pages

    pages = [p for p in site_pages(html) if not is_redirect(html / p)]
    assert "intro.html" in pages and any(p.startswith("chapters/") for p in pages)
    problems = [problem for page in pages for problem in check_from_disk(browser, html, page)]
    assert problems == [], "\n".join(problems)


def test_the_checker_sees_external_requests_and_unrendered_math(tmp_path, browser):
    """A page that loads MathJax from a CDN fails both checks (offline, the CDN never answers);
    the same page with the site's own MathJax copy passes them."""
    import importlib.util

    from sitecheck import check_from_disk

    mathjax = Path(importlib.util.find_spec("sphinx-mathjax-offline").origin).parent / "static" / "mathjax"
    shutil.copytree(mathjax, tmp_path / "_static" / "mathjax")
    page = ("<html><head><script defer src='{src}'></script></head><body>"
            "<p><span class='math notranslate nohighlight'>\\(\\beta_1 + x\\)</span></p></body></html>")
    (tmp_path / "cdn.html").write_text(page.format(src="https://cdn.invalid/mathjax/tex-chtml.js"))
    (tmp_path / "local.html").write_text(page.format(src="_static/mathjax/tex-chtml.js"))
    (tmp_path / "raw.html").write_text("<html><body><p>$$x^2$$</p><pre>$$ in code is fine</pre></body></html>")
    cdn = check_from_disk(browser, tmp_path, "cdn.html")
    assert any("request to another host: https://cdn.invalid/mathjax/tex-chtml.js" in p for p in cdn)
    assert any("equation not rendered by MathJax" in p for p in cdn)
    assert check_from_disk(browser, tmp_path, "local.html") == []
    assert check_from_disk(browser, tmp_path, "raw.html") == ["raw.html (file://): raw TeX ($$) in the page text: '$$x^2$$'"]


def test_the_multiverse_explorer_updates_when_a_decision_is_picked(html, browser):
    """A robustness page's explorer works in the static site: choosing a value for a decision
    filters the precomputed universes, and the count and the curve follow."""
    from sitecheck import drive_explorer, serve, site_pages

    pages = [p for p in site_pages(html) if 'class="mv-explorer"' in (html / p).read_text(encoding="utf-8")]
    assert pages, "no page carries a multiverse explorer (is a chapter's multiverse stored?)"
    with serve(html) as base:
        for page in pages:
            seen = drive_explorer(browser, base + page)
            assert seen["before"] > seen["after"] > 0, (page, seen)
            assert seen["dots"] == seen["after"] and seen["summary"].endswith("%"), (page, seen)


# --- the Sphinx hooks behind the site (lib/ratify/site.py) ---------------------------------------

def test_scorecard_is_reread_unless_already_read():
    always = ["reproducibility/scorecard", "not/a/page"]
    found = {"intro", "reproducibility/scorecard"}
    assert pages_to_reread(always, found, added=set(), changed=set()) == ["reproducibility/scorecard"]
    assert pages_to_reread(always, found, added=set(), changed={"reproducibility/scorecard"}) == []


class Js(str):
    """What Sphinx hands the page context as a script: a str with ``filename`` and ``attributes``."""

    def __new__(cls, filename, body=None):
        obj = super().__new__(cls, filename or "")
        obj.filename, obj.attributes = filename, ({"body": body} if body else {})
        return obj


def test_duplicate_scripts_are_dropped_in_order():
    scripts = [Js("a.js"), Js(None, "const X = 1"), Js("b.js"), Js("", "const X = 1"), Js("a.js")]
    kept = unique_scripts(scripts)
    assert [(s.filename, s.attributes.get("body")) for s in kept] == [("a.js", None), (None, "const X = 1"), ("b.js", None)]


def test_thebe_loader_is_dropped():
    """sphinx-thebe's loader names a CDN bundle; without a live-code button it is dead weight."""
    scripts = [Js("a.js"), Js(None, 'const THEBE_JS_URL = "https://unpkg.com/thebe"'), Js("_static/sphinx-thebe.js")]
    assert [s.filename for s in without_thebe(scripts)] == ["a.js"]
