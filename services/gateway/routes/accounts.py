"""/api/v1/accounts: people's accounts for the website. An admin, or an
operator inside its regency, creates one with a role and a scope and gets a
one-time link that sets the password. API keys stay for machines.

Who manages whom: an operator the kim accounts of groups in its regency; a
province admin the operator and kim accounts of its province (not other
admins); a national admin every account. A kim account follows its group:
its scope is the village the group is in now, as the registry says."""
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response
from pydantic import BaseModel, ConfigDict, Field, field_validator
from starlette.concurrency import run_in_threadpool

from services.gateway.accounts import AccountStore
from services.gateway.deps import Office, RpcCall
from services.gateway.keys import Principal
from services.gateway.problems import Problem
from services.gateway.routes.common import TEXT, KnownRegions, Page, Pages, problems
from services.gateway.routes.keys import ROLE_RULES, KeyCreate, follow_groups, granted_scope

router = APIRouter(prefix="/api/v1/accounts", tags=["accounts"])

SETUP_PATH = "/akun/sandi/"


class AccountCreate(KeyCreate):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"allOf": ROLE_RULES, "examples": [
        {"username": "rina.pekanbaru", "name": "Rina Wulandari", "role": "operator", "scope_region": "14.71"},
        {"username": "kim.maju.bersama", "name": "Siti Aminah", "role": "kim", "kim_id": "KIM-1471011002-01"}]})
    username: str = Field(min_length=3, max_length=100, pattern=r"^[A-Za-z0-9._@-]+$",
                          description="what the person types to sign in (kept in lower case)")
    name: str = Field(min_length=1, max_length=100, pattern=TEXT, description="the person's name")

    @field_validator("username")
    @classmethod
    def _lower(cls, value: str) -> str:
        return value.lower()


class Account(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: str
    username: str
    name: str
    role: str
    scope_region: str | None = Field(description="a kim account's is its group's village")
    kim_id: str | None
    status: str = Field(description="pending (no password yet), active or disabled")
    created_at: str
    locked_until: str | None = None


class CreatedAccount(Account):
    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [{
        "id": "0b0c1a2e-8a43-4d0e-9d5e-3f1f6f0f8a11", "username": "rina.pekanbaru", "name": "Rina Wulandari",
        "role": "operator", "scope_region": "14.71", "kim_id": None, "status": "pending",
        "created_at": "2026-11-28T12:00:00+00:00", "setup_url": "https://kim.example.id/akun/sandi/3q...",
        "setup_expires_at": "2026-12-01T12:00:00+00:00"}]})
    setup_url: str = Field(description="the one-time link that sets the password; give it to the person")
    setup_expires_at: str


def account_store(request: Request) -> AccountStore:
    return request.app.state.accounts


Accounts = Annotated[AccountStore, Depends(account_store)]
AccountId = Annotated[str, Path(max_length=36)]


def setup_url(request: Request, token: str) -> str:
    base = request.app.state.settings.public_url or str(request.base_url)
    return base.rstrip("/") + SETUP_PATH + token


def _link(request: Request, token: str, expires_at: datetime) -> dict:
    return {"setup_url": setup_url(request, token), "setup_expires_at": expires_at.isoformat()}


def managed_roles(caller: Principal) -> tuple[str, ...] | None:
    """The roles of the accounts a caller manages inside its scope (None: all)."""
    if caller.role == "operator":
        return ("kim",)
    if caller.scope_region is not None:
        return ("operator", "kim")  # a province admin: the offices and groups below it
    return None


def manages(caller: Principal, role: str, scope_region: str | None) -> bool:
    roles = managed_roles(caller)
    return (roles is None or role in roles) and caller.covers(scope_region or "")


@router.post("", status_code=201, response_model=CreatedAccount, responses=problems(401, 403, 409, 413, 422, 503),
             summary="Create a person's account; the answer carries its one-time setup link")
async def create_account(body: AccountCreate, caller: Office, rpc: RpcCall, regions: KnownRegions, accounts: Accounts,
                         request: Request):
    scope_region = await granted_scope(rpc, regions, caller, body)
    if not manages(caller, body.role, scope_region):
        if caller.role == "operator":
            raise Problem(403, "Operator hanya dapat membuat akun KIM di wilayahnya.",
                          "An operator may only create accounts of groups inside its regency.")
        raise Problem(403, "Admin provinsi hanya membuat akun operator dan KIM di provinsinya.",
                      "A province admin may only create operator and group accounts inside its province.")
    created = await run_in_threadpool(accounts.create, body.username, body.name, body.role, scope_region,
                                      body.kim_id, caller.key_id)
    if created is None:
        raise Problem(409, f"Nama pengguna {body.username} sudah dipakai.",
                      f"The username {body.username} is taken.",
                      errors=[{"field": "username", "in": "body", "message": "taken"}])
    view, token, expires_at = created
    return {**view, **_link(request, token, expires_at)}


@router.get("", response_model=Page[Account], responses=problems(401, 403, 422, 503),
            summary="The accounts you manage: an operator its regency's groups; a province admin its province's "
                    "operators and groups; a national admin all")
async def list_accounts(caller: Office, rpc: RpcCall, accounts: Accounts, paging: Pages):
    await follow_groups(rpc, accounts)
    items, total = await run_in_threadpool(accounts.list, caller.scope_region, paging.limit, paging.offset,
                                           managed_roles(caller))
    return paging.page(items, total)


async def _managed_account(accounts: AccountStore, rpc, caller: Principal, account_id: str):
    account = await run_in_threadpool(accounts.get, account_id)
    if account is not None and account.role == "kim":
        await follow_groups(rpc, accounts, [account.kim_id])  # type: ignore[list-item]  # names its group
        account = await run_in_threadpool(accounts.get, account_id)
    if account is None or not manages(caller, account.role, account.scope_region):
        raise Problem(404, "Akun tidak ditemukan.", "No such account.")
    return account


@router.post("/{account_id}/setup-link", responses=problems(401, 403, 404, 409, 503),
             summary="A new one-time link (a forgotten password, an expired link); older links stop working")
async def new_setup_link(account_id: AccountId, caller: Office, rpc: RpcCall, accounts: Accounts,
                         request: Request):
    account = await _managed_account(accounts, rpc, caller, account_id)
    if account.disabled_at is not None:
        raise Problem(409, "Akun ini sudah dinonaktifkan.", "This account is disabled.")
    token, expires_at = await run_in_threadpool(accounts.new_setup_link, account_id)
    return _link(request, token, expires_at)


@router.delete("/{account_id}", status_code=204, responses=problems(401, 403, 404, 503),
               summary="Disable an account: no more sign-ins, its sessions end at once")
async def disable_account(account_id: AccountId, caller: Office, rpc: RpcCall, accounts: Accounts):
    await _managed_account(accounts, rpc, caller, account_id)
    await run_in_threadpool(accounts.disable, account_id)
    return Response(status_code=204)
