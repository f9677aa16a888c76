"""The manager's checklist editor: saving makes a new version; errors keep the form."""

import html
import re

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from survey.models import Checklist, Role
from survey.supervision.checklists import current_checklist, ensure_default_checklist
from tests.factories import FixedClock, Place, make_place
from tests.web import add_user, log_in


def setup_manager(session: Session, clock: FixedClock, client: TestClient) -> Place:
    place = make_place(session, now=clock())
    ensure_default_checklist(session, now=clock())
    session.commit()
    assert place.organisation.id is not None
    add_user(session, clock, "wang", Role.manager, [place.organisation.id])
    assert log_in(client, "wang") == 303
    return place


def editor_form(client: TestClient) -> dict[str, str]:
    """The editor's fields as the browser would send them unchanged."""
    page = client.get("/manager/checklist?lang=en")
    assert page.status_code == 200
    data = {
        name: html.unescape(value)
        for kind, name, value in re.findall(
            r'<input type="(hidden|text)"[^>]* name="([^"]+)"[^>]*value="([^"]*)"', page.text
        )
    }
    for name, section in re.findall(
        r'<select id="[^"]+" name="(section-\d+)">.*?<option value="(\w+)" selected',
        page.text,
        re.DOTALL,
    ):
        data[name] = section
    return data


def test_a_manager_rewords_removes_and_adds_items_as_a_new_version(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    place = setup_manager(session, clock, client)
    page = client.get("/manager/checklist?lang=en")
    assert "the built-in checklist" in page.text
    assert '<label for="en-0">English</label>' in page.text
    data = editor_form(client)
    rows = int(data["rows"])
    assert rows == 17 + 3
    l2 = next(i for i in range(rows) if data[f"code-{i}"] == "L2")
    data[f"remove-{l2}"] = "1"
    data["en-0"] = "Greets every customer first."
    data[f"section-{rows - 1}"] = "discipline"
    data[f"zh_Hans-{rows - 1}"] = "下班前整理好柜台。"
    response = client.post("/manager/checklist", data=data, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].endswith("&saved=2")
    assert place.organisation.id is not None
    session.commit()
    revised = current_checklist(session, place.organisation.id)
    assert revised.version == 2 and revised.organisation_id == place.organisation.id
    codes = [item.code for item in revised.items]
    assert "L2" not in codes and codes[-1] == "D5"
    assert revised.items[0].texts["en"] == "Greets every customer first."
    assert len(session.exec(select(Checklist)).all()) == 2
    assert "Saved as version 2." in client.get(response.headers["location"] + "&lang=en").text


def test_an_item_without_any_wording_gives_the_form_back(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    setup_manager(session, clock, client)
    data = editor_form(client)
    data |= {"zh_Hans-1": "", "zh_Hant-1": "", "en-1": "", "en-0": "Kept wording"}
    response = client.post("/manager/checklist?lang=en", data=data)
    assert response.status_code == 422
    assert '<p class="err" id="err-row-1">Write the item in at least one language.</p>' in (
        response.text
    )
    assert 'value="Kept wording"' in response.text
    session.commit()
    assert len(session.exec(select(Checklist)).all()) == 1


def test_a_supervisor_may_not_edit_the_checklist(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    place = make_place(session, now=clock())
    assert place.organisation.id is not None
    add_user(session, clock, "zhou", Role.supervisor, [place.organisation.id])
    assert log_in(client, "zhou") == 303
    assert client.get("/manager/checklist").status_code == 403
