"""Evidence photos, served only to accounts that may see them; and clerks' photos, public."""

from fastapi import APIRouter
from starlette.responses import FileResponse, Response

from api.deps import CurrentAccount, SessionDep, SettingsDep
from survey.errors import NotFound
from survey.evidence.clerk_photos import clerk_photo_file
from survey.evidence.photos import photo_file
from survey.models import Role, StaffMember
from survey.supervision.queries import photo_for_viewer

router = APIRouter()


@router.get("/evidence/{photo_id}")
def show_evidence_photo(
    photo_id: int, account: CurrentAccount, session: SessionDep, settings: SettingsDep
) -> Response:
    """A stored photo of an inspection or feedback of the account's organisations; a
    supervisor gets only the photos they filed. 404 for anyone else, and for a photo whose
    file was removed (the evidence retention passed)."""
    photo = photo_for_viewer(
        session,
        photo_id,
        organisation_ids=account.organisation_ids,
        filed_by_user_id=account.id if account.role == Role.supervisor else None,
        site_ids=account.site_ids,
    )
    path = photo_file(settings.data_dir, photo)
    if not path.is_file():
        raise NotFound(f"photo {photo_id}")
    return FileResponse(
        path,
        media_type=photo.content_type,
        headers={
            "Cache-Control": "private, max-age=3600",
            "X-Content-Type-Options": "nosniff",
            "Content-Disposition": "inline",
        },
    )


@router.get("/clerks/{staff_id}/photo")
def show_clerk_photo(staff_id: int, session: SessionDep, settings: SettingsDep) -> Response:
    """A clerk's photo, public as halls show it on the counter; 404 once they have left."""
    staff = session.get(StaffMember, staff_id)
    path = clerk_photo_file(settings.data_dir, staff) if staff and not staff.left_on else None
    if path is None:
        raise NotFound(f"photo of clerk {staff_id}")
    return FileResponse(
        path,
        media_type="image/png" if path.suffix == ".png" else "image/jpeg",
        headers={"Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff"},
    )
