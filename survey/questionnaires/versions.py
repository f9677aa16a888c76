"""An organisation's own questionnaire: the next version of one it may ask, with wording
changed per language and items added to dimensions. Versions are immutable (answers keep
the exact questions they answered), so every change is published as a new version."""

import re
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from survey.db import begin_write
from survey.errors import N_, FieldError, InvalidAnswer, NotFound
from survey.models import Instrument
from survey.questionnaires.instruments import adapt_instrument, load_instrument

LOCALES = ("zh_Hans", "zh_Hant", "en")
MAX_TEXT = 1000
SCALES = (5, 7, 10)
"""The answer scales an item may have: 1 to 5, 1 to 7 (SERVQUAL's), 1 to 10."""
ITEM_CODE = re.compile(r"[a-z][a-z0-9_]{0,19}")


@dataclass(frozen=True)
class NewItem:
    """An item to add: its code, dimension and wording per language (all three)."""

    code: str
    dimension_code: str
    texts: dict[str, str]


def text_field(key: str, locale: str) -> str:
    """The form field (and error key) of one wording: ``text:item.q3:en``."""
    return f"text:{key}:{locale}"


def editable_keys(session: Session, instrument_id: int) -> list[str]:
    """The wordings of a version in the order the survey page shows them: title, intro,
    each dimension's name followed by its items, then the overall rating."""
    spec = load_instrument(session, instrument_id)
    keys = ["title", "intro"]
    for dimension in spec.dimensions:
        keys.append(f"dimension.{dimension.code}")
        keys += [f"item.{item.code}" for item in dimension.items]
    return [*keys, "overall"]


def publish_version(
    session: Session,
    *,
    instrument_id: int,
    organisation_id: int,
    texts: dict[tuple[str, str], str],
    new_items: list[NewItem],
    scale_max: int | None = None,
    now: datetime,
) -> Instrument:
    """Publish the organisation's next version of ``instrument_id`` (the built-in one or
    its own) with ``texts`` (``(key, locale) → wording``, only what changed),
    ``new_items`` and the items' answer scale ``1..scale_max`` (one of :data:`SCALES`).
    InvalidAnswer names every field at fault: a wording emptied or over 1000 characters, a
    new item's code that is malformed or taken, a dimension the questionnaire lacks, a
    missing language, a scale not offered; and a publication that changes nothing.
    Commits."""
    instrument = session.get(Instrument, instrument_id)
    if instrument is None or instrument.organisation_id not in (None, organisation_id):
        raise NotFound(f"instrument {instrument_id}")
    spec = load_instrument(session, instrument_id)
    errors: dict[str, FieldError | str] = {}
    cleaned: dict[tuple[str, str], str] = {}
    for (key, locale), text in texts.items():
        text = text.strip()
        if not text or len(text) > MAX_TEXT:
            errors[text_field(key, locale)] = FieldError(
                N_("Write 1 to %(limit)s characters."), {"limit": MAX_TEXT}
            )
        elif text != spec.texts.get((key, locale), ""):
            cleaned[(key, locale)] = text
    known = {item.code for item in spec.items}
    adds: list[tuple[str, str, dict[str, str]]] = []
    for index, item in enumerate(new_items):
        field = f"new-{index}"
        code = item.code.strip()
        if not ITEM_CODE.fullmatch(code):
            errors[f"{field}-code"] = FieldError(
                N_("An item code is a lower-case letter, then up to 19 letters, digits or '_'.")
            )
        elif code in known:
            errors[f"{field}-code"] = FieldError(N_("The questionnaire already has this item."))
        if item.dimension_code not in spec.dimension_codes:
            errors[f"{field}-dimension"] = FieldError(N_("Please choose a dimension."))
        wording = {locale: item.texts.get(locale, "").strip() for locale in LOCALES}
        for locale, text in wording.items():
            if not text or len(text) > MAX_TEXT:
                errors[f"{field}-{locale}"] = FieldError(
                    N_("Write 1 to %(limit)s characters."), {"limit": MAX_TEXT}
                )
        known.add(code)
        adds.append((code, item.dimension_code, wording))
    if scale_max is not None and scale_max not in SCALES:
        errors["scale"] = FieldError(N_("Please choose an answer scale."))
    new_scale = scale_max if scale_max not in (None, spec.scale_max) else None
    if not errors and not cleaned and not adds and new_scale is None:
        errors["form"] = FieldError(N_("Nothing was changed, so no new version was made."))
    if errors:
        raise InvalidAnswer(errors)
    begin_write(session)
    try:
        published = adapt_instrument(
            session,
            instrument_id=instrument_id,
            organisation_id=organisation_id,
            texts=cleaned,
            new_items=adds,
            scale_max=new_scale,
            now=now,
        )
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return published
