"""The API explorer at `/docs`: Swagger UI from the project's own static files (vendored from
the npm package swagger-ui-dist by `make vendor`), never from a CDN, under the site's CSP.
ReDoc (which FastAPI would load from a CDN) is off."""

from fastapi import FastAPI
from fastapi.responses import HTMLResponse

from api.web.render import static_url

DOCS_PATH = "/docs"


def install_api_docs(app: FastAPI) -> None:
    page = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{app.title} – API</title>
<link rel="stylesheet" href="{static_url("vendor/swagger-ui/swagger-ui.css")}">
<script src="{static_url("vendor/swagger-ui/swagger-ui-bundle.js")}" defer></script>
<script src="{static_url("js/api-docs.js")}" defer></script>
</head>
<body>
<div id="swagger-ui"></div>
</body>
</html>
"""

    @app.get(DOCS_PATH, include_in_schema=False)
    def api_docs() -> HTMLResponse:
        return HTMLResponse(page)
