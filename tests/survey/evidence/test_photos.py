"""Evidence photos: JPEG and PNG only (by content), size and pixel limits, and no metadata
at all after cleaning (no EXIF, so no location)."""

import io
import struct
import zlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import ExifTags, Image
from PIL.PngImagePlugin import PngInfo
from sqlmodel import Session

from survey.cases.handling import file_feedback
from survey.errors import InvalidAnswer
from survey.evidence.photos import (
    DecodeBudget,
    clean_photo,
    photo_file,
    png_is_complete,
    store_photo,
)
from survey.models import FeedbackKind, FeedbackSource
from tests.factories import jpeg_with_location, make_place

MB = 1 << 20


def png_with_text() -> bytes:
    info = PngInfo()
    info.add_text("Location", "31.2304 N, 121.4737 E")
    out = io.BytesIO()
    Image.new("RGBA", (10, 12), (0, 0, 255, 128)).save(out, "PNG", pnginfo=info)
    return out.getvalue()


def test_the_test_photo_really_carries_a_location() -> None:
    data = jpeg_with_location()
    exif = Image.open(io.BytesIO(data)).getexif()
    assert exif.get_ifd(ExifTags.IFD.GPSInfo)[ExifTags.GPS.GPSLatitude] == (31.0, 14.0, 2.5)
    assert b"Exif" in data and b"SecretCam" in data


def test_clean_photo_strips_exif_gps_icc_xmp_and_comments() -> None:
    cleaned = clean_photo(jpeg_with_location(), max_bytes=MB)
    reopened = Image.open(io.BytesIO(cleaned.data))
    assert reopened.format == "JPEG"
    assert dict(reopened.getexif()) == {}
    assert reopened.getexif().get_ifd(ExifTags.IFD.GPSInfo) == {}
    for leak in (b"Exif", b"SecretCam", b"ICC_PROFILE", b"FAKE-ICC", b"taken at home"):
        assert leak not in cleaned.data
    assert b"where-i-live" not in cleaned.data and b"xmpmeta" not in cleaned.data
    assert "icc_profile" not in reopened.info and "comment" not in reopened.info
    assert cleaned.content_type == "image/jpeg"
    assert cleaned.relative_path == f"evidence/{cleaned.sha256}.jpg"


def test_clean_photo_turns_the_picture_upright_as_exif_orientation_says() -> None:
    # Orientation 6: the camera was turned, the picture must be rotated 90° to be upright.
    cleaned = clean_photo(jpeg_with_location(size=(40, 20), orientation=6), max_bytes=MB)
    assert (cleaned.width, cleaned.height) == (20, 40)
    assert Image.open(io.BytesIO(cleaned.data)).size == (20, 40)


def test_clean_photo_keeps_png_as_png_without_text_chunks() -> None:
    cleaned = clean_photo(png_with_text(), max_bytes=MB)
    assert cleaned.content_type == "image/png" and cleaned.extension == "png"
    assert b"Location" not in cleaned.data and b"121.47" not in cleaned.data
    reopened = Image.open(io.BytesIO(cleaned.data))
    assert reopened.mode == "RGBA" and reopened.size == (10, 12)


def _message(error: pytest.ExceptionInfo[InvalidAnswer]) -> str:
    return error.value.errors["photo"].render()


def test_a_gif_is_refused_by_its_content() -> None:
    out = io.BytesIO()
    Image.new("RGB", (4, 4)).save(out, "GIF")
    with pytest.raises(InvalidAnswer) as error:
        clean_photo(out.getvalue(), max_bytes=MB)
    assert _message(error) == "Please choose a photo in JPEG or PNG format."


def test_a_text_file_named_like_a_jpeg_is_refused() -> None:
    with pytest.raises(InvalidAnswer) as error:
        clean_photo(b"just some text, saved as photo.jpg", max_bytes=MB)
    assert "JPEG or PNG" in _message(error)


def test_a_photo_over_the_size_limit_is_refused_with_the_limit() -> None:
    with pytest.raises(InvalidAnswer) as error:
        clean_photo(jpeg_with_location(), max_bytes=100)
    assert "larger than" in _message(error)
    with pytest.raises(InvalidAnswer) as error:
        clean_photo(b"\xff\xd8\xff" + bytes(8 * MB), max_bytes=8 * MB)
    assert "8 MB" in _message(error)


def test_a_decompression_bomb_is_refused_before_its_pixels_are_unpacked() -> None:
    # A small PNG whose header claims 20,000 × 20,000 pixels (400 million).
    out = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(out, "PNG")
    data = out.getvalue()
    assert len(data) < 100_000
    with pytest.raises(InvalidAnswer) as error:
        clean_photo(data, max_bytes=MB, max_pixels=40_000_000)
    assert "too many pixels" in _message(error)


def test_a_truncated_jpeg_is_refused_as_unreadable() -> None:
    with pytest.raises(InvalidAnswer) as error:
        clean_photo(jpeg_with_location()[:200], max_bytes=MB)
    assert "could not be read" in _message(error)


def test_an_empty_file_is_refused() -> None:
    with pytest.raises(InvalidAnswer):
        clean_photo(b"", max_bytes=MB)


def test_store_photo_writes_the_cleaned_bytes_by_hash(session: Session, tmp_path: Path) -> None:
    now = datetime(2026, 11, 24, 2, 30, tzinfo=UTC)
    place = make_place(session, now=now)
    assert place.organisation.id is not None
    filed = file_feedback(
        session,
        organisation_id=place.organisation.id,
        kind=FeedbackKind.praise,
        source=FeedbackSource.customer,
        text="Very kind clerk.",
        now=now,
    )
    assert filed.feedback.id is not None
    cleaned = clean_photo(jpeg_with_location(), max_bytes=MB)
    row = store_photo(session, cleaned, data_dir=tmp_path, now=now, feedback_id=filed.feedback.id)
    session.commit()
    stored = photo_file(tmp_path, row)
    assert stored == tmp_path / "evidence" / f"{cleaned.sha256}.jpg"
    assert stored.read_bytes() == cleaned.data
    assert (row.width, row.height, row.size_bytes) == (40, 20, len(cleaned.data))
    assert not list((tmp_path / "evidence").glob(".upload-*"))


def _png(width: int, height: int, raw_rows: bytes, *, colour: int, interlace: int = 0) -> bytes:
    """A PNG written chunk by chunk (PNG specification, section 5), with ``raw_rows`` (filter
    bytes and pixels) as its whole compressed image data, whatever the header declares."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, colour, 0, 0, interlace)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw_rows, 9))
        + chunk(b"IEND", b"")
    )


def test_a_tiny_png_declaring_160_mb_of_pixels_is_refused_unopened() -> None:
    """The outside test's file: 351 bytes declaring 7000 x 5700 RGBA (39.9 million pixels,
    under the pixel cap) whose pixels would take 160 MB. Refused from its header by the
    decoded-size cap (64 MB), with that limit in the message."""
    bomb = _png(7000, 5700, b"\x00" * (1 + 7000 * 4) * 10, colour=6)
    assert len(bomb) < 1000
    with pytest.raises(InvalidAnswer) as refused:
        clean_photo(bomb, max_bytes=8 << 20)
    assert refused.value.errors["photo"].params == {"limit": "64"}


def test_a_png_whose_data_stops_before_its_last_row_is_refused_not_blackened() -> None:
    """Ten rows of a 40-row picture with a complete zlib stream: Pillow would decode it
    and fill 30 rows with black; it is refused as damaged. All 40 rows: accepted."""
    row = b"\x00" + b"\xc8\x1e\x1e" * 40
    with pytest.raises(InvalidAnswer) as refused:
        clean_photo(_png(40, 40, row * 10, colour=2), max_bytes=1 << 20)
    assert "damaged" in refused.value.errors["photo"].message
    whole = clean_photo(_png(40, 40, row * 40, colour=2), max_bytes=1 << 20)
    assert (whole.width, whole.height) == (40, 40)


def test_an_interlaced_png_is_checked_by_its_seven_passes() -> None:
    """A 3 x 3 grey Adam7 PNG needs 15 bytes: passes 1, 4, 5 and 7 have one row each
    (1 + 1, 1 + 1, 1 + 2 and 1 + 3 bytes), pass 6 two rows of 1 + 1, passes 2 and 3 none
    (hand-worked from the PNG specification, section 8.2). 15 bytes open; 14 do not."""
    assert png_is_complete(_png(3, 3, bytes(15), colour=0, interlace=1))
    assert not png_is_complete(_png(3, 3, bytes(14), colour=0, interlace=1))
    cleaned = clean_photo(_png(3, 3, bytes(15), colour=0, interlace=1), max_bytes=1 << 20)
    assert (cleaned.width, cleaned.height) == (3, 3)


def test_decoding_waits_for_room_in_the_memory_budget_then_refuses_as_busy() -> None:
    """Two holds that together exceed the budget: the second is refused as busy after
    its wait while the first holds; once the first is done, it fits."""
    budget = DecodeBudget(10, wait_seconds=0.05)
    with budget.hold(8):
        with pytest.raises(InvalidAnswer) as busy, budget.hold(5):
            pass
        assert "send the form again" in busy.value.errors["photo"].message
    with budget.hold(5):
        assert budget.used == 5
    assert budget.used == 0
