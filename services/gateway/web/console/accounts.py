"""People's accounts: the office's list, creating one (with its setup link),
a new setup link, disabling an account."""
from fastapi import Request

from services.gateway.web.api import Api
from services.gateway.web.console.common import console_router
from services.gateway.web.errors import PageError
from services.gateway.web.pages import Staff, form_data, redirect, render

router = console_router()


def account_roles(principal) -> tuple[str, ...]:
    """The roles of the accounts this office may create (the API's rule)."""
    if principal.role == "operator":
        return ("kim",)
    return ("operator", "kim") if principal.scope_region else ("operator", "kim", "admin")


async def _accounts_page(request: Request, staff, values: dict | None = None, errors: dict | None = None,
                         status_code: int = 200, link: dict | None = None):
    accounts = await Api(request).get("/api/v1/accounts", limit=200)
    roles = account_roles(staff.principal)
    return render(request, "console/accounts.html", status_code=status_code, accounts=accounts, roles=roles,
                  values=values or {"role": roles[0]}, errors=errors or {}, link=link)


@router.get("/akun")
async def accounts(request: Request, staff: Staff):
    return await _accounts_page(request, staff)


@router.post("/akun")
async def create_account(request: Request, staff: Staff):
    form = await form_data(request)
    role = form.get("role") or None
    payload = {"username": form.get("username", ""), "name": form.get("name", ""), "role": role,
               "scope_region": (form.get("scope_region") or None) if role != "kim" else None,
               "kim_id": (form.get("kim_id") or None) if role == "kim" else None}
    answer = await Api(request).send("POST", "/api/v1/accounts", payload)
    if answer.ok:
        return await _accounts_page(request, staff, status_code=201, link={**answer.data})
    return await _accounts_page(request, staff, dict(form), answer.field_errors(), answer.status)


@router.post("/akun/{account_id}/tautan")
async def new_link(request: Request, account_id: str, staff: Staff):
    await form_data(request)
    answer = await Api(request).send("POST", f"/api/v1/accounts/{account_id}/setup-link")
    if not answer.ok:
        raise PageError(answer.status, answer.detail)
    return await _accounts_page(request, staff, link={**answer.data, "id": account_id})


@router.post("/akun/{account_id}/nonaktifkan")
async def disable(request: Request, account_id: str, staff: Staff):
    await form_data(request)
    answer = await Api(request).send("DELETE", f"/api/v1/accounts/{account_id}")
    if not answer.ok:
        raise PageError(answer.status, answer.detail)
    return redirect(request, "/konsol/akun")
