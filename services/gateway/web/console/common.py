"""What the console's pages share: their router (every page under /konsol,
none in the API's schema) and the office's own region."""
from fastapi import APIRouter

from services.gateway.web.pages import Staff


def console_router() -> APIRouter:
    return APIRouter(prefix="/konsol", include_in_schema=False)


def scope_code(staff: Staff) -> str:
    return staff.principal.scope_region or "ID"
