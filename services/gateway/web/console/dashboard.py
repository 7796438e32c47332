"""The console's first page: the office's coverage, aspiration figures, the
latest broadcasts, the overdue aspirations and the groups waiting for a
village after a region data update."""
from fastapi import Request

from services.gateway.web.api import Api, together
from services.gateway.web.console.common import console_router, scope_code
from services.gateway.web.pages import Staff, render

router = console_router()


@router.get("")
async def dashboard(request: Request, staff: Staff):
    api = Api(request)
    coverage, figures, broadcasts, overdue, reassign = await together(
        api.get(f"/api/v1/coverage/{scope_code(staff)}"),
        api.get("/api/v1/aspirations/stats"),
        api.get("/api/v1/broadcasts", limit=5),
        api.get("/api/v1/aspirations", overdue="true", limit=5),
        api.get("/api/v1/regions/reassignments"))
    return render(request, "console/dashboard.html", coverage=coverage, figures=figures, broadcasts=broadcasts,
                  overdue=overdue, reassign=reassign)
