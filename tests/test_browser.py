"""The built book, opened page by page in headless Chromium, offline.

Under `make test` the session waits for the book build that the Makefile started in the
background; run on its own it runs scripts/build_book.sh itself (the same build as `make book`:
notebooks executed, -W). Either way the book is built once. It then serves _build/html on
127.0.0.1 and checks every page of the table of contents: no console error, no failed or off-machine request, math typeset by MathJax, widgets
rendered from their stored state, every image loaded, a figure in every chapter from chapter 2
on, and every internal link pointing at a page and anchor that exist.

Outside CI the browser checks are skipped when no Chromium is installed; with CI set, a missing
Chromium (or Playwright) is a failure. Playwright never downloads a browser here: it drives the
system's Chromium (Debian package `chromium`).
"""

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urlparse

import pytest

from book_toc import toc_entries

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
BUILD_LOG = ROOT / "_build" / "book-build.log"
BUILD_TIMEOUT = 1800  # seconds; the whole `make test` is meant to stay well under 10 minutes

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
IN_CI = os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")

pytestmark = pytest.mark.browser


def toc_pages():
    """HTML paths (relative to _build/html) of every document in _toc.yml, root first."""
    return [re.sub(r"\.(ipynb|md)$", "", f) + ".html" for f in toc_entries()]


def chapter_number(page):
    match = re.match(r"book/(\d+)_", page)
    return int(match.group(1)) if match else None


PAGES = toc_pages()


# ----------------------------------------------------------------------------- fixtures


ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _wait_for_background_build(status_file, log_file):
    """`make test` builds the book in the background; wait for it instead of building again."""
    status_file, log_file = ROOT / status_file, ROOT / log_file
    deadline = time.monotonic() + BUILD_TIMEOUT
    while not status_file.is_file():
        if time.monotonic() > deadline:
            return -1, f"no book build result in {status_file} after {BUILD_TIMEOUT} s"
        time.sleep(1)
    code = int(status_file.read_text().strip() or -1)
    output = log_file.read_text(encoding="utf-8", errors="replace") if log_file.is_file() else ""
    return code, output


def _build_now():
    env = dict(os.environ, PYTHON=sys.executable)
    env.pop("BOOK_BUILD_STATUS", None)
    started = time.perf_counter()
    try:
        proc = subprocess.run(
            ["bash", str(ROOT / "scripts" / "build_book.sh")],
            cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True, timeout=BUILD_TIMEOUT,
        )
        code, output = proc.returncode, proc.stdout
    except subprocess.TimeoutExpired as exc:
        code = -1
        output = exc.stdout if isinstance(exc.stdout, str) else ""
        output += f"\nbook build timed out after {BUILD_TIMEOUT} s"
    output += f"\n[book build: exit {code} in {time.perf_counter() - started:.1f} s]\n"
    BUILD_LOG.parent.mkdir(parents=True, exist_ok=True)
    BUILD_LOG.write_text(output, encoding="utf-8")
    return code, output


@pytest.fixture(scope="session")
def book_build():
    """(returncode, log) of this session's book build: the one `make test` started, or a new one."""
    status_file = os.environ.get("LOCALRULE_BOOK_BUILD_STATUS")
    if status_file:
        code, output = _wait_for_background_build(
            status_file, os.environ.get("LOCALRULE_BOOK_BUILD_LOG", str(BUILD_LOG)))
    else:
        code, output = _build_now()
    return code, ANSI.sub("", output)


@pytest.fixture(scope="session")
def built_html(book_build):
    code, _ = book_build
    if code != 0:
        pytest.fail(f"the book did not build (exit {code}); see test_book_builds and {BUILD_LOG}")
    return HTML


def find_chromium():
    for candidate in (os.environ.get("CHROMIUM"), "/usr/bin/chromium",
                      shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


def _missing(reason):
    if IN_CI:
        pytest.fail(f"{reason} (CI is set, so the browser test cannot be skipped)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium_path():
    path = find_chromium()
    if path is None:
        _missing("no Chromium installed (looked for $CHROMIUM and /usr/bin/chromium); "
                 "install it with `apt-get install -y chromium`")
    return path


@pytest.fixture(scope="session")
def browser(chromium_path):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("the playwright Python package is not installed (pip install -r requirements.txt)")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def site(built_html, browser):
    """Serve _build/html with python -m http.server on a free local port; yield its base URL."""
    for _ in range(3):
        port = _free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
            cwd=built_html, stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(base + "index.html", timeout=2):
                    break
            except OSError:
                time.sleep(0.1)
        else:
            server.kill()
            server.wait()
            continue
        try:
            yield base
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        return
    pytest.fail("could not start python -m http.server on 127.0.0.1")


class _Anchors(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids = set()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("id", "name") and value:
                self.ids.add(value)


@pytest.fixture(scope="session")
def fetch():
    """GET a local URL once per session: (status, set of ids/names in the page or None)."""
    cache = {}

    def get(url):
        if url not in cache:
            try:
                with urllib.request.urlopen(url, timeout=10) as resp:
                    status, body, ctype = resp.status, resp.read(), resp.headers.get_content_type()
            except urllib.error.HTTPError as exc:
                status, body, ctype = exc.code, b"", ""
            anchors = None
            if ctype == "text/html":
                parser = _Anchors()
                parser.feed(body.decode("utf-8", errors="replace"))
                anchors = parser.ids
            cache[url] = (status, anchors)
        return cache[url]

    return get


# ----------------------------------------------------------------------------- page visit

MATHJAX_DONE = """async () => {
    const start = Date.now();
    while (!(window.MathJax && MathJax.startup && MathJax.startup.promise)) {
        if (Date.now() - start > 20000) return 'MathJax never started';
        await new Promise(r => setTimeout(r, 50));
    }
    await MathJax.startup.promise;
    return 'ok';
}"""

WIDGETS_RENDERED = """() => {
    const views = document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]');
    let rendered = 0;
    for (const v of views) {
        const prev = v.previousElementSibling;
        if (prev && prev.classList.contains('widget-subarea') && prev.querySelector('.jupyter-widgets')) rendered++;
    }
    return rendered >= views.length;
}"""

PAGE_FACTS = """() => {
    const article = document.querySelector('article.bd-article') || document.body;
    const skip = 'pre, code, script, style, textarea, mjx-container, mjx-assistive-mml';
    const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
    let text = '';
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        if (!n.parentElement.closest(skip)) text += n.textContent + '\\n';
    }
    const maths = [...document.querySelectorAll('.math')];
    return {
        mathCount: maths.length,
        mathUnrendered: maths.filter(m => !m.querySelector('mjx-container')).map(m => m.textContent.slice(0, 80)),
        mathErrors: [...document.querySelectorAll('mjx-merror')].map(e => e.textContent.slice(0, 80)),
        rawDollars: (text.match(/\\$\\$/g) || []).length,
        rawInline: (text.match(/(^|[^\\\\$])\\$[^\\s$](?:[^$\\n]{0,200}?[^\\s\\\\$])?\\$(?!\\d)/g) || []).slice(0, 5),
        images: [...document.images].map(i => ({src: i.currentSrc || i.src, complete: i.complete, width: i.naturalWidth})),
        articleImages: article.querySelectorAll('img').length,
        widgetViews: document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]').length,
        widgetsRendered: document.querySelectorAll('.widget-subarea .jupyter-widgets').length,
        links: [...document.querySelectorAll('a[href]')].map(a => a.href),
    };
}"""


@pytest.fixture(scope="session")
def visit(browser, site):
    """Open a page in a fresh context; return (facts, problems)."""

    def open_page(path):
        context = browser.new_context()
        page = context.new_page()
        problems = []

        def on_route(route):
            url = route.request.url
            if url.startswith(site) or url.startswith(("data:", "blob:", "about:")):
                route.continue_()
            else:
                problems.append(f"request leaves the machine: {url}")
                route.abort()

        context.route("**/*", on_route)
        page.on("console", lambda m: problems.append(f"console {m.type}: {m.text} @ {m.location.get('url', '')}")
                if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(f"uncaught exception: {e}"))
        page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url} ({r.failure})")
                if r.url.startswith(site) else None)
        page.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
        try:
            page.goto(site + path, wait_until="load", timeout=30000)
            if page.locator(".math").count():
                state = page.evaluate(MATHJAX_DONE)
                if state != "ok":
                    problems.append(state)
            if page.locator('script[type="application/vnd.jupyter.widget-state+json"]').count():
                try:
                    page.wait_for_function(WIDGETS_RENDERED, timeout=20000)
                except Exception as exc:  # reported below with the counts
                    problems.append(f"widgets did not render: {exc.__class__.__name__}")
            page.wait_for_load_state("networkidle", timeout=20000)
            page.wait_for_timeout(300)  # late browser requests (favicon) report after networkidle
            facts = page.evaluate(PAGE_FACTS)
            facts["final_url"] = page.url
        finally:
            context.close()
        return facts, problems

    return open_page


# ----------------------------------------------------------------------------- tests


def test_book_builds(book_build):
    """`scripts/build_book.sh` (= `make book`) succeeds: -W, every cell runs."""
    code, output = book_build
    if code != 0:
        lines = output.splitlines()
        problems = [line for line in lines if re.search(r"WARNING|ERROR|Error|Traceback|CellExecutionError", line)
                    and "IPKernelApp" not in line]
        pytest.fail(f"book build failed (exit {code}); full log in {BUILD_LOG}\n"
                    + "\n".join(problems[:40]) + "\n...\n" + "\n".join(lines[-25:]), pytrace=False)
    for page in PAGES:
        assert (HTML / page).is_file(), f"{page} was not built"


def test_built_html_loads_nothing_from_a_cdn(built_html):
    pattern = re.compile(r"<(?:script|link|img)\b[^>]*\b(?:src|href)=\"(?:https?:)?//[^\"]*", re.IGNORECASE)
    offenders = []
    for page in sorted(built_html.rglob("*.html")):
        if "_static" in page.relative_to(built_html).parts:
            continue
        for tag in pattern.findall(page.read_text(encoding="utf-8")):
            if re.search(r"cdn|jsdelivr|unpkg|cdnjs|googleapis|gstatic", tag, re.IGNORECASE) or \
                    re.search(r"<(script|img)\b|rel=\"(stylesheet|preload|icon)\"", tag, re.IGNORECASE):
                offenders.append(f"{page.relative_to(built_html)}: {tag}")
    assert not offenders, "remote assets in the built HTML:\n" + "\n".join(offenders)


def test_index_redirects_to_the_introduction(visit):
    facts, problems = visit("index.html")
    assert not problems, "\n".join(problems)
    assert facts["final_url"].endswith("/" + PAGES[0]), facts["final_url"]


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_offline(page, visit, site, fetch):
    facts, problems = visit(page)
    assert not problems, f"{page}:\n" + "\n".join(problems)

    # math: every math node typeset, no TeX error, no $$ left in the prose
    assert not facts["mathUnrendered"], f"{page}: math not typeset by MathJax: {facts['mathUnrendered']}"
    assert not facts["mathErrors"], f"{page}: MathJax errors: {facts['mathErrors']}"
    assert facts["rawDollars"] == 0, f"{page}: raw $$ left in the page text"
    assert not facts["rawInline"], f"{page}: inline math left as raw $...$: {facts['rawInline']}"

    # widgets: every stored widget view rendered by the local html-manager
    assert facts["widgetsRendered"] >= facts["widgetViews"], (
        f"{page}: {facts['widgetsRendered']} of {facts['widgetViews']} widgets rendered"
    )

    # images: all loaded, and chapters from 2 on show at least one figure
    broken = [img["src"] for img in facts["images"] if not img["complete"] or img["width"] == 0]
    assert not broken, f"{page}: images that did not load: {broken}"
    number = chapter_number(page)
    if number is not None and number >= 2:
        assert facts["articleImages"] >= 1, f"{page}: chapter {number} shows no figure"

    # internal links: the page exists (HTTP 200) and so does the anchor
    bad = []
    for href in sorted(set(facts["links"])):
        if not href.startswith(site):
            continue
        target, anchor = urldefrag(href)
        path = urlparse(target).path
        status, anchors = fetch(target)
        if status != 200:
            bad.append(f"{href}: HTTP {status}")
        elif anchor and path.endswith(".html") and anchors is not None and anchor not in anchors:
            bad.append(f"{href}: no element with id {anchor!r}")
    assert not bad, f"{page}: broken internal links:\n" + "\n".join(bad)


def test_math_and_widget_pages_exist():
    """The checks above are only meaningful if the book has math and a widget somewhere."""
    texts = {p: (HTML / p).read_text(encoding="utf-8") for p in PAGES if (HTML / p).is_file()}
    assert any('class="math' in t for t in texts.values()), "no page with math"
    assert any("application/vnd.jupyter.widget-view+json" in t for t in texts.values()), "no page with a widget"
