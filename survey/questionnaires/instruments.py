"""Versioned questionnaires: the built-in default, adaptations, and a read-only view of one.

An instrument version never changes once responses may refer to it: adapting wording or
adding items makes a new version, so a response always points at the exact questions it
answered.
"""

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, select

from survey.errors import InvalidAnswer, NotFound
from survey.models import Instrument, InstrumentDimension, InstrumentItem, InstrumentText
from survey.questionnaires import default_instrument as default

FALLBACK_LOCALE = "en"


@dataclass(frozen=True)
class ItemSpec:
    """One question: database id, stable code and its dimension."""

    id: int
    code: str
    dimension_code: str


@dataclass(frozen=True)
class DimensionSpec:
    """A dimension and its items in display order."""

    code: str
    items: tuple[ItemSpec, ...]


@dataclass(frozen=True)
class InstrumentSpec:
    """An instrument version with everything needed to show and validate it."""

    id: int
    key: str
    version: int
    scale_min: int
    scale_max: int
    overall_min: int
    overall_max: int
    dimensions: tuple[DimensionSpec, ...]
    texts: dict[tuple[str, str], str] = field(hash=False, compare=False)

    @property
    def items(self) -> tuple[ItemSpec, ...]:
        """All items in display order."""
        return tuple(item for dim in self.dimensions for item in dim.items)

    @property
    def dimension_codes(self) -> tuple[str, ...]:
        return tuple(dim.code for dim in self.dimensions)

    def text(self, key: str, locale: str) -> str:
        """Wording for ``key`` in ``locale``, falling back to English, then to the key."""
        return self.texts.get((key, locale)) or self.texts.get((key, FALLBACK_LOCALE)) or key


def ensure_default_instrument(session: Session, *, now: datetime) -> Instrument:
    """Return the built-in 22-item instrument, creating version 1 if it is missing.

    Does not commit: the caller's unit of work does.
    """
    existing = session.exec(
        select(Instrument)
        .where(
            col(Instrument.organisation_id).is_(None),
            Instrument.key == default.DEFAULT_INSTRUMENT_KEY,
        )
        .order_by(col(Instrument.version).desc())
    ).first()
    if existing is not None:
        return existing
    instrument = Instrument(key=default.DEFAULT_INSTRUMENT_KEY, version=1, created_at=now)
    session.add(instrument)
    session.flush()
    assert instrument.id is not None
    for position, (code, *_labels) in enumerate(default.DIMENSIONS):
        session.add(InstrumentDimension(instrument_id=instrument.id, code=code, position=position))
    for position, (code, dimension, *_texts) in enumerate(default.ITEMS):
        session.add(
            InstrumentItem(
                instrument_id=instrument.id, code=code, dimension_code=dimension, position=position
            )
        )
    rows: list[tuple[str, tuple[str, ...]]] = []
    rows += [(f"item.{code}", tuple(texts)) for code, _dim, *texts in default.ITEMS]
    rows += [(f"dimension.{code}", tuple(texts)) for code, *texts in default.DIMENSIONS]
    rows += [(key, tuple(texts)) for key, *texts in default.GENERAL_TEXTS]
    for key, texts in rows:
        for locale, text in zip(default.LOCALES, texts, strict=True):
            session.add(
                InstrumentText(instrument_id=instrument.id, key=key, locale=locale, text=text)
            )
    session.flush()
    return instrument


def load_instrument(session: Session, instrument_id: int) -> InstrumentSpec:
    """Read one instrument version with its dimensions, items and wording."""
    instrument = session.get(Instrument, instrument_id)
    if instrument is None or instrument.id is None:
        raise NotFound(f"instrument {instrument_id}")
    dimensions = session.exec(
        select(InstrumentDimension)
        .where(InstrumentDimension.instrument_id == instrument_id)
        .order_by(col(InstrumentDimension.position))
    ).all()
    items = session.exec(
        select(InstrumentItem)
        .where(InstrumentItem.instrument_id == instrument_id)
        .order_by(col(InstrumentItem.position))
    ).all()
    texts = session.exec(
        select(InstrumentText).where(InstrumentText.instrument_id == instrument_id)
    ).all()
    return InstrumentSpec(
        id=instrument.id,
        key=instrument.key,
        version=instrument.version,
        scale_min=instrument.scale_min,
        scale_max=instrument.scale_max,
        overall_min=instrument.overall_min,
        overall_max=instrument.overall_max,
        dimensions=tuple(
            DimensionSpec(
                code=dim.code,
                items=tuple(
                    ItemSpec(id=item.id, code=item.code, dimension_code=item.dimension_code)
                    for item in items
                    if item.dimension_code == dim.code and item.id is not None
                ),
            )
            for dim in dimensions
        ),
        texts={(t.key, t.locale): t.text for t in texts},
    )


def adapt_instrument(
    session: Session,
    *,
    instrument_id: int,
    organisation_id: int,
    texts: dict[tuple[str, str], str] | None = None,
    new_items: list[tuple[str, str, dict[str, str]]] | None = None,
    scale_max: int | None = None,
    now: datetime,
) -> Instrument:
    """Make a new version of an instrument for an organisation.

    ``texts`` overrides wording by ``(key, locale)``; ``new_items`` appends items as
    ``(code, dimension_code, {locale: text})``; ``scale_max`` changes the items' answer
    scale to ``1..scale_max``. The source version is left untouched so
    responses that answered it keep their exact questions. Does not commit.
    """
    source = load_instrument(session, instrument_id)
    new_items = new_items or []
    known_codes = {item.code for item in source.items}
    for code, dimension, _wording in new_items:
        if code in known_codes:
            raise InvalidAnswer({code: "An item with this code already exists."})
        if dimension not in source.dimension_codes:
            raise InvalidAnswer({code: "Unknown dimension."})
    latest_version = session.exec(
        select(Instrument.version)
        .where(Instrument.organisation_id == organisation_id, Instrument.key == source.key)
        .order_by(col(Instrument.version).desc())
    ).first()
    instrument = Instrument(
        organisation_id=organisation_id,
        key=source.key,
        version=max(latest_version or 0, source.version) + 1,
        parent_id=source.id,
        scale_min=source.scale_min,
        scale_max=scale_max or source.scale_max,
        overall_min=source.overall_min,
        overall_max=source.overall_max,
        created_at=now,
    )
    session.add(instrument)
    session.flush()
    assert instrument.id is not None
    for position, code in enumerate(source.dimension_codes):
        session.add(InstrumentDimension(instrument_id=instrument.id, code=code, position=position))
    items = [(item.code, item.dimension_code) for item in source.items]
    items += [(code, dimension) for code, dimension, _ in new_items]
    for position, (code, dimension) in enumerate(items):
        session.add(
            InstrumentItem(
                instrument_id=instrument.id, code=code, dimension_code=dimension, position=position
            )
        )
    merged = dict(source.texts)
    for code, _dimension, wording in new_items:
        for locale, text in wording.items():
            merged[(f"item.{code}", locale)] = text
    merged.update(texts or {})
    for (key, locale), text in merged.items():
        session.add(InstrumentText(instrument_id=instrument.id, key=key, locale=locale, text=text))
    session.flush()
    return instrument


def instrument_choices(session: Session, organisation_id: int | None) -> list[Instrument]:
    """The questionnaire versions a campaign of the organisation may ask: the built-in
    ones and the organisation's own, newest version first within each questionnaire."""
    return list(
        session.exec(
            select(Instrument)
            .where(
                (col(Instrument.organisation_id).is_(None))
                | (Instrument.organisation_id == organisation_id)
            )
            .order_by(col(Instrument.key), col(Instrument.version).desc())
        ).all()
    )
