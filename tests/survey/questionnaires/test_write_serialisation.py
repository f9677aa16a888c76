"""Two submissions at one counter never interleave their repeat check and insert."""

import threading
import time

from sqlalchemy import Engine
from sqlmodel import Session, func, select

from survey.db import begin_write, lock_key
from survey.models import SurveyResponse
from survey.questionnaires.responses import DuplicatePolicy, ResponseInput, submit_response
from tests.factories import FixedClock, make_place


def test_a_submission_waits_while_another_writer_holds_its_counter(
    engine: Engine, session: Session, clock: FixedClock
) -> None:
    """SQLite: the writer queue; PostgreSQL: the per-counter advisory lock."""
    place = make_place(session, now=clock())
    assert place.counter.id is not None
    # A response with only an overall rating is valid.
    answers = ResponseInput(answers=(), importance=None, overall=4, comment="")
    finished = threading.Event()

    def submit() -> None:
        with Session(engine, expire_on_commit=False) as other:
            submit_response(
                other,
                token=place.link.token,
                submission_key="k-1",
                answers=answers,
                locale="en",
                device_id="phone-1",
                client_address="203.0.113.9",
                user_agent="ua",
                salt="s",
                policy=DuplicatePolicy(),
                now=clock(),
            )
        finished.set()

    with Session(engine) as holder:
        begin_write(holder)
        lock_key(holder, place.counter.id)
        worker = threading.Thread(target=submit)
        worker.start()
        time.sleep(0.3)
        assert not finished.is_set(), "the second writer did not wait"
        holder.commit()
    worker.join(timeout=10)
    assert finished.is_set()
    session.rollback()
    assert session.exec(select(func.count()).select_from(SurveyResponse)).one() == 1
