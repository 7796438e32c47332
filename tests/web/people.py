"""People on the website, for the tests: accounts made through the API and
their one-time links, and signed-in browsers-without-a-browser (httpx)."""
import itertools
import re
import time

import httpx

_serial = itertools.count(1)
PASSWORD = "kata sandi yang cukup panjang"


def csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def field_errors(html: str) -> dict[str, str]:
    """The errors shown next to fields: the field's id -> the message."""
    return dict(re.findall(r'<p class="field-error" id="([^"]+)-error">([^<]+)</p>', html))


def unique(prefix: str) -> str:
    return f"{prefix}{int(time.time() * 1000) % 10_000_000}{next(_serial)}"


def visitor(platform, **headers) -> httpx.Client:
    """A person with a browser's cookies and no API key."""
    return httpx.Client(base_url=platform.url, headers={"Accept": "text/html", **headers}, timeout=30)


def new_account(creator: httpx.Client, role: str, password: str = PASSWORD, **fields) -> dict:
    """An account created through the API whose password is set through its
    one-time link, as its owner would."""
    body = {"username": unique(f"{role}."), "name": f"Uji {role}", "role": role, **fields}
    response = creator.post("/api/v1/accounts", json=body)
    assert response.status_code == 201, response.text
    account = response.json()
    with httpx.Client(timeout=30) as browser:
        page = browser.get(account["setup_url"])
        assert page.status_code == 200, page.text
        done = browser.post(account["setup_url"], data={"csrf_token": csrf(page.text), "password": password,
                                                         "password_again": password})
        assert done.status_code == 303, done.text
    return {**account, "password": password}


def sign_in(platform, account: dict, **headers) -> httpx.Client:
    browser = visitor(platform, **headers)
    page = browser.get("/masuk")
    response = browser.post("/masuk", data={"csrf_token": csrf(page.text), "username": account["username"],
                                            "password": account["password"]})
    assert response.status_code == 303, response.text
    return browser
