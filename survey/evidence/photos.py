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
import threading
import warnings
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
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
MAX_DECODED_BYTES: Final = 64 << 20
"""The most memory one photo may take once decoded (a 16-megapixel RGBA or a 22-megapixel
RGB picture): the pixel count alone let a 351-byte PNG declaring 7000 × 5700 RGBA unpack
to 160 MB."""
DECODE_BUDGET_BYTES: Final = 256 << 20
"""Decoded bytes all requests of one process may hold at once; a photo holds three times
its decoded size while it is cleaned (the decoded, the turned and the copied pixels)."""
DECODE_WAIT_SECONDS: Final = 10.0
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
TOO_MUCH_MEMORY: Final = N_(
    "The photo is too large to open (at most %(limit)s MB once unpacked). "
    "Please choose a smaller one."
)
BUSY: Final = N_("Many photos are being received right now. Please send the form again.")


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
    named ``.jpg``); more than ``max_pixels`` pixels or :data:`MAX_DECODED_BYTES` once
    decoded (both from the header, before the pixels are decoded, so a small file that
    would unpack to gigabytes is never unpacked); a file that does not decode, or a PNG
    whose data ends before its last row (Pillow would fill the rest with black). Decoding
    waits for room in the process's :data:`DECODE_BUDGET_BYTES` (refused as busy after
    :data:`DECODE_WAIT_SECONDS`), so simultaneous uploads cannot add up without bound. The
    upright pixels (EXIF orientation applied) are encoded again as the same format, so
    nothing but the picture survives.
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
            decoded = decoded_size(image)
            if decoded > MAX_DECODED_BYTES:
                raise _refuse(TOO_MUCH_MEMORY, limit=megabytes(MAX_DECODED_BYTES))
            if image.format == "PNG" and not png_is_complete(data):
                raise _refuse(UNREADABLE)
            source_format = image.format or ""
            if source_format not in _FORMATS:
                raise _refuse(WRONG_TYPE)
            with DECODE_BUDGET.hold(3 * decoded):
                image.load()
                pixels = _pixels_only(ImageOps.exif_transpose(image), source_format)
                out = io.BytesIO()
                if source_format == "JPEG":
                    pixels.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
                else:
                    pixels.save(out, format="PNG", optimize=True)
                del image
        except (Image.DecompressionBombWarning, Image.DecompressionBombError) as error:
            raise _refuse(TOO_MANY_PIXELS, limit=_millions(max_pixels)) from error
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as error:
            raise _refuse(UNREADABLE) from error
    content_type, extension = _FORMATS[source_format]
    cleaned = out.getvalue()
    return CleanPhoto(
        data=cleaned,
        content_type=content_type,
        extension=extension,
        width=pixels.width,
        height=pixels.height,
        sha256=hashlib.sha256(cleaned).hexdigest(),
    )


_BYTES_PER_BAND: Final = {"I;16": 2, "I;16B": 2, "I;16L": 2, "I": 4, "F": 4}


def decoded_size(image: Image.Image) -> int:
    """The bytes ``image`` takes once decoded, from its header (width, height, mode)."""
    per_pixel = max(len(image.getbands()) * _BYTES_PER_BAND.get(image.mode, 1), 1)
    return image.width * image.height * per_pixel


_PNG_CHANNELS: Final = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
_ADAM7: Final = (
    (0, 0, 8, 8),
    (4, 0, 8, 8),
    (0, 4, 4, 8),
    (2, 0, 4, 4),
    (0, 2, 2, 4),
    (1, 0, 2, 2),
    (0, 1, 1, 2),
)


def png_is_complete(data: bytes) -> bool:
    """Whether a PNG's compressed data holds every row its header declares.

    Pillow decodes a PNG whose zlib stream ends early without complaint and leaves the
    missing rows black; a damaged upload would be stored as a black picture. The data
    is decompressed here in pieces, counting the bytes and keeping none, and compared with
    what the header's size, colour type, bit depth and interlacing need (PNG
    specification, sections 7.2 and 8.2: each row is one filter byte and its pixels).
    Written by hand: no library exposes this check.
    """
    position, idat, header = 8, [], b""
    while position + 8 <= len(data):
        length = int.from_bytes(data[position : position + 4], "big")
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        if len(body) < length:
            return False
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
        position += 12 + length
    if len(header) < 13 or not idat:
        return False
    width = int.from_bytes(header[0:4], "big")
    height = int.from_bytes(header[4:8], "big")
    depth, colour, interlace = header[8], header[9], header[12]
    channels = _PNG_CHANNELS.get(colour)
    if channels is None:
        return False

    def rows_bytes(columns: int, rows: int) -> int:
        if columns == 0 or rows == 0:
            return 0
        return rows * (1 + (columns * channels * depth + 7) // 8)

    if interlace:
        needed = sum(
            rows_bytes(
                -(-(width - x0) // dx) if width > x0 else 0,
                -(-(height - y0) // dy) if height > y0 else 0,
            )
            for x0, y0, dx, dy in _ADAM7
        )
    else:
        needed = rows_bytes(width, height)
    inflater = zlib.decompressobj()
    produced = 0
    try:
        for piece in idat:
            while piece:
                produced += len(inflater.decompress(piece, 1 << 20))
                piece = inflater.unconsumed_tail
                if produced > needed:
                    return True  # more than enough; Pillow ignores the excess
        produced += len(inflater.flush())
    except zlib.error:
        return False
    return produced >= needed


class DecodeBudget:
    """Bytes of decoded pixels a process may hold at once; a decode waits for room."""

    def __init__(self, total: int, wait_seconds: float) -> None:
        self.total, self.wait_seconds = total, wait_seconds
        self.used = 0
        self._room = threading.Condition()

    @contextmanager
    def hold(self, size: int) -> Iterator[None]:
        """Hold ``size`` bytes of the budget while the block runs; InvalidAnswer (busy)
        when there is no room within the wait."""
        size = min(size, self.total)
        with self._room:
            if not self._room.wait_for(lambda: self.used + size <= self.total, self.wait_seconds):
                raise _refuse(BUSY)
            self.used += size
        try:
            yield
        finally:
            with self._room:
                self.used -= size
                self._room.notify_all()


DECODE_BUDGET: Final = DecodeBudget(DECODE_BUDGET_BYTES, DECODE_WAIT_SECONDS)


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
