"""/docs (Swagger UI) and /redoc (ReDoc) from the copies shipped under
static/vendor/, not a CDN: the API documentation works on an intranet or an
offline machine. No inline script, so the CSP keeps `script-src 'self'`."""
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

router = APIRouter(include_in_schema=False)

# both draw their own styles at run time (style attributes, styled-components); ReDoc's
# search runs in a worker it builds from a blob
CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
       "worker-src 'self' blob:; frame-ancestors 'none'; base-uri 'self'; form-action 'self'")

SWAGGER_UI = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} - Swagger UI</title>
<link rel="stylesheet" href="/static/vendor/swagger-ui/swagger-ui.css">
</head>
<body>
<div id="swagger-ui" data-openapi="{openapi_url}"></div>
<script src="/static/vendor/swagger-ui/swagger-ui-bundle.js"></script>
<script src="/static/docs.js"></script>
</body>
</html>
"""

REDOC = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} - ReDoc</title>
</head>
<body>
<redoc spec-url="{openapi_url}"></redoc>
<script src="/static/vendor/redoc/redoc.standalone.js"></script>
</body>
</html>
"""


def _page(request: Request, template: str) -> HTMLResponse:
    app = request.app
    response = HTMLResponse(template.format(title=app.title, openapi_url=app.openapi_url))
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    return response


@router.get("/docs")
async def swagger_ui(request: Request):
    return _page(request, SWAGGER_UI)


@router.get("/redoc")
async def redoc(request: Request):
    return _page(request, REDOC)
