"""An organisation adapts the built-in questionnaire: wording per language and items added
to dimensions, published as its next immutable version, previewed as a phone shows it."""

import html
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func
from sqlmodel import Session, select

from survey.models import Instrument, InstrumentItem, Role
from tests.factories import FixedClock, Place, make_place
from tests.web import add_user, csrf_of, log_in

Q1_ZH = "营业厅的设备看起来很新。"


@pytest.fixture
def place(session: Session, clock: FixedClock) -> Place:
    place = make_place(session, now=clock())
    assert place.organisation.id is not None
    add_user(session, clock, "ada", Role.admin, [place.organisation.id])
    add_user(session, clock, "wang", Role.manager, [place.organisation.id])
    return place


def editor_form(client: TestClient, place: Place, **changes: str) -> dict[str, str]:
    """The editor's form as shown (every wording filled in), with ``changes`` applied."""
    page = client.get(
        f"/admin/questionnaires/{place.campaign.instrument_id}/edit"
        f"?organisation={place.organisation.id}"
    )
    assert page.status_code == 200
    form = {
        name: html.unescape(text)
        for name, text in _textareas(page.text)
        if name.startswith("text:")
    }
    return {
        "csrf_token": csrf_of(page.text),
        "organisation": str(place.organisation.id),
        **form,
        **changes,
    }


def _textareas(page: str) -> list[tuple[str, str]]:
    return re.findall(r'<textarea name="([^"]+)"[^>]*>([^<]*)</textarea>', page)


def publish(client: TestClient, place: Place, form: dict[str, str]) -> object:
    return client.post(
        f"/admin/questionnaires/{place.campaign.instrument_id}/edit?lang=en",
        data=form,
        follow_redirects=False,
    )


def test_an_admin_publishes_the_next_version_with_new_wording_and_an_item(
    client: TestClient, place: Place, session: Session
) -> None:
    log_in(client, "ada")
    form = editor_form(
        client,
        place,
        **{
            "text:item.q1:zh_Hans": Q1_ZH,
            "new-0-code": "q23",
            "new-0-dimension": "empathy",
            "new-0-zh_Hans": "工作人员主动询问我还需要什么帮助。",
            "new-0-zh_Hant": "工作人員主動詢問我還需要什麼幫助。",
            "new-0-en": "Staff asked what else I needed.",
        },
    )
    response = publish(client, place, form)
    assert response.status_code == 303
    session.rollback()
    own = session.exec(
        select(Instrument).where(Instrument.organisation_id == place.organisation.id)
    ).one()
    assert own.version == 2 and own.parent_id == place.campaign.instrument_id
    codes = session.exec(
        select(InstrumentItem.code).where(InstrumentItem.instrument_id == own.id)
    ).all()
    assert len(codes) == 23 and "q23" in codes

    preview = client.get(
        f"/admin/questionnaires/{own.id}/preview?organisation={place.organisation.id}&lang=zh_Hans"
    )
    assert preview.status_code == 200
    assert Q1_ZH in preview.text and "工作人员主动询问我还需要什么帮助。" in preview.text
    assert "disabled" in preview.text  # nothing can be sent from a preview
    built_in = client.get(
        f"/admin/questionnaires/{place.campaign.instrument_id}/preview"
        f"?organisation={place.organisation.id}&lang=zh_Hans"
    )
    assert Q1_ZH not in built_in.text  # the version it came from is unchanged


def test_an_emptied_wording_comes_back_and_nothing_is_published(
    client: TestClient, place: Place, session: Session
) -> None:
    log_in(client, "ada")
    form = editor_form(client, place, **{"text:item.q2:en": "   ", "text:title:en": "Kept title"})
    response = publish(client, place, form)
    assert response.status_code == 422
    assert "Write 1 to 1000 characters." in response.text
    assert "Kept title" in response.text
    session.rollback()
    assert session.exec(select(func.count()).select_from(Instrument)).one() == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({}, "Nothing was changed, so no new version was made."),
        (
            {"new-0-code": "q1", "new-0-dimension": "empathy", "new-0-en": "x"},
            "The questionnaire already has this item.",
        ),
        (
            {"new-0-code": "Bad Code", "new-0-dimension": "empathy", "new-0-en": "x"},
            "An item code is a lower-case letter",
        ),
        (
            {"new-0-code": "q30", "new-0-dimension": "nowhere", "new-0-en": "x"},
            "Please choose a dimension.",
        ),
    ],
)
def test_a_version_that_would_be_wrong_is_refused(
    client: TestClient, place: Place, session: Session, changes: dict[str, str], message: str
) -> None:
    log_in(client, "ada")
    response = publish(client, place, editor_form(client, place, **changes))
    assert response.status_code == 422
    assert message in html.unescape(response.text)
    session.rollback()
    assert session.exec(select(func.count()).select_from(Instrument)).one() == 1


def test_a_manager_previews_but_does_not_edit(client: TestClient, place: Place) -> None:
    log_in(client, "wang")
    instrument = place.campaign.instrument_id
    assert client.get("/admin/questionnaires").status_code == 200
    assert client.get(f"/admin/questionnaires/{instrument}/preview").status_code == 200
    assert client.get(f"/admin/questionnaires/{instrument}/edit").status_code == 403


def test_another_organisations_version_is_not_found(
    client: TestClient, place: Place, session: Session, clock: FixedClock
) -> None:
    other = make_place(session, now=clock(), slug="other")
    log_in(client, "ada")
    ours = publish(client, place, editor_form(client, place, **{"text:title:en": "Ours"}))
    assert ours.status_code == 303
    session.rollback()
    own = session.exec(
        select(Instrument).where(Instrument.organisation_id == place.organisation.id)
    ).one()
    add_user(session, clock, "olga", Role.admin, [other.organisation.id or 0])
    client.cookies.clear()
    log_in(client, "olga")
    assert client.get(f"/admin/questionnaires/{own.id}/preview").status_code == 404
    assert client.get(f"/admin/questionnaires/{own.id}/edit").status_code == 404


def test_a_version_on_a_five_point_scale_asks_one_to_five(
    client: TestClient, place: Place, session: Session
) -> None:
    log_in(client, "ada")
    form = editor_form(
        client, place, scale="5", **{"text:intro:en": "Answer from 1 (disagree) to 5 (agree)."}
    )
    assert publish(client, place, form).status_code == 303
    session.rollback()
    own = session.exec(
        select(Instrument).where(Instrument.organisation_id == place.organisation.id)
    ).one()
    assert (own.scale_min, own.scale_max) == (1, 5)
    preview = client.get(f"/admin/questionnaires/{own.id}/preview?lang=en").text
    values = set(re.findall(r'name="p\.q1" value="(\d+)"', preview))
    assert values == {"1", "2", "3", "4", "5"}
    refused = publish(client, place, editor_form(client, place, scale="6"))
    assert refused.status_code == 422 and "Please choose an answer scale." in refused.text
