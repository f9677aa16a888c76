"""The domain's errors: one tree, so the web layer maps each to one status and page."""

from collections.abc import Mapping
from enum import StrEnum
from typing import NamedTuple


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for a deferred marker
    """Mark a message for translation without translating it here (the web layer does)."""
    return message


class FieldError(NamedTuple):
    """A message template (English, ``%(name)s`` placeholders) and its values."""

    message: str
    params: Mapping[str, int | str] = {}

    def render(self) -> str:
        return self.message % dict(self.params) if self.params else self.message


class SurveyError(Exception):
    """Base of every error the domain raises on purpose."""


class NotFound(SurveyError):
    """The thing asked for does not exist, or the caller may not see it."""


class LinkNotFound(NotFound):
    """No survey link has this token (forged, mistyped, or a rotating code's bad signature)."""


class PlaceNotFound(NotFound):
    """A site, counter or staff member that does not exist or belongs to an organisation
    the caller may not see; ``field`` names the form field that chose it (``site``,
    ``counter``, ``staff``), so a form can show the message next to it."""

    def __init__(self, field: str, place_id: int | None) -> None:
        self.field = field
        super().__init__(f"{field} {place_id}")


class CaseLinkNotFound(NotFound):
    """No case has this complainant's link (mistyped, or forged)."""


class Refusal(StrEnum):
    """Why an action on a case was refused: a stable code that the web layer words for its
    reader (never its English message, which is for logs)."""

    keeps_severity = "keeps_severity"
    """Only an open case is reclassified."""
    regulator_deadline = "regulator_deadline"
    """A case forwarded by a regulator keeps the regulator's deadline."""
    answer_needs_text = "answer_needs_text"
    reason_needed = "reason_needed"
    """Reopening, pausing and resuming are done with a reason."""
    clock_not_running = "clock_not_running"
    """Only an open case's clock is paused or resumed."""
    clock_already_so = "clock_already_so"
    """Pausing a paused clock, or resuming a running one."""
    not_by_hand = "not_by_hand"
    """A state a manager does not set by hand (answered comes with the answer's text)."""
    unknown_severity = "unknown_severity"


class CaseActionNotAllowed(SurveyError):
    """The case is not in a state where this can be done (pause an answered case's clock,
    reopen without a reason); ``reason`` says which rule refused it."""

    def __init__(self, reason: Refusal, detail: str = "") -> None:
        self.reason = reason
        super().__init__(f"{reason.value}: {detail}" if detail else reason.value)


class AccountLinkNotValid(SurveyError):
    """A one-time account link that does not exist, was used already, or has expired."""


class CredentialNotValid(SurveyError):
    """The supervisor has no credential, or it is not valid today (expired or not yet
    valid)."""


class LinkRevoked(SurveyError):
    """The organisation withdrew this link."""


class LinkExpired(SurveyError):
    """The link, or the time window of a rotating code, has passed."""


class CampaignNotRunning(SurveyError):
    """The link's campaign is not taking answers: still being set up, or paused."""


class CampaignStateConflict(SurveyError):
    """A campaign cannot move from its status to the one asked (an ended one is final)."""

    def __init__(self, status: str, to: str) -> None:
        self.status = status
        self.to = to
        super().__init__(f"a campaign cannot move from {status} to {to}")


class PublicationStateConflict(SurveyError):
    """A publication cannot take this step from its status (a published one is final:
    it is corrected by a new version)."""

    def __init__(self, status: str, step: str) -> None:
        self.status = status
        self.step = step
        super().__init__(f"a {status} publication cannot be {step}")


class AgreementStateConflict(SurveyError):
    """An agreement version cannot take this step: a party signs once, and a version
    signed by both is final (a change is the next version)."""

    def __init__(self, step: str) -> None:
        self.step = step
        super().__init__(f"the agreement cannot be {step}")


class DuplicateSubmission(SurveyError):
    """The same device or client answered at this counter moments ago."""


class InvalidAnswer(SurveyError):
    """Submitted data break the rules; ``errors`` maps a field name to a :class:`FieldError`.

    A plain string is accepted for a message without values.
    """

    def __init__(self, errors: Mapping[str, FieldError | str]) -> None:
        self.errors = {
            key: value if isinstance(value, FieldError) else FieldError(value)
            for key, value in errors.items()
        }
        super().__init__("; ".join(f"{k}: {v.render()}" for k, v in self.errors.items()))


class AuthenticationFailed(SurveyError):
    """Wrong username or password, or an inactive account."""


class SignInThrottled(SurveyError):
    """Too many failed sign-ins lately: the next try must wait ``retry_after`` seconds."""

    def __init__(self, username: str, retry_after: int) -> None:
        super().__init__(username)
        self.retry_after = retry_after


class TooManyFilings(SurveyError):
    """A customer filed their share of feedback at this counter lately (the filing brake)."""


class AccountLocked(SurveyError):
    """The account was locked after too many failed sign-ins; an administrator lifts it."""


class Forbidden(SurveyError):
    """The account's role does not allow this."""


class NotForHallManagers(Forbidden):
    """The page covers every hall, and the account is limited to some halls."""


class FontMissing(SurveyError):
    """No CJK font is installed, so posters with Chinese text cannot be drawn."""
