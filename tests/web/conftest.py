"""Browser fixtures: Debian's Chromium, headless, driven by Playwright;
screenshots of every page and an axe-core accessibility check.

Fixtures: `browser` (one Chromium for the session), `page_factory` (pages on
any address) and `new_page` (pages on the platform's address). Plain
functions, for tests and helpers: `shot`, `accessibility_violations`,
`check_accessibility` and `check_page`."""
import functools
import re
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, SCREENSHOTS

CHROMIUM = "/usr/bin/chromium"
# the flags a root user on a machine without outside network needs (Playwright adds --headless
# and a fresh profile of its own); without --disable-background-networking Chromium calls Google
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]
TIMEOUT_MS = 15_000
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
SERIOUS = ("serious", "critical")


def axe_script() -> Path:
    """axe.min.js of the version the Makefile pins, as `make install` left it in the virtual environment."""
    version = re.search(r"^AXE_VERSION\s*:?=\s*(\S+)", (ROOT / "Makefile").read_text(), re.M).group(1)
    path = Path(sys.prefix) / "share" / f"axe-core-{version}" / "axe.min.js"
    if not path.is_file():
        pytest.fail(f"axe-core {version} is missing ({path}): run `make install` (it fetches axe-core from npm)",
                    pytrace=False)
    return path


@functools.cache
def axe_source() -> str:
    return axe_script().read_text()


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, for the whole session."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is needed by the browser tests and {CHROMIUM} is missing: run `make test` "
                    "(infra/ensure-chromium.sh installs it) or `apt-get install chromium`", pytrace=False)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("Playwright is missing: run `make install`", pytrace=False)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Pages:
    """Makes pages, each in a context of its own (its own cookies); closes them all with `close()`."""

    def __init__(self, browser, base_url: str | None = None):
        self.browser = browser
        self.base_url = base_url
        self.contexts = []

    def __call__(self, locale: str = "id-ID", javascript: bool = True, width: int = 1024,
                 base_url: str | None = None):
        # bypass_csp: the pages forbid injected scripts, and axe is one
        context = self.browser.new_context(base_url=base_url or self.base_url, locale=locale, bypass_csp=True,
                                           java_script_enabled=javascript, viewport={"width": width, "height": 800})
        context.set_default_timeout(TIMEOUT_MS)
        self.contexts.append(context)
        return context.new_page()

    def close(self):
        for context in self.contexts:
            context.close()
        self.contexts.clear()


@pytest.fixture
def page_factory(browser):
    """`page_factory(locale="id-ID", javascript=True, width=1024, base_url=None)`: a fresh page on any address."""
    pages = Pages(browser)
    yield pages
    pages.close()


@pytest.fixture
def new_page(browser, platform):
    """`new_page(locale="id-ID", javascript=True, width=1024)`: a fresh page on the platform's address."""
    pages = Pages(browser, platform.url)
    yield pages
    pages.close()


def shot(page, name: str) -> Path:
    """A full-page screenshot, tests/screenshots/<name>.png; returns its path."""
    path = SCREENSHOTS / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    # a long page on a busy two-core machine can take more than the default 15 s
    page.screenshot(path=str(path), full_page=True, timeout=2 * TIMEOUT_MS)
    return path


def accessibility_violations(page) -> list[dict]:
    """axe-core's serious and critical violations of WCAG 2.0/2.1 A and AA (and its best practices)
    on the page as it is: dicts of id, impact, help, help_url and up to five target selectors."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=axe_source())
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # a page without JavaScript: check the same document in a page that runs scripts
        context = page.context.browser.new_context(bypass_csp=True, viewport=page.viewport_size)
        try:
            twin = context.new_page()
            twin.goto(page.url.split("#")[0] if page.url.startswith("http") else "about:blank")
            twin.set_content(page.content())
            return accessibility_violations(twin)
        finally:
            context.close()
    result = page.evaluate("""async tags => {
        const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, help_url: v.helpUrl,
                                       targets: v.nodes.slice(0, 5).map(n => n.target.join(' '))}));
    }""", AXE_TAGS)
    return [v for v in result if v["impact"] in SERIOUS]


def check_accessibility(page, name: str):
    """Fail (AssertionError) on each serious or critical axe-core violation of the page."""
    violations = accessibility_violations(page)
    assert not violations, f"{name} ({page.url}): {len(violations)} serious accessibility violation(s):\n" + "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']} [{v['help_url']}]\n    at " + ", ".join(v["targets"])
        for v in violations)


def check_page(page, name: str) -> Path:
    """Screenshot the page, then check its accessibility; returns the screenshot's path.
    A journey that runs on both backends names its pages `<backend>/...`: axe checks the
    PostgreSQL run's pages only (the markup does not depend on the database, and axe is
    half of such a journey's time); the SQLite run takes its screenshots."""
    path = shot(page, name)
    if not name.startswith("sqlite/"):
        check_accessibility(page, name)
    return path
