"""``manyi links`` and ``manyi qr``: survey links and their printed posters."""

from pathlib import Path
from typing import Annotated

import typer
from sqlmodel import Session

from api.cli.root import app, fail, links_app, now, open_database, writing
from api.printing.posters import find_cjk_font, poster_info, poster_png, poster_svg, site_sheet_pdf
from api.settings import Settings, public_address
from survey.errors import FontMissing, LinkNotFound, NotFound
from survey.places.links import ensure_campaign_links, poster_places, revoke_link


@links_app.command("create")
def links_create(
    campaign: Annotated[int, typer.Option(help="Campaign id.")],
    rotating: Annotated[
        bool, typer.Option("--rotating", help="Links for counter displays (rotating codes).")
    ] = False,
) -> None:
    """Create the missing links of a campaign (per counter, or per counter and clerk)."""
    with writing() as session:
        try:
            created = ensure_campaign_links(
                session, campaign_id=campaign, rotating=rotating, now=now()
            )
        except NotFound:
            fail(f"no campaign {campaign}")
        addresses = [
            f"/display/{link.display_token}" if rotating else f"/s/{link.token}" for link in created
        ]
        base = public_address(session, Settings())
    for path in addresses:
        typer.echo(f"{base}{path}")
    typer.echo(f"created {len(created)} link(s)", err=True)


@links_app.command("revoke")
def links_revoke(token: str) -> None:
    """Withdraw a link: its QR code answers 410 from now on; its responses are kept."""
    with writing() as session:
        try:
            revoke_link(session, token=token, now=now())
        except LinkNotFound:
            fail("no link with this token")
    typer.echo("revoked")


def write_posters(
    session: Session,
    *,
    out: Path,
    settings: Settings,
    site_id: int | None,
    fmt: str,
    campaign_id: int | None = None,
) -> list[Path]:
    """Write one poster per printable link (PNG or SVG), or one PDF sheet per site; of
    one site or one campaign when given."""
    out.mkdir(parents=True, exist_ok=True)
    places = poster_places(session, now=now(), site_id=site_id, campaign_id=campaign_id)
    base_url = public_address(session, settings)
    written: list[Path] = []
    infos = [
        (
            place,
            poster_info(
                place,
                base_url=base_url,
                hotline=settings.supervision_hotline,
                data_dir=settings.data_dir,
            ),
        )
        for place in places
    ]
    if fmt == "pdf":
        for current_site in sorted({place.site_id for place in places}):
            path = out / f"site-{current_site}.pdf"
            path.write_bytes(site_sheet_pdf([i for p, i in infos if p.site_id == current_site]))
            written.append(path)
        return written
    for place, info in infos:
        stem = f"site-{place.site_id}-counter-{place.counter_code}-{place.token[:6]}"
        if fmt == "svg":
            path = out / f"{stem}.svg"
            path.write_text(poster_svg(info), encoding="utf-8")
        else:
            path = out / f"{stem}.png"
            path.write_bytes(poster_png(info))
        written.append(path)
    return written


@app.command()
def qr(
    out: Annotated[Path, typer.Option(help="Folder to write the posters to.")],
    site: Annotated[int | None, typer.Option(help="Only this site's counters.")] = None,
    campaign: Annotated[int | None, typer.Option(help="Only this campaign's links.")] = None,
    fmt: Annotated[
        str, typer.Option("--format", help="png, svg or pdf (a sheet per site).")
    ] = "png",
) -> None:
    """Write QR posters for the counters' survey links."""
    if fmt not in ("png", "svg", "pdf"):
        fail("--format must be png, svg or pdf")
    try:
        if fmt != "svg":
            find_cjk_font()
        with open_database() as (settings, engine), Session(engine) as session:
            written = write_posters(
                session, out=out, settings=settings, site_id=site, fmt=fmt, campaign_id=campaign
            )
    except FontMissing as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(3) from error
    typer.echo(f"wrote {len(written)} file(s) to {out}")
