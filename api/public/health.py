"""Liveness for load balancers and the start-up check."""

from fastapi import APIRouter, Request
from sqlalchemy import text
from starlette.responses import JSONResponse, Response

from api.deps import SessionDep
from api.templating import render

router = APIRouter()


@router.get("/healthz")
def show_health(session: SessionDep) -> Response:
    """200 when the app and its database answer, 503 when the database does not."""
    try:
        session.execute(text("SELECT 1"))
    except Exception as error:
        return JSONResponse({"status": "unavailable", "database": type(error).__name__}, 503)
    return JSONResponse({"status": "ok"})


@router.get("/")
def show_home(request: Request) -> Response:
    """The landing page: what manyi is and where staff sign in."""
    return render(request, "public/home.html")
