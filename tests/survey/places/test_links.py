"""Creating a campaign's links, and revoking them."""

import pytest
from sqlmodel import Session, select

from survey.models import QrLink
from survey.places.links import ensure_campaign_links, poster_places
from survey.places.organisations import create_counter, create_staff_member
from tests.factories import FixedClock, make_place


def test_links_per_counter_are_created_once(session: Session, clock: FixedClock) -> None:
    place = make_place(session, now=clock())  # already has one link for counter A1
    assert place.site.id is not None and place.campaign.id is not None
    create_counter(session, site_id=place.site.id, code="A2", name="Window A2")
    created = ensure_campaign_links(session, campaign_id=place.campaign.id, now=clock())
    assert len(created) == 1  # only the new counter
    assert created[0].counter_id != place.counter.id
    again = ensure_campaign_links(session, campaign_id=place.campaign.id, now=clock())
    assert again == []


def test_per_staff_campaign_gets_a_link_and_poster_per_clerk(
    session: Session, clock: FixedClock
) -> None:
    place = make_place(session, now=clock())
    assert place.site.id is not None and place.campaign.id is not None
    create_staff_member(session, site_id=place.site.id, job_number="org-a-002", display_name="王伟")
    place.campaign.per_staff = True
    session.add(place.campaign)
    created = ensure_campaign_links(session, campaign_id=place.campaign.id, now=clock())
    session.commit()
    assert len(created) == 2
    assert place.staff.id in {link.staff_member_id for link in created}
    assert None not in {link.staff_member_id for link in created}
    names = {p.staff_name for p in poster_places(session, now=clock())}
    assert {"李娜", "王伟"} <= names


def test_rotating_display_links_are_separate_from_printed_ones(
    session: Session, clock: FixedClock
) -> None:
    place = make_place(session, now=clock())
    assert place.campaign.id is not None
    created = ensure_campaign_links(
        session, campaign_id=place.campaign.id, rotating=True, now=clock()
    )
    session.commit()
    assert len(created) == 1 and created[0].rotating
    links = session.exec(select(QrLink)).all()
    assert sorted(link.rotating for link in links) == [False, True]
    # Printed posters never carry a rotating link.
    assert [p.token for p in poster_places(session, now=clock())] == [place.link.token]


def test_tokens_never_start_with_a_dash(monkeypatch: pytest.MonkeyPatch) -> None:
    """A token such as ``-2x…`` is read as an option by ``manyi links revoke``; new_token
    draws again instead (the first draw here starts with a dash)."""
    from survey.places import links

    draws = iter(["-2xyz", "abc-"])
    monkeypatch.setattr(links.secrets, "token_urlsafe", lambda _n: next(draws))
    assert links.new_token() == "abc-"
