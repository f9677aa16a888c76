"""The stylesheet and the scripts that draw the dashboard's charts, served by the app
itself (no CDN).

The stylesheet's URL names a hash of its content and the vega bundle's URL names its
version, so browsers may keep both for a year; the small ``dashboard.js`` has a fixed URL
and a short cache, so a change reaches them soon.
Templates link the bundle with ``url_for("show_vega_bundle", version=VEGA_BUNDLE_VERSION)``.
"""

from pathlib import Path
from typing import Final

from fastapi import APIRouter, HTTPException
from starlette.responses import FileResponse, Response

from api.charts import VEGA_BUNDLE_VERSION, vega_bundle
from api.stylesheet import STYLESHEET, STYLESHEET_VERSION

router = APIRouter()

JAVASCRIPT: Final = "application/javascript; charset=utf-8"
CSS: Final = "text/css; charset=utf-8"
DASHBOARD_SCRIPT: Final = Path(__file__).resolve().parent.parent / "static" / "dashboard.js"
IMMUTABLE: Final = "public, max-age=31536000, immutable"
SHORT_CACHE: Final = "public, max-age=300"


@router.get("/assets/vega-{version}.js")
def show_vega_bundle(version: str) -> Response:
    """vega, vega-lite and vega-embed in one script; 404 for any version but the current."""
    if version != VEGA_BUNDLE_VERSION:
        raise HTTPException(404)
    return Response(vega_bundle(), media_type=JAVASCRIPT, headers={"Cache-Control": IMMUTABLE})


@router.get("/assets/dashboard.js")
def show_dashboard_script() -> Response:
    """The script that draws every ``figure[data-chart]`` of a page with vega-embed."""
    return FileResponse(
        DASHBOARD_SCRIPT, media_type=JAVASCRIPT, headers={"Cache-Control": SHORT_CACHE}
    )


@router.get("/assets/manyi-{version}.css")
def show_stylesheet(version: str) -> Response:
    """The staff pages' stylesheet; 404 for any hash but the current file's."""
    if version != STYLESHEET_VERSION:
        raise HTTPException(404)
    return Response(STYLESHEET, media_type=CSS, headers={"Cache-Control": IMMUTABLE})
