"""The office console (admin, operator), one module per part, as its
templates in templates/console/ are: the dashboard, importing groups, groups (kims), broadcasts,
the aspiration work queue, figures with CSV downloads, people's accounts, the evaluation
(issue 15) and a person's data (issue 16);
common.py holds what they share.

`router` holds the pages in the order the modules are listed: each module's
own order matters (/kim/baru before /kim/{kim_id})."""
from fastapi import APIRouter

from services.gateway.web.console import (
    accounts,
    aspirations,
    broadcasts,
    dashboard,
    evaluation,
    figures,
    imports,
    kims,
    privacy,
)

router = APIRouter()
for part in (dashboard, imports, kims, broadcasts, aspirations, figures, accounts, evaluation, privacy):
    router.include_router(part.router)
