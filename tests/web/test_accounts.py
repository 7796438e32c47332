"""People's accounts through the API and the website: who may create whom,
the one-time link, sign-in that locks, sessions and their cookie."""
import re

from tests.web.people import PASSWORD, csrf, field_errors, new_account, sign_in, unique, visitor


def test_an_admin_creates_an_account_whose_link_sets_the_password_once(platform):
    with platform.admin as admin:
        response = admin.post("/api/v1/accounts", json={
            "username": unique("Rina."), "name": "Rina Wulandari", "role": "operator", "scope_region": "14.71"})
        assert response.status_code == 201, response.text
        account = response.json()
        assert account["status"] == "pending" and account["username"] == account["username"].lower()
        assert account["setup_url"].startswith(platform.url + "/akun/sandi/")
        assert "password" not in account and "password_hash" not in account

        browser = visitor(platform)
        page = browser.get(account["setup_url"])
        assert page.status_code == 200 and page.headers["referrer-policy"] == "no-referrer"
        short = browser.post(account["setup_url"], data={"csrf_token": csrf(page.text), "password": "pendek",
                                                         "password_again": "pendek"})
        assert short.status_code == 422 and "f-password" in field_errors(short.text)
        differ = browser.post(account["setup_url"], data={"csrf_token": csrf(page.text), "password": PASSWORD,
                                                          "password_again": PASSWORD + "!"})
        assert differ.status_code == 422 and "f-password-again" in field_errors(differ.text)
        done = browser.post(account["setup_url"], data={"csrf_token": csrf(page.text), "password": PASSWORD,
                                                        "password_again": PASSWORD})
        assert done.status_code == 303 and done.headers["location"] == "/masuk?sandi=ok"
        assert browser.get(account["setup_url"]).status_code == 404  # used once

        listed = {a["id"]: a for a in admin.get("/api/v1/accounts", params={"limit": 500}).json()["items"]}
        assert listed[account["id"]]["status"] == "active"
        assert sign_in(platform, {**account, "password": PASSWORD}).get("/konsol").status_code == 200


def test_who_may_create_whom(platform, keys):
    with platform.client(keys["pekanbaru"]["key"]) as operator, platform.admin as admin:
        kim = operator.post("/api/v1/accounts", json={
            "username": unique("kim."), "name": "Siti", "role": "kim", "kim_id": keys["kim"]["kim_id"]})
        assert kim.status_code == 201 and kim.json()["scope_region"] == "14.71.01.1004"
        for body in ({"role": "admin", "scope_region": "14"},          # an operator makes no admins
                     {"role": "operator", "scope_region": "14.71"},   # nor operators, not even its own
                     {"role": "operator", "scope_region": "14.72"}):
            response = operator.post("/api/v1/accounts", json={"username": unique("x."), "name": "X", **body})
            assert response.status_code == 403, response.text
        dumai = admin.post("/api/v1/accounts", json={
            "username": unique("dumai."), "name": "Op Dumai", "role": "operator", "scope_region": "14.72"}).json()
        seen = {a["id"] for a in operator.get("/api/v1/accounts", params={"limit": 500}).json()["items"]}
        assert dumai["id"] not in seen and kim.json()["id"] in seen
        assert operator.delete(f"/api/v1/accounts/{dumai['id']}").status_code == 404

        taken = admin.post("/api/v1/accounts", json={
            "username": dumai["username"].upper(), "name": "Again", "role": "operator", "scope_region": "14.72"})
        assert taken.status_code == 409 and taken.json()["errors"][0]["field"] == "username"
        invalid = admin.post("/api/v1/accounts", json={"username": "a b", "name": "X", "role": "kim"})
        assert invalid.status_code == 422
        assert {e["field"] for e in invalid.json()["errors"]} >= {"username"}
        no_region = admin.post("/api/v1/accounts", json={"username": unique("op."), "name": "X", "role": "operator"})
        assert no_region.status_code == 422 and no_region.json()["errors"] == [{
            "field": "scope_region", "in": "body", "type": "operator_scope",
            "message": "Operator memerlukan kode kabupaten/kota, misalnya 14.71."}]
    with platform.client(keys["kim"]["key"]) as group:
        assert group.post("/api/v1/accounts", json={
            "username": unique("k."), "name": "K", "role": "kim", "kim_id": keys["kim"]["kim_id"]}).status_code == 403


def test_sign_in_failures_lock_the_account_and_errors_sit_next_to_the_field(platform):
    with platform.admin as admin:
        account = new_account(admin, "operator", scope_region="14.71")
    browser = visitor(platform)
    token = csrf(browser.get("/masuk").text)
    for _ in range(2):
        wrong = browser.post("/masuk", data={"csrf_token": token, "username": account["username"],
                                             "password": "bukan ini"})
        assert wrong.status_code == 401
        assert field_errors(wrong.text) == {"f-password": "Nama pengguna atau kata sandi salah."}
        assert "kim_session" not in wrong.headers.get("set-cookie", "")
    locked = browser.post("/masuk", data={"csrf_token": token, "username": account["username"],
                                          "password": "bukan ini"})
    assert locked.status_code == 401 and "dikunci" in field_errors(locked.text)["f-password"]
    right = browser.post("/masuk", data={"csrf_token": token, "username": account["username"],
                                         "password": account["password"]})
    assert right.status_code == 401 and "dikunci" in field_errors(right.text)["f-password"]
    unknown = browser.post("/masuk", data={"csrf_token": token, "username": "tidak.ada", "password": "x"})
    assert field_errors(unknown.text) == {"f-password": "Nama pengguna atau kata sandi salah."}


def test_the_session_cookie_is_httponly_samesite_and_secure_over_tls(platform):
    with platform.admin as admin:
        account = new_account(admin, "operator", scope_region="14.71")
    for headers, secure in (({}, False), ({"X-Forwarded-Proto": "https"}, True)):
        browser = visitor(platform, **headers)
        page = browser.get("/masuk")
        anonymous = page.headers["set-cookie"]
        assert "kim_csrf=" in anonymous and "HttpOnly" in anonymous and "SameSite=strict" in anonymous
        # over TLS a browser sends the Secure cookie back; httpx, speaking plain HTTP here, would not
        token_cookie = re.search(r"kim_csrf=([^;]+)", anonymous).group(1)
        response = browser.post("/masuk", headers={"Cookie": f"kim_csrf={token_cookie}"}, data={
            "csrf_token": csrf(page.text), "username": account["username"], "password": account["password"]})
        cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("kim_session="))
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
        assert ("Secure" in cookie) is secure
        assert re.search(r"Max-Age=\d+", cookie)
        session = re.search(r"kim_session=([^;]+)", cookie).group(1)
        console = browser.get("/konsol", headers={"Cookie": f"kim_session={session}"})
        assert console.status_code == 200 and console.headers["cache-control"] == "no-store"


def test_signing_out_ends_the_session_and_next_stays_on_the_site(platform):
    with platform.admin as admin:
        account = new_account(admin, "operator", scope_region="14.71")
    browser = visitor(platform)
    page = browser.get("/masuk?next=https://jahat.example/")
    response = browser.post("/masuk", data={"csrf_token": csrf(page.text), "username": account["username"],
                                            "password": account["password"], "next": "https://jahat.example/"})
    assert response.headers["location"] == "/konsol"  # never an open redirect
    old_cookie = browser.cookies["kim_session"]
    console = browser.get("/konsol")
    out = browser.post("/keluar", data={"csrf_token": csrf(console.text)})
    assert out.status_code == 303
    stale = visitor(platform)
    stale.cookies.set("kim_session", old_cookie)
    again = stale.get("/konsol/kim")
    assert again.status_code == 303 and again.headers["location"] == "/masuk?next=%2Fkonsol%2Fkim"


def test_disabling_an_account_ends_its_sessions(platform):
    with platform.admin as admin:
        account = new_account(admin, "operator", scope_region="14.71")
        browser = sign_in(platform, account)
        assert browser.get("/konsol").status_code == 200
        assert admin.delete(f"/api/v1/accounts/{account['id']}").status_code == 204
        assert browser.get("/konsol").status_code == 303
        link = admin.post(f"/api/v1/accounts/{account['id']}/setup-link")
        assert link.status_code == 409
