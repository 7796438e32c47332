"""/api/v1/keys: admins issue, list and revoke API keys."""
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Response
from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError
from starlette.concurrency import run_in_threadpool

from services.common.regions import PROVINCE_CODE, REGENCY_CODE, REGION_CODE
from services.common.vocabulary import KEY_ROLES
from services.gateway.deps import Admin, Keys, RpcCall, actor
from services.gateway.keys import Principal
from services.gateway.problems import Problem
from services.gateway.routes.common import TEXT, KnownRegions, Page, Pages, Regions, problems

router = APIRouter(prefix="/api/v1/keys", tags=["keys"])


# _role_fields below, as the document states it (JSON Schema if/then)
ROLE_RULES: list[Any] = [  # JSON Schema, as pydantic's json_schema_extra takes it
    {"if": {"properties": {"role": {"const": "operator"}}},
     "then": {"required": ["scope_region"],
              "properties": {"scope_region": {"type": "string", "pattern": REGENCY_CODE}}}},
    {"if": {"properties": {"role": {"const": "admin"}}},
     "then": {"properties": {"scope_region": {"anyOf": [{"type": "string", "pattern": PROVINCE_CODE},
                                                        {"type": "null"}]}}}},
    {"if": {"properties": {"role": {"const": "kim"}}},
     "then": {"required": ["kim_id"], "properties": {"kim_id": {"type": "string"}, "scope_region": {"type": "null"}}},
     "else": {"properties": {"kim_id": {"type": "null"}}}},
]


class KeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"allOf": ROLE_RULES, "examples": [
        {"name": "Operator Diskominfo Kota Pekanbaru", "role": "operator", "scope_region": "14.71"},
        {"name": "Admin Diskominfo Provinsi Riau", "role": "admin", "scope_region": "14"},
        {"name": "KIM Maju Bersama", "role": "kim", "kim_id": "KIM-14.71.01.1001-0001"}]})

    name: str = Field(min_length=1, max_length=100, pattern=TEXT)
    role: Literal[KEY_ROLES]
    scope_region: str | None = Field(None, pattern=REGION_CODE)
    kim_id: str | None = Field(None, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")

    @model_validator(mode="after")
    def _role_fields(self):
        def wrong(kind: str, field: str, message: str):
            # the gateway words `kind` in the reader's language and puts it on `field`
            return PydanticCustomError(kind, message, {"field": field})
        if self.role == "operator" and (self.scope_region is None or self.scope_region.count(".") != 1):
            raise wrong("operator_scope", "scope_region", "an operator needs scope_region, a regency/city code")
        if self.role == "admin" and self.scope_region is not None and self.scope_region.count(".") != 0:
            raise wrong("admin_scope", "scope_region", "an admin's scope_region is a province code, or none")
        if self.role == "kim" and not self.kim_id:
            raise wrong("kim_id_needed", "kim_id", "a kim key needs kim_id")
        if self.role != "kim" and self.kim_id is not None:
            raise wrong("kim_id_only_for_kim", "kim_id", "only a kim key has kim_id")
        if self.role == "kim" and self.scope_region is not None:
            raise wrong("kim_no_scope", "scope_region", "a kim key has no scope_region: its group is its scope")
        return self


class Key(BaseModel):
    id: str
    name: str
    role: str
    scope_region: str | None
    kim_id: str | None
    key_prefix: str
    created_by: str | None
    created_at: str
    revoked_at: str | None


class IssuedKey(Key):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": "5b0c1a2e-8a43-4d0e-9d5e-3f1f6f0f8a11", "name": "Operator Diskominfo Kota Pekanbaru",
        "role": "operator", "scope_region": "14.71", "kim_id": None, "key_prefix": "kim_Xq3v9sLp",
        "created_by": "0d8e...", "created_at": "2026-11-28T12:00:00+00:00", "revoked_at": None,
        "key": "kim_Xq3v9sLp..."}]})
    key: str = Field(description="the secret, shown only in this response")


@router.post("", status_code=201, response_model=IssuedKey, responses=problems(401, 403, 413, 422, 503),
             summary="Issue an API key (the secret is shown once)")
async def issue_key(body: KeyCreate, admin: Admin, rpc: RpcCall, regions: KnownRegions, keys: Keys):
    scope_region = await granted_scope(rpc, regions, admin, body)
    view, secret = await run_in_threadpool(
        keys.issue, body.name, body.role, scope_region, body.kim_id, admin.key_id)
    return {**view, "key": secret}


async def granted_scope(rpc, regions: Regions, caller: Principal, body: KeyCreate) -> str | None:
    """The scope a new key or account gets, after checking it lies inside the
    caller's (which roles a caller may grant: routes/accounts.py `manages`;
    keys are for admins only)."""
    if body.role == "kim":
        # a group's key or account is scoped to its village, so its regency's offices manage it
        # (ROLE_RULES require a kim_id with the role kim; mypy cannot read a JSON Schema)
        return (await _require_kim(rpc, caller, body.kim_id))["village_code"]  # type: ignore[arg-type]
    scope_region = body.scope_region
    if scope_region is not None and not caller.covers(scope_region):
        raise Problem(403, f"Wilayah {scope_region} di luar cakupan Anda.",
                      f"Region {scope_region} is outside your scope.")
    if scope_region is None and caller.scope_region is not None:
        raise Problem(403, "Admin provinsi tidak dapat menerbitkan akses nasional.",
                      "A province admin cannot grant national access.")
    if scope_region is not None:
        await regions.require([scope_region], "scope_region", "Wilayah {codes} tidak ada.",
                              "Region {codes} does not exist.", "unknown region code")
    return scope_region


VILLAGES_PER_CALL = 5_000


async def follow_groups(rpc, store, kim_ids: list[str] | None = None):
    """Move kim keys or accounts (`store`: a KeyStore or an AccountStore) to
    their groups' current villages before any rule looks at them: a group
    may have moved since its key or account was made."""
    held = await run_in_threadpool(store.group_villages)
    wanted = sorted(held) if kim_ids is None else [k for k in kim_ids if k in held]
    if not wanted:
        return
    now = {}
    for start in range(0, len(wanted), VILLAGES_PER_CALL):  # the registry answers at most 10,000 a call
        now.update(await rpc("registry", "villages_of", kim_ids=wanted[start:start + VILLAGES_PER_CALL]))
    moved = {kim_id: village for kim_id, village in now.items() if held.get(kim_id) != village}
    if moved:
        await run_in_threadpool(store.relocate, moved)


async def _require_kim(rpc, admin, kim_id: str) -> dict:
    try:
        return await rpc("registry", "get_kim", actor=actor(admin), kim_id=kim_id)
    except Problem as problem:
        if problem.status != 404:
            raise
        raise Problem(422, f"KIM {kim_id} tidak ada.", f"KIM {kim_id} does not exist.",
                      errors=[{"field": "kim_id", "in": "body", "message": "unknown KIM"}]) from None


@router.get("", response_model=Page[Key], responses=problems(401, 403, 422, 503),
            summary="API keys inside your scope (never their secrets; a group's key is where the group is now)")
async def list_keys(admin: Admin, rpc: RpcCall, keys: Keys, paging: Pages):
    await follow_groups(rpc, keys)
    items, total = await run_in_threadpool(keys.list, admin.scope_region, paging.limit, paging.offset)
    return paging.page(items, total)


@router.delete("/{key_id}", status_code=204, responses=problems(401, 403, 404, 409, 503),
               summary="Revoke an API key")
async def revoke_key(admin: Admin, rpc: RpcCall, store: Keys, key_id: Annotated[str, Path(max_length=36)]):
    key = await run_in_threadpool(store.get, key_id)
    if key is not None and key.role == "kim":
        await follow_groups(rpc, store, [key.kim_id])  # type: ignore[list-item]  # a group's key names its group
        key = await run_in_threadpool(store.get, key_id)
    if key is None or not admin.covers(key.scope_region or ""):
        raise Problem(404, "Kunci API tidak ditemukan.", "No such API key.")
    outcome = await run_in_threadpool(store.revoke, key_id)
    if outcome == "last_admin":
        raise Problem(409, "Ini kunci admin nasional terakhir; terbitkan yang baru dulu.",
                      "This is the last national admin key; issue another one first.")
    return Response(status_code=204)
