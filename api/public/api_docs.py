"""``/api/docs`` and ``/api/openapi.json``: the API's documentation, for signed-in
accounts only, with Swagger UI served by the app itself from the ``swagger-ui-bundle``
package (FastAPI's default page loads it from a CDN, which our pages never do)."""

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from starlette.responses import FileResponse, JSONResponse, Response
from swagger_ui_bundle import swagger_ui_path

from api.deps import CurrentAccount
from survey.errors import NotFound

router = APIRouter()
SWAGGER_FILES = {"swagger-ui-bundle.js": "text/javascript", "swagger-ui.css": "text/css"}


@router.get("/api/docs", include_in_schema=False)
def show_api_docs(account: CurrentAccount) -> Response:
    """Swagger UI over the OpenAPI schema, every asset from this app."""
    del account
    return get_swagger_ui_html(
        openapi_url="/api/openapi.json",
        title="manyi API",
        swagger_js_url="/api/docs/swagger-ui-bundle.js",
        swagger_css_url="/api/docs/swagger-ui.css",
        swagger_favicon_url="data:,",
    )


@router.get("/api/openapi.json", include_in_schema=False)
def show_openapi(request: Request, account: CurrentAccount) -> Response:
    """The OpenAPI schema of every route."""
    del account
    return JSONResponse(request.app.openapi())


@router.get("/api/docs/{name}", include_in_schema=False)
def show_swagger_asset(name: str) -> Response:
    """Swagger UI's script and stylesheet, as the package ships them."""
    if name not in SWAGGER_FILES:
        raise NotFound(f"asset {name}")
    path = Path(str(swagger_ui_path)) / name
    return FileResponse(
        path,
        media_type=SWAGGER_FILES[name],
        headers={"Cache-Control": "public, max-age=86400"},
    )
