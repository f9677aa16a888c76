"""Words for inspection kinds, checklist sections and outcomes, in every language (marked
here, translated when a page is rendered)."""

from survey.errors import N_
from survey.models import ChecklistSection, CheckOutcome, InspectionKind

INSPECTION_KIND_LABELS: dict[str, str] = {
    InspectionKind.self_check: N_("Self-check by the hall"),
    InspectionKind.mutual_check: N_("Mutual check by another hall"),
    InspectionKind.secret_check: N_("Secret check (posing as a customer)"),
}
SECTION_LABELS: dict[str, str] = {
    ChecklistSection.language: N_("Service language"),
    ChecklistSection.attitude: N_("Attitude"),
    ChecklistSection.appearance: N_("Appearance"),
    ChecklistSection.discipline: N_("Discipline"),
    ChecklistSection.quality: N_("Quality"),
    "overall": N_("Overall"),
}
OUTCOME_LABELS: dict[str, str] = {
    CheckOutcome.passed: N_("Pass"),
    CheckOutcome.failed: N_("Fail"),
    CheckOutcome.not_applicable: N_("Not applicable"),
}
