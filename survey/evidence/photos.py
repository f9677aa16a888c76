"""Evidence photos: checked, stripped of every metadata and stored by content hash.

A phone photo carries EXIF with the place it was taken (GPS), the camera, the time, often
XMP and a thumbnail that keeps the uncropped picture. An inspector's or a complainant's
photo must not reveal where they live or which phone they use, so :func:`clean_photo`
keeps only the pixels: it decodes the image (JPEG or PNG, recognised by its bytes, never
by the file name or the browser's content type), turns it upright as its EXIF orientation
says, and encodes the pixels again into a new file that has no metadata at all.

Stored files are named by the SHA-256 of the cleaned bytes under ``<data_dir>/evidence/``;
rows keep the path relative to the data directory.
"""

import hashlib
import io
import os
import tempfile
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Final

from PIL import Image, ImageOps, UnidentifiedImageError
from sqlmodel import Session

from survey.errors import N_, FieldError, InvalidAnswer
from survey.models import EvidencePhoto

EVIDENCE_DIR: Final = "evidence"
DEFAULT_MAX_PIXELS: Final = 40_000_000
"""About 7,300 × 5,500: more than any phone camera, far below a decompression bomb."""
JPEG_QUALITY: Final = 88

_JPEG_MAGIC: Final = b"\xff\xd8\xff"
_PNG_MAGIC: Final = b"\x89PNG\r\n\x1a\n"
_FORMATS: Final = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png")}

WRONG_TYPE: Final = N_("Please choose a photo in JPEG or PNG format.")
UNREADABLE: Final = N_("This photo could not be read; it may be damaged. Please take it again.")
TOO_LARGE: Final = N_("The photo is larger than %(limit)s MB. Please choose a smaller one.")
TOO_MANY_PIXELS: Final = N_(
    "The photo has too many pixels (at most %(limit)s million). Please choose a smaller one."
)
EMPTY: Final = N_("The photo file is empty.")


@dataclass(frozen=True)
class CleanPhoto:
    """A photo re-encoded from its pixels alone: no EXIF, GPS, XMP, ICC profile or comment."""

    data: bytes
    content_type: str
    extension: str
    width: int
    height: int
    sha256: str

    @property
    def size_bytes(self) -> int:
        return len(self.data)

    @property
    def relative_path(self) -> str:
        """Where the photo is stored, relative to the data directory."""
        return f"{EVIDENCE_DIR}/{self.sha256}.{self.extension}"


def _refuse(message: str, **params: int | str) -> InvalidAnswer:
    return InvalidAnswer({"photo": FieldError(message, params)})


def megabytes(size: int) -> str:
    """``8388608`` → ``"8"``, ``1572864`` → ``"1.5"``, ``8192`` → ``"0.0078"`` (MiB, as
    phones and file managers show sizes)."""
    mib = size / (1 << 20)
    if mib.is_integer():
        return f"{mib:.0f}"
    return f"{mib:.1f}" if mib >= 1 else f"{mib:.2g}"


def _millions(count: int) -> str:
    return f"{count / 1_000_000:.0f}" if count % 1_000_000 == 0 else f"{count / 1_000_000:.1f}"


def clean_photo(data: bytes, *, max_bytes: int, max_pixels: int = DEFAULT_MAX_PIXELS) -> CleanPhoto:
    """Check a JPEG or PNG upload and re-encode it without any metadata.

    Refused with InvalidAnswer on the field ``photo``: an empty file; more than
    ``max_bytes``; anything that does not start like a JPEG or PNG (a GIF, a text file
    named ``.jpg``); more than ``max_pixels`` pixels (checked from the header, before the
    pixels are decoded, so a small file that would unpack to gigabytes is never unpacked);
    a file that does not decode. The upright pixels (EXIF orientation applied) are encoded
    again as the same format, so nothing but the picture survives.
    """
    if not data:
        raise _refuse(EMPTY)
    if len(data) > max_bytes:
        raise _refuse(TOO_LARGE, limit=megabytes(max_bytes))
    if not (data.startswith(_JPEG_MAGIC) or data.startswith(_PNG_MAGIC)):
        raise _refuse(WRONG_TYPE)
    with warnings.catch_warnings():
        # Pillow warns about (and from twice its limit refuses) a decompression bomb; both
        # are a refusal here, whatever Pillow's global limit is.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=tuple(_FORMATS))
            if image.width * image.height > max_pixels:
                raise _refuse(TOO_MANY_PIXELS, limit=_millions(max_pixels))
            image.load()
            upright = ImageOps.exif_transpose(image)
        except (Image.DecompressionBombWarning, Image.DecompressionBombError) as error:
            raise _refuse(TOO_MANY_PIXELS, limit=_millions(max_pixels)) from error
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as error:
            raise _refuse(UNREADABLE) from error
    source_format = image.format or ""
    if source_format not in _FORMATS:
        raise _refuse(WRONG_TYPE)
    content_type, extension = _FORMATS[source_format]
    pixels = _pixels_only(upright, source_format)
    out = io.BytesIO()
    if source_format == "JPEG":
        pixels.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    else:
        pixels.save(out, format="PNG", optimize=True)
    cleaned = out.getvalue()
    return CleanPhoto(
        data=cleaned,
        content_type=content_type,
        extension=extension,
        width=pixels.width,
        height=pixels.height,
        sha256=hashlib.sha256(cleaned).hexdigest(),
    )


def clean_photos(
    errors: dict[str, FieldError],
    photos: Sequence[bytes],
    *,
    max_photos: int,
    max_bytes: int,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> list[CleanPhoto]:
    """Every photo of a form cleaned; the first problem (too many photos, or one photo's)
    goes into ``errors`` under ``photo`` and nothing is returned."""
    if len(photos) > max_photos:
        errors["photo"] = FieldError(
            N_("Please attach at most %(limit)s photos."), {"limit": max_photos}
        )
        return []
    cleaned: list[CleanPhoto] = []
    for data in photos:
        try:
            cleaned.append(clean_photo(data, max_bytes=max_bytes, max_pixels=max_pixels))
        except InvalidAnswer as invalid:
            errors.update(invalid.errors)
            return []
    return cleaned


def _pixels_only(image: Image.Image, source_format: str) -> Image.Image:
    """A new image holding only ``image``'s pixels (no ``info``: no EXIF, ICC, comments),
    in a mode the target format stores (a palette or CMYK image becomes RGB or RGBA)."""
    keep: tuple[str, ...] = ("L", "RGB")
    target = "RGB"
    if source_format == "PNG":
        keep = ("L", "LA", "RGB", "RGBA")
        has_alpha = "A" in image.mode or "transparency" in image.info
        target = "RGBA" if has_alpha else "RGB"
    if image.mode not in keep:
        image = image.convert(target)
    return Image.frombytes(image.mode, image.size, image.tobytes())


def store_photo(
    session: Session,
    photo: CleanPhoto,
    *,
    data_dir: Path,
    now: datetime,
    inspection_id: int | None = None,
    feedback_id: int | None = None,
) -> EvidencePhoto:
    """Write a cleaned photo under ``<data_dir>/evidence/`` and add its row to the session.

    The file is written atomically (a temporary file renamed into place); the same photo
    stored twice is one file. Does not commit. Returns the row (flushed, with its id).
    """
    if (inspection_id is None) == (feedback_id is None):
        raise ValueError("a photo belongs to exactly one inspection or one feedback")
    write_photo_file(photo, data_dir=data_dir)
    row = EvidencePhoto(
        inspection_id=inspection_id,
        feedback_id=feedback_id,
        path=photo.relative_path,
        content_type=photo.content_type,
        width=photo.width,
        height=photo.height,
        size_bytes=photo.size_bytes,
        sha256=photo.sha256,
        stored_at=now,
    )
    session.add(row)
    session.flush()
    return row


def write_photo_file(photo: CleanPhoto, *, data_dir: Path) -> bool:
    """Write the photo's file unless it is there already; True if it was written now."""
    target = data_dir / photo.relative_path
    if target.exists():
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(photo.data)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return True


def photo_file(data_dir: Path, photo: EvidencePhoto) -> Path:
    """The stored file of a photo row (its path is always ``evidence/<sha256>.<ext>``)."""
    return data_dir / EVIDENCE_DIR / Path(photo.path).name
