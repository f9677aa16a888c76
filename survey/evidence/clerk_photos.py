"""A clerk's photo, shown beside their name and job number on the survey page, as halls
show it on the counter: checked and cleaned of every metadata like evidence photos, and
stored in the same content-addressed folder."""

from pathlib import Path

from sqlmodel import Session

from survey.db import begin_write
from survey.errors import N_, FieldError, InvalidAnswer
from survey.evidence.photos import EVIDENCE_DIR, clean_photo, write_photo_file
from survey.models import StaffMember


def set_clerk_photo(
    session: Session, *, staff_id: int, data: bytes, data_dir: Path, max_bytes: int
) -> StaffMember:
    """Check and clean the upload (InvalidAnswer on ``photo`` as :func:`clean_photo`
    says), store it and make it the clerk's photo. Commits."""
    staff = session.get(StaffMember, staff_id)
    if staff is None:
        raise InvalidAnswer({"staff": FieldError(N_("There is no such clerk."))})
    photo = clean_photo(data, max_bytes=max_bytes)
    write_photo_file(photo, data_dir=data_dir)
    begin_write(session)
    staff.photo_path = photo.relative_path
    session.add(staff)
    session.commit()
    return staff


def clerk_photo_file(data_dir: Path, staff: StaffMember) -> Path | None:
    """The stored file of the clerk's photo, if they have one and it is there."""
    return stored_photo_file(data_dir, staff.photo_path)


def stored_photo_file(data_dir: Path, photo_path: str | None) -> Path | None:
    """The file a clerk's ``photo_path`` names, if it is set and the file is there."""
    if not photo_path:
        return None
    path = data_dir / EVIDENCE_DIR / Path(photo_path).name
    return path if path.is_file() else None
