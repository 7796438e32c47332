"""Browser fixtures: Debian's Chromium, headless, driven by Playwright;
screenshots of every page and an axe-core accessibility check."""
import glob
import json
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "tests" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
# the flags a root user on a machine without outside network needs
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]
SERIOUS = ("serious", "critical")


def axe_script() -> Path:
    found = sorted(glob.glob(str(ROOT / ".venv" / "share" / "axe-core-*" / "axe.min.js")))
    if not found:
        pytest.fail("axe-core is missing: run `make install` (it fetches axe-core from npm)", pytrace=False)
    return Path(found[-1])


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is needed by the browser tests: run `make test` (it installs Debian's chromium) "
                    "or `apt-get install chromium`", pytrace=False)
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, platform):
    """A factory of pages, each in its own context (its own cookies), on the platform's address."""
    contexts = []

    def make(locale: str = "id-ID", javascript: bool = True, width: int = 1024):
        # bypass_csp: the pages forbid injected scripts, and axe is one
        context = browser.new_context(base_url=platform.url, locale=locale, bypass_csp=True,
                                      java_script_enabled=javascript, viewport={"width": width, "height": 800})
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def shot(page, name: str) -> Path:
    """A full-page screenshot under tests/screenshots/."""
    path = SCREENSHOTS / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    return path


def accessibility_violations(page) -> list[dict]:
    """axe-core's serious and critical violations of WCAG 2.1 A and AA on the page as it is."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(axe_script()))
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
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {runOnly: {type: 'tag',
            values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                       targets: v.nodes.slice(0, 5).map(n => n.target.join(' '))}));
    }""")
    return [v for v in result if v["impact"] in SERIOUS]


def check_page(page, name: str):
    """Screenshot the page, then fail on any serious accessibility violation."""
    shot(page, name)
    violations = accessibility_violations(page)
    assert not violations, f"{name} ({page.url}): " + json.dumps(violations, indent=1, ensure_ascii=False)


@pytest.fixture(scope="session", autouse=True)
def _fresh_screenshots():
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
