"""The console's first page: the office's coverage, aspiration figures, the
latest broadcasts and the overdue aspirations."""
from fastapi import Request

from services.gateway.web.api import Api, together
from services.gateway.web.console.common import console_router, scope_code
from services.gateway.web.pages import Staff, render

router = console_router()


@router.get("")
async def dashboard(request: Request, staff: Staff):
    api = Api(request)
    coverage, figures, broadcasts, overdue = await together(
        api.get(f"/api/v1/coverage/{scope_code(staff)}"),
        api.get("/api/v1/aspirations/stats"),
        api.get("/api/v1/broadcasts", limit=5),
        api.get("/api/v1/aspirations", overdue="true", limit=5))
    return render(request, "console/dashboard.html", coverage=coverage, figures=figures, broadcasts=broadcasts,
                  overdue=overdue)
