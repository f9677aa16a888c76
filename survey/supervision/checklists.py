"""Inspection checklists: the built-in service rules of a window, and each organisation's
own versions of them.

The built-in checklist follows the service rules of a service window (a property-rights
exchange's regulation): service language, attitude, appearance, discipline and quality.
A checklist version never changes once it exists: an organisation that adds, removes or
rewords items gets a new version (``version + 1``, ``parent_id``), so an inspection always
points at the exact items it checked.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

from sqlmodel import Session, col, select

from survey.db import begin_write
from survey.errors import N_, FieldError, InvalidAnswer, NotFound
from survey.models import Checklist, ChecklistItem, ChecklistSection

DEFAULT_CHECKLIST_KEY: Final = "service-rules"
LOCALES: Final = ("zh_Hans", "zh_Hant", "en")
FALLBACK_LOCALES: Final = ("en", "zh_Hans", "zh_Hant")
MAX_ITEM_TEXT: Final = 300
MAX_ITEMS: Final = 100
SECTION_PREFIX: Final = {
    ChecklistSection.language: "L",
    ChecklistSection.attitude: "A",
    ChecklistSection.appearance: "P",
    ChecklistSection.discipline: "D",
    ChecklistSection.quality: "Q",
}
"""The first letter of the codes of each section's items (``L1``, ``D3``)."""

# (code, section, zh_Hans, zh_Hant, en)
DEFAULT_ITEMS: Final[tuple[tuple[str, ChecklistSection, str, str, str], ...]] = (
    (
        "L1",
        ChecklistSection.language,
        "使用“请、您好、对不起、谢谢、再见”等规范文明用语。",
        "使用「請、您好、對不起、謝謝、再見」等規範文明用語。",
        "Uses the standard polite words: please, hello, sorry, thank you, goodbye.",
    ),
    (
        "L2",
        ChecklistSection.language,
        "接听电话先问好，并报单位名称。",
        "接聽電話先問好，並報單位名稱。",
        "Answers the phone with a greeting and the organisation's name.",
    ),
    (
        "L3",
        ChecklistSection.language,
        "使用普通话服务。",
        "使用普通話服務。",
        "Serves in Mandarin (Putonghua).",
    ),
    (
        "L4",
        ChecklistSection.language,
        "不使用服务忌语（不生硬拒绝、不推诿、不讽刺）。",
        "不使用服務忌語（不生硬拒絕、不推諉、不諷刺）。",
        "Uses no forbidden phrases (no blunt refusals, no passing the buck, no sarcasm).",
    ),
    (
        "A1",
        ChecklistSection.attitude,
        "主动热情、耐心细致，解释到客户明白为止。",
        "主動熱情、耐心細緻，解釋到客戶明白為止。",
        "Is proactive and patient, and explains until the customer understands.",
    ),
    (
        "A2",
        ChecklistSection.attitude,
        "不与客户争吵。",
        "不與客戶爭吵。",
        "Never argues with a customer.",
    ),
    (
        "A3",
        ChecklistSection.attitude,
        "为残障客户服务或询问款项、证件时起身接待。",
        "為殘障客戶服務或詢問款項、證件時起身接待。",
        "Stands when serving a customer with a disability or asking about money or documents.",
    ),
    (
        "A4",
        ChecklistSection.attitude,
        "双手递接单据和钱款，不扔不摔。",
        "雙手遞接單據和錢款，不扔不摔。",
        "Hands over papers and money politely and never throws them.",
    ),
    (
        "P1",
        ChecklistSection.appearance,
        "按规定穿着工装（系领带），整洁得体。",
        "按規定穿著工裝（繫領帶），整潔得體。",
        "Wears the uniform (with tie) as required, neat and clean.",
    ),
    (
        "P2",
        ChecklistSection.appearance,
        "佩戴工号牌，工号清晰可见。",
        "佩戴工號牌，工號清晰可見。",
        "Wears the badge with the job number, clearly visible.",
    ),
    (
        "D1",
        ChecklistSection.discipline,
        "在岗在位，不擅离岗位。",
        "在崗在位，不擅離崗位。",
        "Is on post and does not leave the counter unattended.",
    ),
    (
        "D2",
        ChecklistSection.discipline,
        "不做与工作无关的事：不玩手机、不闲聊、不睡觉、不吃东西。",
        "不做與工作無關的事：不玩手機、不閒聊、不睡覺、不吃東西。",
        "No private activity at the counter: no phone, chatting, sleeping or eating.",
    ),
    (
        "D3",
        ChecklistSection.discipline,
        "柜台内无外来人员，为客户资金和信息保密。",
        "櫃檯內無外來人員，為客戶資金和資訊保密。",
        "No outsiders at the counter; customers' funds and details kept confidential.",
    ),
    (
        "D4",
        ChecklistSection.discipline,
        "遵守营业时间：按时开门，不提前停办业务。",
        "遵守營業時間：按時開門，不提前停辦業務。",
        "Opening hours are kept: opens on time and does not stop serving early.",
    ),
    (
        "Q1",
        ChecklistSection.quality,
        "业务办理准确无误。",
        "業務辦理準確無誤。",
        "Business is handled accurately, without errors.",
    ),
    (
        "Q2",
        ChecklistSection.quality,
        "业务办理快捷，不让客户无故等待。",
        "業務辦理快捷，不讓客戶無故等待。",
        "Business is handled fast; customers do not wait without reason.",
    ),
    (
        "Q3",
        ChecklistSection.quality,
        "服务安全便捷：保护客户信息，表单和指引随手可得。",
        "服務安全便捷：保護客戶資訊，表單和指引隨手可得。",
        "Safe and convenient: customers' details protected, forms and help at hand.",
    ),
)


@dataclass(frozen=True)
class CheckItem:
    """One item of a checklist version, with its wording in each language."""

    id: int
    code: str
    section: ChecklistSection
    position: int
    texts: Mapping[str, str] = field(hash=False, compare=False)

    def text(self, locale: str) -> str:
        """The wording in ``locale``, else in English or Chinese, else the code."""
        for candidate in (locale, *FALLBACK_LOCALES):
            if self.texts.get(candidate):
                return self.texts[candidate]
        return self.code


@dataclass(frozen=True)
class ChecklistSpec:
    """A checklist version with its items in display order."""

    id: int
    organisation_id: int | None
    key: str
    version: int
    items: tuple[CheckItem, ...]

    def sections(self) -> list[tuple[ChecklistSection, tuple[CheckItem, ...]]]:
        """The sections that have items, in the order of the rules, each with its items."""
        grouped = [
            (section, tuple(item for item in self.items if item.section == section))
            for section in ChecklistSection
        ]
        return [(section, items) for section, items in grouped if items]


@dataclass(frozen=True)
class ItemDraft:
    """An item as an editor wants it in the next version; ``code`` keeps an existing item's
    code (reworded), empty for a new item (a code is given)."""

    section: ChecklistSection
    texts: Mapping[str, str]
    code: str = ""


def ensure_default_checklist(session: Session, *, now: datetime) -> Checklist:
    """Return the built-in checklist, creating version 1 if it is missing.

    Idempotent, like :func:`survey.questionnaires.instruments.ensure_default_instrument`.
    Does not commit: the caller's unit of work does (the demo, the ``migrate``/``serve``
    commands, tests).
    """
    existing = _newest(session, organisation_id=None)
    if existing is not None:
        return existing
    checklist = Checklist(key=DEFAULT_CHECKLIST_KEY, version=1, created_at=now)
    session.add(checklist)
    session.flush()
    assert checklist.id is not None
    for position, (code, section, *texts) in enumerate(DEFAULT_ITEMS):
        session.add(
            ChecklistItem(
                checklist_id=checklist.id,
                section=section,
                code=code,
                position=position,
                texts=dict(zip(LOCALES, texts, strict=True)),
            )
        )
    session.flush()
    return checklist


def install_default_checklist(session: Session, *, now: datetime) -> None:
    """Create the built-in checklist if the database has none yet, and commit. Run when
    the database is migrated (``manyi migrate``, ``serve``, ``demo``), so that the
    inspection form of a new installation has its checklist."""
    if _newest(session, organisation_id=None) is not None:
        return
    begin_write(session)
    ensure_default_checklist(session, now=now)
    session.commit()


def _newest(session: Session, *, organisation_id: int | None) -> Checklist | None:
    owner = (
        col(Checklist.organisation_id).is_(None)
        if organisation_id is None
        else col(Checklist.organisation_id) == organisation_id
    )
    return session.exec(
        select(Checklist)
        .where(owner, Checklist.key == DEFAULT_CHECKLIST_KEY)
        .order_by(col(Checklist.version).desc())
    ).first()


def load_checklist(session: Session, checklist_id: int) -> ChecklistSpec:
    """Read one checklist version with its items. NotFound if there is none."""
    checklist = session.get(Checklist, checklist_id)
    if checklist is None or checklist.id is None:
        raise NotFound(f"checklist {checklist_id}")
    rows = session.exec(
        select(ChecklistItem)
        .where(ChecklistItem.checklist_id == checklist_id)
        .order_by(col(ChecklistItem.position))
    ).all()
    return ChecklistSpec(
        id=checklist.id,
        organisation_id=checklist.organisation_id,
        key=checklist.key,
        version=checklist.version,
        items=tuple(
            CheckItem(
                id=row.id,
                code=row.code,
                section=ChecklistSection(row.section),
                position=row.position,
                texts=dict(row.texts),
            )
            for row in rows
            if row.id is not None
        ),
    )


def current_checklist(session: Session, organisation_id: int) -> ChecklistSpec:
    """The checklist an organisation inspects with now: its newest own version, else the
    built-in one. NotFound if not even the built-in one was created (see
    :func:`ensure_default_checklist`)."""
    checklist = _newest(session, organisation_id=organisation_id) or _newest(
        session, organisation_id=None
    )
    if checklist is None or checklist.id is None:
        raise NotFound("checklist")
    return load_checklist(session, checklist.id)


def checklist_for(
    session: Session, *, organisation_id: int, checklist_id: int | None
) -> ChecklistSpec:
    """The version ``checklist_id`` if the organisation may use it (its own or the
    built-in one), else NotFound; the current one when ``checklist_id`` is None.

    A form carries the version it showed, so an inspector who filled in an older version
    (the checklist was revised meanwhile) files against exactly what they saw.
    """
    if checklist_id is None:
        return current_checklist(session, organisation_id)
    spec = load_checklist(session, checklist_id)
    if spec.organisation_id not in (None, organisation_id):
        raise NotFound(f"checklist {checklist_id}")
    return spec


def revise_checklist(
    session: Session,
    *,
    organisation_id: int,
    items: Sequence[ItemDraft],
    now: datetime,
) -> ChecklistSpec:
    """Make the organisation's next checklist version from ``items`` (in order). Commits.

    The version number is one above the newest the organisation uses (its own or the
    built-in one) and ``parent_id`` points at it. An item with the ``code`` of an item of
    that version keeps the code (a rewording); a new item gets the next free code of its
    section. Older versions are left untouched, so inspections keep what they checked.
    InvalidAnswer names each bad item by its index (``item-0``, ``item-1`` ...).
    """
    parent = current_checklist(session, organisation_id)
    errors = _draft_errors(items, known_codes={item.code for item in parent.items})
    if errors:
        raise InvalidAnswer(errors)
    codes = _assign_codes(items, parent)
    begin_write(session)
    own = _newest(session, organisation_id=organisation_id)
    checklist = Checklist(
        organisation_id=organisation_id,
        key=parent.key,
        version=max(parent.version, own.version if own else 0) + 1,
        parent_id=parent.id,
        created_at=now,
    )
    session.add(checklist)
    session.flush()
    assert checklist.id is not None
    for position, (draft, code) in enumerate(zip(items, codes, strict=True)):
        session.add(
            ChecklistItem(
                checklist_id=checklist.id,
                section=draft.section,
                code=code,
                position=position,
                texts={
                    locale: text.strip() for locale, text in draft.texts.items() if text.strip()
                },
            )
        )
    session.commit()
    return load_checklist(session, checklist.id)


def _draft_errors(items: Sequence[ItemDraft], *, known_codes: set[str]) -> dict[str, FieldError]:
    errors: dict[str, FieldError] = {}
    if not items:
        return {"items": FieldError(N_("A checklist needs at least one item."))}
    if len(items) > MAX_ITEMS:
        return {
            "items": FieldError(
                N_("A checklist has at most %(limit)s items."), {"limit": MAX_ITEMS}
            )
        }
    seen: set[str] = set()
    for index, draft in enumerate(items):
        name = f"item-{index}"
        texts = {locale: text.strip() for locale, text in draft.texts.items()}
        if set(texts) - set(LOCALES):
            errors[name] = FieldError(N_("Unknown language."))
        elif not any(texts.values()):
            errors[name] = FieldError(N_("Write the item in at least one language."))
        elif any(len(text) > MAX_ITEM_TEXT for text in texts.values()):
            errors[name] = FieldError(
                N_("Please keep an item within %(limit)s characters."), {"limit": MAX_ITEM_TEXT}
            )
        elif draft.code and (draft.code not in known_codes or draft.code in seen):
            errors[name] = FieldError(N_("The form is incomplete; please open it again."))
        seen.add(draft.code)
    return errors


def _assign_codes(items: Sequence[ItemDraft], parent: ChecklistSpec) -> list[str]:
    """Existing codes for kept items; for new ones the section's letter and the next
    number above every code of that letter in the parent and the new version."""
    taken = {item.code for item in parent.items} | {draft.code for draft in items if draft.code}
    highest: dict[str, int] = {}
    for code in taken:
        if code[1:].isdigit():
            highest[code[0]] = max(highest.get(code[0], 0), int(code[1:]))
    codes: list[str] = []
    for draft in items:
        if draft.code:
            codes.append(draft.code)
            continue
        prefix = SECTION_PREFIX[draft.section]
        highest[prefix] = highest.get(prefix, 0) + 1
        codes.append(f"{prefix}{highest[prefix]}")
    return codes
