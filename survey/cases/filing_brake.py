"""The filing brake: how much feedback one customer may file at one counter.

An outside test filed ten complaints in a row from one client and opened ten cases, each
with a clock that escalates to management. A customer's filings through a counter's link
are limited like survey answers: per device (the random device cookie) at most
:data:`MAX_PER_DEVICE` in :data:`WINDOW`, and, since a script drops its cookie, per
network (a salted hash of the address's /24 or /64, never the address, and not of the
browser name, which a script also changes) at most :data:`MAX_PER_NETWORK`: generous for
a hall's Wi-Fi, where honest customers share one address, and complaints are rarer than
answers. Staff, the hotline and regulators are not braked.
"""

from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from survey.errors import TooManyFilings
from survey.models import Feedback

WINDOW = timedelta(hours=1)
MAX_PER_DEVICE = 3
MAX_PER_NETWORK = 10


def check_filing_brake(
    session: Session, *, counter_id: int, device_hash: str, network_hash: str, now: datetime
) -> None:
    """TooManyFilings when this device or network filed its share at the counter within
    the last :data:`WINDOW`."""
    since = now - WINDOW
    recent = (col(Feedback.counter_id) == counter_id, col(Feedback.received_at) > since)
    for column, value, limit in (
        (Feedback.device_hash, device_hash, MAX_PER_DEVICE),
        (Feedback.network_hash, network_hash, MAX_PER_NETWORK),
    ):
        count = session.exec(
            select(func.count()).select_from(Feedback).where(*recent, col(column) == value)
        ).one()
        if count >= limit:
            raise TooManyFilings(f"counter {counter_id}")
