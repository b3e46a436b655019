"""Check a built Jupyter Book in a real browser: headless Chromium over the DevTools protocol.

``serve(html)`` serves the site on 127.0.0.1 from a thread; ``Chromium`` starts Debian's
chromium with a fresh profile and speaks the Chrome DevTools Protocol over a websocket (no
browser download, no driver); ``check_site`` visits every page and returns what is broken:
internal links or images that do not load, root-relative links (they break when the site is
opened from disk), cell error or stderr outputs, figures without a rendered image, assets
that fail to load, uncaught JavaScript errors, any request to another host (the site must
work offline) and equations that MathJax did not render.
"""

from __future__ import annotations

import base64
import functools
import http.server
import itertools
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlsplit

import websocket  # websocket-client

CHROMIUM = os.environ.get("RATIFY_CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--hide-scrollbars", "--mute-audio"]
SKIP_DIRS = ("_static", "_sources", "_images", "_downloads", "_sphinx_design_static")


# --- serving --------------------------------------------------------------------------------

class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep the test output readable
        pass


@contextmanager
def serve(root: Path):
    """Serve ``root`` on a free loopback port; yields the base URL (ending in /)."""
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


# --- the browser ----------------------------------------------------------------------------

class Chromium:
    """A headless Chromium with one tab, driven over the DevTools protocol."""

    def __init__(self, executable: str = CHROMIUM, width: int = 1280, height: int = 900, timeout: float = 60):
        self.timeout = timeout
        self.profile = tempfile.mkdtemp(prefix="ratify-chromium-")
        self.proc = subprocess.Popen(
            [executable, *FLAGS, f"--user-data-dir={self.profile}", "--remote-debugging-port=0",
             f"--window-size={width},{height}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self._ids = itertools.count(1)
        self.events: list[dict] = []
        try:
            self.ws = websocket.create_connection(self._browser_ws(), timeout=timeout, suppress_origin=True)
            target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
            self.session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
            for domain in ("Page", "Runtime", "Network"):
                self.send(f"{domain}.enable", session=True)
            self.send("Emulation.setDeviceMetricsOverride",
                      {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False}, session=True)
        except Exception:
            self.close()
            raise

    def _browser_ws(self) -> str:
        """Chromium writes its port and browser path to DevToolsActivePort once it listens."""
        marker = Path(self.profile) / "DevToolsActivePort"
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"chromium exited with code {self.proc.returncode} before it listened")
            if marker.exists() and len(lines := marker.read_text().split()) >= 2:
                return f"ws://127.0.0.1:{lines[0]}{lines[1]}"
            time.sleep(0.1)
        raise TimeoutError("chromium did not open its DevTools port")

    def send(self, method: str, params: dict | None = None, session: bool = False) -> dict:
        """Call a DevTools method and wait for its answer; events that arrive meanwhile are kept."""
        msg_id = next(self._ids)
        msg = {"id": msg_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = self.session
        self.ws.send(json.dumps(msg))
        while True:
            reply = json.loads(self.ws.recv())
            if reply.get("id") == msg_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            if "method" in reply:
                self.events.append(reply)

    def _wait_event(self, method: str, since: int) -> None:
        deadline = time.monotonic() + self.timeout
        while not any(e["method"] == method for e in self.events[since:]):
            if time.monotonic() > deadline:
                raise TimeoutError(f"no {method} within {self.timeout}s")
            self.ws.settimeout(max(0.1, deadline - time.monotonic()))
            reply = json.loads(self.ws.recv())
            if "method" in reply:
                self.events.append(reply)
        self.ws.settimeout(self.timeout)

    def goto(self, url: str) -> list[dict]:
        """Load ``url`` and wait for its load event; returns the events seen while loading."""
        since = len(self.events)
        result = self.send("Page.navigate", {"url": url}, session=True)
        if result.get("errorText"):
            raise RuntimeError(f"{url}: {result['errorText']}")
        self._wait_event("Page.loadEventFired", since)
        return self.events[since:]

    def evaluate(self, expression: str):
        """Run JavaScript in the page (promises are awaited) and return its JSON value."""
        result = self.send("Runtime.evaluate", {"expression": expression, "awaitPromise": True,
                                                "returnByValue": True, "timeout": self.timeout * 1000},
                           session=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"script failed: {result['exceptionDetails'].get('text')} "
                               f"{result['exceptionDetails'].get('exception', {}).get('description', '')}")
        return result["result"].get("value")

    def screenshot(self, path: Path, max_height: int = 4000) -> Path:
        """A PNG of the page from the top, up to ``max_height`` CSS pixels tall."""
        size = self.send("Page.getLayoutMetrics", session=True)["cssContentSize"]
        clip = {"x": 0, "y": 0, "width": size["width"], "height": min(size["height"], max_height), "scale": 1}
        data = self.send("Page.captureScreenshot", {"format": "png", "clip": clip, "captureBeyondViewport": True},
                         session=True)["data"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))
        return path

    def close(self) -> None:
        try:
            if getattr(self, "ws", None):
                try:
                    self.send("Browser.close")
                except Exception:  # noqa: BLE001 - the browser may already be gone
                    pass
                self.ws.close()
        finally:
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            shutil.rmtree(self.profile, ignore_errors=True)


# --- what is checked on each page ---------------------------------------------------------------

# Runs in the page: force every image to load (scrolling lazy ones into view), then report links,
# images, ids, cell outputs that are errors or stderr, and figures without a visible image.
PAGE_PROBE = r"""
(async () => {
  // MathJax typesets after the load event; wait for it (if it loaded at all: offline, a CDN copy never does)
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await Promise.race([MathJax.startup.promise, new Promise(done => setTimeout(done, 20000))]);
  }
  const imgs = [...document.images];
  await Promise.all(imgs.map(img => {
    if (img.complete && img.naturalWidth > 0) return null;
    img.loading = "eager";
    img.scrollIntoView();
    return new Promise(done => {
      img.addEventListener("load", done, {once: true});
      img.addEventListener("error", done, {once: true});
      setTimeout(done, 5000);
    });
  }));
  window.scrollTo(0, 0);
  // Equations: Sphinx wraps each in .math (inline \\(..\\), display \\[..\\]); MathJax puts an
  // mjx-container inside. TeX left as text ($$ outside code) means the source was not parsed as math.
  function mathProbe() {
    const eqs = [...document.querySelectorAll(".math")];
    const root = document.body || document.documentElement;  // none while a redirect page navigates away
    const walker = root && document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    const raw = [];
    for (let n = walker && walker.nextNode(); n; n = walker.nextNode()) {
      if (n.textContent.includes("$$") && !n.parentElement.closest("pre, code, script, style, .highlight, textarea"))
        raw.push(n.textContent.trim().slice(0, 120));
    }
    return {equations: eqs.length, rendered: eqs.filter(e => e.querySelector("mjx-container")).length,
            unrendered: eqs.filter(e => !e.querySelector("mjx-container")).map(e => e.textContent.trim().slice(0, 80)),
            raw_dollars: raw, mathjax: !!(window.MathJax && MathJax.version)};
  }
  const raw = el => el.getAttribute("href") ?? el.getAttribute("src") ?? "";
  const visible = el => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
  const figures = [...document.querySelectorAll("figure, div.figure")].map(fig => {
    const media = [...fig.querySelectorAll("img, svg, canvas, object")];
    return {id: fig.id || (fig.querySelector("[id]") || {}).id || "",
            caption: (fig.querySelector("figcaption, .caption") || {}).textContent?.trim().slice(0, 80) || "",
            rendered: media.some(m => (m.tagName !== "IMG" || m.naturalWidth > 0) && visible(m))};
  });
  return {
    title: document.title,
    links: [...document.querySelectorAll("a[href]")].map(a => ({url: a.href, raw: raw(a)})),
    assets: [...document.querySelectorAll("link[href], script[src]")].map(el => ({url: el.href || el.src, raw: raw(el)})),
    images: imgs.map(img => ({url: img.currentSrc || img.src, raw: raw(img),
                              ok: img.complete && img.naturalWidth > 0})),
    ids: [...document.querySelectorAll("[id]")].map(el => el.id)
         .concat([...document.querySelectorAll("a[name]")].map(a => a.name)),
    errors: [...document.querySelectorAll(".cell_output .output.traceback, .cell_output .output.error")]
            .map(el => el.textContent.trim().slice(0, 300)),
    stderr: [...document.querySelectorAll(".cell_output .output.stderr")].map(el => el.textContent.trim().slice(0, 300)),
    figures,
    stylesheets: [...document.querySelectorAll("link[rel=stylesheet]")].map(l => ({url: l.href, loaded: !!l.sheet})),
    math: mathProbe(),
  };
})()
"""


@dataclass
class SiteReport:
    pages: dict[str, dict] = field(default_factory=dict)      # page path -> probe result
    problems: list[str] = field(default_factory=list)
    figures: int = 0
    images: int = 0
    links_checked: int = 0

    def add(self, page: str, what: str) -> None:
        self.problems.append(f"{page}: {what}")


#: URL schemes that never leave the machine (a page may use them freely).
LOCAL_SCHEMES = ("data:", "blob:", "about:", "chrome:", "chrome-extension:", "devtools:")


def external_requests(events: list[dict], site: str) -> list[str]:
    """Every URL a page requested outside ``site`` (the served base URL, or ``file://`` from disk)."""
    urls = {e["params"]["request"]["url"] for e in events if e["method"] == "Network.requestWillBeSent"}
    urls |= {e["params"]["url"] for e in events if e["method"] == "Network.webSocketCreated"}
    return sorted(u for u in urls if not u.startswith((site, *LOCAL_SCHEMES)))


def math_problems(probe: dict) -> list[str]:
    """Equations MathJax did not typeset, and TeX left as plain text."""
    math = probe["math"]
    out = [f"equation not rendered by MathJax: {tex!r}" for tex in math["unrendered"]]
    return out + [f"raw TeX ($$) in the page text: {text!r}" for text in math["raw_dollars"]]


def is_redirect(path: Path) -> bool:
    """A stub that only sends the browser elsewhere (Jupyter Book's index.html -> intro.html)."""
    return 'http-equiv="Refresh"' in path.read_text(encoding="utf-8", errors="replace")[:2000]


def site_pages(html: Path) -> list[str]:
    """Every HTML page of the build, as paths relative to ``html`` (assets folders left out)."""
    return sorted(p.relative_to(html).as_posix() for p in html.rglob("*.html")
                  if not p.relative_to(html).parts[0] in SKIP_DIRS)


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method="HEAD"), timeout=30) as r:
            return r.status
    except urllib.error.HTTPError as err:
        return err.code


def check_site(browser: Chromium, base: str, html: Path, pages: list[str] | None = None) -> SiteReport:
    """Visit every page at ``base`` (the served ``html`` folder) and collect what is broken."""
    report = SiteReport()
    pages = pages or site_pages(html)
    for page in pages:
        start = len(browser.events)
        browser.goto(base + page)
        probe = browser.evaluate(PAGE_PROBE)
        events = browser.events[start:]  # with what MathJax and lazy images asked for after the load event
        report.pages[page] = probe
        for url in external_requests(events, base):
            report.add(page, f"request to another host (the site must work offline): {url}")
        for problem in math_problems(probe):
            report.add(page, problem)
        requested = {e["params"]["requestId"]: e["params"]["request"]["url"]
                     for e in events if e["method"] == "Network.requestWillBeSent"}
        for e in events:
            p = e.get("params", {})
            url = p.get("response", {}).get("url") or requested.get(p.get("requestId"), "")
            ours = url.startswith(base) and url != base + "favicon.ico"  # the browser asks for a favicon by itself
            if e["method"] == "Network.responseReceived" and p["response"]["status"] >= 400 and ours:
                report.add(page, f"HTTP {p['response']['status']} for {url[len(base):]}")
            elif e["method"] == "Network.loadingFailed" and not p.get("canceled") and ours:
                report.add(page, f"failed to load {url[len(base):]}: {p.get('errorText')}")
            elif e["method"] == "Runtime.exceptionThrown":
                details = p["exceptionDetails"]
                report.add(page, "JavaScript error: " + details.get("exception", {}).get("description", details.get("text")))
        for err in probe["errors"]:
            report.add(page, f"cell error output: {err!r}")
        for err in probe["stderr"]:
            report.add(page, f"cell stderr output (a warning?): {err!r}")
        for img in probe["images"]:
            if not img["ok"]:
                report.add(page, f"image does not load: {img['raw']}")
        for fig in probe["figures"]:
            if not fig["rendered"]:
                report.add(page, f"figure not rendered: {fig['id'] or fig['caption']!r}")
        for sheet in probe["stylesheets"]:
            if not sheet["loaded"] and sheet["url"].startswith(base):
                report.add(page, f"stylesheet not loaded: {sheet['url'][len(base):]}")
        for item in probe["links"] + probe["assets"] + probe["images"]:
            if item["raw"].startswith("/") and not item["raw"].startswith("//"):
                report.add(page, f"root-relative link breaks when opened from disk: {item['raw']}")
        report.figures += len(probe["figures"])
        report.images += len(probe["images"])
    _check_links(report, base, html)
    return report


def _check_links(report: SiteReport, base: str, html: Path) -> None:
    """Every internal link points at a file that exists, and every #fragment at an id on its page."""
    ids = {page: set(probe["ids"]) for page, probe in report.pages.items()}
    status: dict[str, int] = {}
    for page, probe in report.pages.items():
        for link in probe["links"]:
            url, fragment = urldefrag(link["url"])
            if not url.startswith(base):
                continue  # external: not ours to check offline
            target = unquote(urlsplit(url).path)[len(urlsplit(base).path):] or "index.html"
            if target.endswith("/"):
                target += "index.html"
            report.links_checked += 1
            if target in ids:
                if fragment and unquote(fragment) not in ids[target]:
                    report.add(page, f"link to a missing anchor: {link['raw']}")
                continue
            if target not in status:
                status[target] = 200 if (html / target).is_file() else _status(url)
            if status[target] != 200:
                report.add(page, f"broken link ({status[target]}): {link['raw']}")


def check_from_disk(browser: Chromium, html: Path, page: str) -> list[str]:
    """Open ``page`` from disk (file://), as a reader without network would: styles, images and
    every relative link resolve, nothing is requested from another host, equations render."""
    start = len(browser.events)
    browser.goto((html / page).resolve().as_uri())
    probe = browser.evaluate(PAGE_PROBE)
    # only what the opened file asked for: requests of an earlier page (e.g. the search page fetching
    # its hits) can still be arriving
    requested = {e["params"]["requestId"]: e["params"]["request"]["url"] for e in browser.events[start:]
                 if e["method"] == "Network.requestWillBeSent" and e["params"].get("documentURL", "").startswith("file:")}
    events = [e for e in browser.events[start:] if e.get("params", {}).get("requestId") in requested]
    problems = [f"{page} (file://): request to another host: {url}" for url in external_requests(events, "file://")]
    problems += [f"{page} (file://): failed to load {requested[e['params']['requestId']]}: "
                 f"{e['params'].get('errorText')}" for e in events
                 if e["method"] == "Network.loadingFailed" and not e["params"].get("canceled")]
    problems += [f"{page} (file://): {problem}" for problem in math_problems(probe)]
    problems += [f"{page} (file://): stylesheet not loaded: {s['url']}" for s in probe["stylesheets"]
                 if s["url"].startswith("file:") and not s["loaded"]]
    problems += [f"{page} (file://): image does not load: {i['raw']}" for i in probe["images"] if not i["ok"]]
    for link in probe["links"] + probe["assets"]:
        url = urldefrag(link["url"])[0]
        if url.startswith("file:") and not Path(unquote(urlsplit(url).path)).exists():
            problems.append(f"{page} (file://): link to a missing file: {link['raw']}")
    return problems


# --- the multiverse explorer on a robustness page ---------------------------------------------------

EXPLORER_PROBE = r"""
(() => {
  const root = document.querySelector(".mv-explorer");
  if (!root) return null;
  const count = () => Number(root.querySelector(".mv-count").textContent);
  const before = count();
  const select = root.querySelector("select[data-decision]");
  select.value = "1";
  select.dispatchEvent(new Event("change"));
  return {decision: select.dataset.decision, before, after: count(),
          dots: root.querySelectorAll("svg circle").length,
          summary: root.querySelector(".mv-significant").textContent};
})()
"""


def drive_explorer(browser: Chromium, url: str) -> dict | None:
    """Open ``url``, pick the second value of the explorer's first decision; the counts before and after."""
    browser.goto(url)
    return browser.evaluate(EXPLORER_PROBE)
