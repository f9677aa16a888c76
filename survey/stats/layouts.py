"""An instrument version as the statistics see it: dimensions, items and scales."""

from dataclasses import dataclass

from sqlmodel import Session, col, select

from analytics.power_sums import (
    Dimension,
    Layout,
)
from survey.models import (
    Instrument,
    InstrumentDimension,
    InstrumentItem,
)


@dataclass(frozen=True)
class InstrumentLayout:
    """An instrument's analytics layout and the column of each item id."""

    layout: Layout
    column_of_item: dict[int, int]


def instrument_layout(session: Session, instrument_id: int) -> InstrumentLayout:
    """Read the dimensions, items and scales of an instrument version (three small queries)."""
    instrument = session.get(Instrument, instrument_id)
    if instrument is None:
        raise LookupError(f"instrument {instrument_id}")
    dimensions = session.exec(
        select(InstrumentDimension.code)
        .where(InstrumentDimension.instrument_id == instrument_id)
        .order_by(col(InstrumentDimension.position))
    ).all()
    items = session.exec(
        select(InstrumentItem.id, InstrumentItem.code, InstrumentItem.dimension_code)
        .where(InstrumentItem.instrument_id == instrument_id)
        .order_by(col(InstrumentItem.position))
    ).all()
    per_dimension: dict[str, list[tuple[int, str]]] = {code: [] for code in dimensions}
    for item_id, code, dimension in items:
        assert item_id is not None
        per_dimension[dimension].append((item_id, code))
    layout = Layout(
        tuple(
            Dimension(code, tuple(c for _, c in members))
            for code, members in per_dimension.items()
            if members
        ),
        scale=(instrument.scale_min, instrument.scale_max),
        overall_scale=(instrument.overall_min, instrument.overall_max),
    )
    column = 0
    column_of_item: dict[int, int] = {}
    for members in per_dimension.values():
        for item_id, _code in members:
            column_of_item[item_id] = column
            column += 1
    return InstrumentLayout(layout=layout, column_of_item=column_of_item)
