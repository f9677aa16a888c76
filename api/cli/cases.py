"""``manyi cases sweep`` and ``manyi cases purge``: the case clocks' stages and retention."""

import typer
from sqlmodel import Session

from api.cli.root import cases_app, now, open_database
from survey.cases.handling import purge_expired_evidence, sweep_all
from survey.models import CaseEventKind


@cases_app.command("sweep")
def cases_sweep() -> None:
    """Record the warnings (50 %, 80 %) and escalations the open cases' clocks have reached
    (``manyi serve`` does it every five minutes; run this from cron when serving otherwise).
    """
    with open_database() as (_, engine), Session(engine, expire_on_commit=False) as session:
        recorded = sweep_all(session, now=now())
    escalations = sum(1 for event in recorded if event.kind == CaseEventKind.escalation)
    typer.echo(f"recorded {len(recorded)} event(s), {escalations} escalation(s)")


@cases_app.command("purge")
def cases_purge() -> None:
    """Remove the text, contact and photos of complaints whose case closed longer ago than
    the organisation's retention (the case and its history stay)."""
    with open_database() as (settings, engine), Session(engine) as session:
        redacted = purge_expired_evidence(session, now=now(), data_dir=settings.data_dir)
    typer.echo(f"redacted {redacted} complaint(s)")
