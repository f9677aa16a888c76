"""What the customer's questionnaire page shows, from its place and questionnaire: shared by
the survey behind a QR code (``api.customer.survey``) and the administrators' preview of a
questionnaire version (``api.admin.questionnaires``), so the preview is the real page."""

from dataclasses import dataclass
from typing import Any

from survey.models import Campaign, Counter, Organisation, QrLink, Site, StaffMember
from survey.questionnaires.instruments import InstrumentSpec, ItemSpec
from survey.questionnaires.responses import ANSWER_FIELDS, asked_items, field_name


@dataclass(frozen=True)
class SurveyPlace:
    """Where the questionnaire is answered: the link, its campaign, counter, hall,
    organisation and the clerk the page names (if any)."""

    link: QrLink
    campaign: Campaign
    counter: Counter
    site: Site
    organisation: Organisation
    staff: StaffMember | None


def survey_form_context(
    place: SurveyPlace,
    spec: InstrumentSpec,
    *,
    submission_key: str,
    values: dict[str, str],
    errors: dict[str, str],
    code: Any,
    large_text: bool,
    hotline: str,
) -> dict[str, Any]:
    """The context of ``customer/survey.html``: the items this visitor is asked (a sample
    per dimension when the campaign samples items, keyed by ``submission_key``), grouped
    by dimension, with the scales and what was typed so far."""
    items = asked_items(
        spec, items_per_dimension=place.campaign.items_per_dimension, submission_key=submission_key
    )
    asked = {item.id for item in items}
    sections: list[tuple[str, list[ItemSpec]]] = [
        (dim.code, [item for item in dim.items if item.id in asked]) for dim in spec.dimensions
    ]
    return {
        "link": place.link,
        "campaign": place.campaign,
        "counter": place.counter,
        "site": place.site,
        "organisation": place.organisation,
        "staff": place.staff,
        "spec": spec,
        "sections": [(code_, rows) for code_, rows in sections if rows],
        "answer_fields": ANSWER_FIELDS[place.campaign.mode],
        "field_name": field_name,
        "scale": range(spec.scale_min, spec.scale_max + 1),
        "overall_scale": range(spec.overall_min, spec.overall_max + 1),
        "values": values,
        "errors": errors,
        "submission_key": submission_key,
        "rotating_code": code,
        "large_text": large_text,
        "hotline": hotline,
        "preview": False,
    }
