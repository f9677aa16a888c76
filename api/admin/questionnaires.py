"""``/admin/questionnaires``: the questionnaire versions an organisation may ask, a preview
of each as a customer's phone shows it in each language, and the editor that publishes the
next version (wording per language, items added to dimensions)."""

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from sqlmodel import Session
from starlette.responses import RedirectResponse, Response

from api.admin.scope import AdminReader, CurrentAdmin, chosen_organisation
from api.deps import NowDep, SessionDep, instrument_spec
from api.forms import PostedForm, PostedFormDep, check_csrf
from api.refused import Refused
from api.settings import settings_of
from api.survey_form import SurveyPlace, survey_form_context
from api.templating import render, translate, translate_errors
from survey.accounts import Account
from survey.errors import N_, InvalidAnswer, NotFound
from survey.models import (
    Campaign,
    CampaignMode,
    Counter,
    Instrument,
    Organisation,
    QrLink,
    Role,
    Site,
)
from survey.questionnaires.instruments import instrument_choices, load_instrument
from survey.questionnaires.versions import (
    LOCALES,
    SCALES,
    NewItem,
    editable_keys,
    publish_version,
    text_field,
)

router = APIRouter()
NEW_ITEM_ROWS = 2
PREVIEW_TOKEN = "preview"  # noqa: S105 - the fake link of a preview, not a secret


def _own_instrument(session: Session, account: Account, instrument_id: int) -> Instrument:
    """A version the account's organisations may ask: built in, or one of their own."""
    instrument = session.get(Instrument, instrument_id)
    if instrument is None or (
        instrument.organisation_id is not None
        and instrument.organisation_id not in account.organisation_ids
    ):
        raise NotFound(f"instrument {instrument_id}")
    return instrument


@router.get("/admin/questionnaires")
def show_questionnaires(request: Request, account: AdminReader, session: SessionDep) -> Response:
    """Every version the organisation's campaigns may ask, newest first."""
    organisation_id = chosen_organisation(account, request.query_params.get("organisation"))
    return render(
        request,
        "admin/questionnaires.html",
        {
            "account": account,
            "can_change": account.role == Role.admin,
            "organisation_id": organisation_id,
            "versions": instrument_choices(session, organisation_id),
            "saved": request.query_params.get("saved", ""),
        },
    )


@router.get("/admin/questionnaires/{instrument_id}/preview")
def show_questionnaire_preview(
    request: Request, instrument_id: int, account: AdminReader, session: SessionDep, now: NowDep
) -> Response:
    """The version as a customer's phone shows it (``?mode=perception_only`` and
    ``?lang=en`` change the form and language); nothing can be sent from it."""
    _own_instrument(session, account, instrument_id)
    organisation_id = chosen_organisation(account, request.query_params.get("organisation"))
    organisation = session.get(Organisation, organisation_id)
    assert organisation is not None
    mode_name = request.query_params.get("mode", CampaignMode.paired.value)
    mode = CampaignMode(mode_name) if mode_name in set(CampaignMode) else CampaignMode.paired
    place = SurveyPlace(
        link=QrLink(
            token=PREVIEW_TOKEN,
            display_token=PREVIEW_TOKEN,
            campaign_id=0,
            counter_id=0,
            created_at=now,
        ),
        campaign=Campaign(
            organisation_id=organisation_id,
            instrument_id=instrument_id,
            name="",
            mode=mode,
            starts_on=date.min,
            ends_on=date.max,
        ),
        counter=Counter(site_id=0, code="A1", name=translate(request, N_("Counter A1"))),
        site=Site(
            organisation_id=organisation_id,
            code="",
            name=translate(request, N_("Your hall")),
            region_code="",
        ),
        organisation=organisation,
        staff=None,
    )
    context: dict[str, Any] = survey_form_context(
        place,
        instrument_spec(request, session, instrument_id),
        submission_key=PREVIEW_TOKEN,
        values={},
        errors={},
        code=None,
        large_text=request.query_params.get("text") == "large",
        hotline=settings_of(request).supervision_hotline,
    )
    context["preview"] = True
    return render(request, "customer/survey.html", context)


def _editor(
    request: Request,
    session: Session,
    account: Account,
    instrument: Instrument,
    organisation_id: int,
    refused: Refused | None = None,
) -> Response:
    assert instrument.id is not None
    spec = load_instrument(session, instrument.id)
    return render(
        request,
        "admin/questionnaire_edit.html",
        {
            "account": account,
            "instrument": instrument,
            "organisation_id": organisation_id,
            "keys": editable_keys(session, instrument.id),
            "spec": spec,
            "edit_locales": LOCALES,
            "text_field": text_field,
            "new_rows": range(NEW_ITEM_ROWS),
            "scales": SCALES,
            "dimension_options": [
                (code, spec.text(f"dimension.{code}", str(request.state.locale)))
                for code in spec.dimension_codes
            ],
            "refused": refused,
        },
        status_code=422 if refused else 200,
    )


@router.get("/admin/questionnaires/{instrument_id}/edit")
def show_questionnaire_editor(
    request: Request, instrument_id: int, account: CurrentAdmin, session: SessionDep
) -> Response:
    """The version's wording in the three languages, and rows for new items."""
    instrument = _own_instrument(session, account, instrument_id)
    organisation_id = chosen_organisation(account, request.query_params.get("organisation"))
    return _editor(request, session, account, instrument, organisation_id)


def _scale(value: str) -> int | None:
    """The posted scale (0, never offered, for anything that is not a small number)."""
    if not value:
        return None
    return int(value) if value.isdecimal() and len(value) < 4 else 0


def _new_items(form: PostedForm) -> list[NewItem]:
    items = []
    for index in range(NEW_ITEM_ROWS):
        fields = {name: form.get(f"new-{index}-{name}") for name in ("code", *LOCALES)}
        if not any(value.strip() for value in fields.values()):
            continue
        items.append(
            NewItem(
                code=fields["code"],
                dimension_code=form.get(f"new-{index}-dimension"),
                texts={locale: fields[locale] for locale in LOCALES},
            )
        )
    return items


@router.post("/admin/questionnaires/{instrument_id}/edit")
def submit_questionnaire_version(
    request: Request,
    instrument_id: int,
    form: PostedFormDep,
    account: CurrentAdmin,
    session: SessionDep,
    now: NowDep,
) -> Response:
    """Publish the edited wording and new items as the organisation's next version."""
    check_csrf(request, form)
    instrument = _own_instrument(session, account, instrument_id)
    organisation_id = chosen_organisation(account, form.get("organisation") or "0")
    keys = editable_keys(session, instrument_id)
    texts = {
        (key, locale): form.get(text_field(key, locale))
        for key in keys
        for locale in LOCALES
        if text_field(key, locale) in form.fields
    }
    try:
        published = publish_version(
            session,
            instrument_id=instrument_id,
            organisation_id=organisation_id,
            texts=texts,
            new_items=_new_items(form),
            scale_max=_scale(form.get("scale")),
            now=now,
        )
    except InvalidAnswer as invalid:
        values = dict(form.fields)
        refused = Refused("questionnaire", values, translate_errors(request, invalid.errors))
        return _editor(request, session, account, instrument, organisation_id, refused)
    return RedirectResponse(
        f"/admin/questionnaires?organisation={organisation_id}&saved={published.id}",
        status_code=303,
    )
