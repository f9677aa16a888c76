"""Counter posters: the QR code must scan to the exact link, and no text may leave the page."""

import base64
import io
import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import zxingcpp
from PIL import Image

from api.printing.posters import (
    PosterInfo,
    find_cjk_font,
    poster_png,
    poster_svg,
    qr_matrix_svg,
    site_sheet_pdf,
)
from survey.errors import FontMissing

SVG = "{http://www.w3.org/2000/svg}"
TOKEN = "Zq3vX9_kP-2mT7aLw0Rb4Q"  # what secrets.token_urlsafe(16) gives: 22 URL-safe characters
URL = f"https://manyi.demo-telecom.example.cn/s/{TOKEN}"

INFO = PosterInfo(
    url=URL,
    organisation="示范电信 Demo Telecom",
    site="城东营业厅 East City Hall",
    counter="A1 号窗口",
    staff_name="李娜",
    job_number="GZ1001",
    hotline="12300",
)

LONG_INFO = PosterInfo(
    url=URL,
    organisation=(
        "中华人民共和国示范电信股份有限公司广东省广州市天河区分公司第一营业部 "
        "Demo Telecommunications Corporation Limited, Guangzhou Tianhe District Branch "
        "Pneumonoultramicroscopicsilicovolcanoconiosis-Pneumonoultramicroscopicsilicovolcano"
    ),
    site="城东营业厅（天河区体育西路一百二十三号国际金融中心首层） East City Hall, IFC",
    counter="A1 号窗口 · 综合业务 Integrated services: broadband, mobile and fixed-line",
    staff_name="欧阳娜娜 Ouyang Nana-Alexandrina von Hohenzollern-Sigmaringen",
    job_number="GZ1001-TIANHE-0001-0002-0003",
    hotline="12300 / 10000 / 020-12345678（工作日 Weekdays 9:00–18:00）",
)


def _font_installed() -> bool:
    try:
        find_cjk_font()
    except FontMissing:
        return False
    return True


needs_font = pytest.mark.skipif(
    not _font_installed(), reason="no CJK font; install Debian's fonts-noto-cjk"
)


def _decode(image: Image.Image) -> list[zxingcpp.Barcode]:
    return [
        code
        for code in zxingcpp.read_barcodes(image)
        if code.format == zxingcpp.BarcodeFormat.QRCode
    ]


def _open_png(data: bytes) -> Image.Image:
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(data))
    image.load()
    return image.convert("RGB")


def _parse(document: str) -> ET.Element:
    """Parse SVG this module wrote: trusted input, so the stdlib parser is fine."""
    return ET.fromstring(document)  # noqa: S314


def _svg_texts(document: str) -> list[str]:
    root = _parse(document)
    return ["".join(element.itertext()) for element in root.iter(f"{SVG}text")]


# --- find_cjk_font -------------------------------------------------------------------------


def test_find_cjk_font_raises_font_missing_when_nothing_is_installed(tmp_path: Path) -> None:
    with pytest.raises(FontMissing, match="install Debian's fonts-noto-cjk"):
        find_cjk_font(search_dirs=[tmp_path], use_fontconfig=False)
    with pytest.raises(FontMissing):
        find_cjk_font(bold=True, search_dirs=[], use_fontconfig=False)


def test_find_cjk_font_ignores_missing_directories_and_other_fonts(tmp_path: Path) -> None:
    (tmp_path / "DejaVuSans.ttf").touch()
    with pytest.raises(FontMissing):
        find_cjk_font(search_dirs=[tmp_path / "nowhere", tmp_path], use_fontconfig=False)


def test_find_cjk_font_prefers_noto_sans_cjk_anywhere_below_the_directories(
    tmp_path: Path,
) -> None:
    (tmp_path / "truetype" / "wqy").mkdir(parents=True)
    (tmp_path / "opentype" / "noto").mkdir(parents=True)
    (tmp_path / "truetype" / "wqy" / "wqy-microhei.ttc").touch()
    regular = tmp_path / "opentype" / "noto" / "NotoSansCJK-Regular.ttc"
    regular.touch()

    assert find_cjk_font(search_dirs=[tmp_path], use_fontconfig=False) == regular
    # No bold face installed: the regular one will do.
    assert find_cjk_font(bold=True, search_dirs=[tmp_path], use_fontconfig=False) == regular

    bold = tmp_path / "opentype" / "noto" / "NotoSansCJK-Bold.ttc"
    bold.touch()
    assert find_cjk_font(bold=True, search_dirs=[tmp_path], use_fontconfig=False) == bold
    assert find_cjk_font(search_dirs=[tmp_path], use_fontconfig=False) == regular


@needs_font
def test_find_cjk_font_finds_the_installed_font() -> None:
    assert find_cjk_font().is_file()
    assert find_cjk_font(bold=True).is_file()


@needs_font
def test_the_simplified_chinese_face_of_a_collection_is_used() -> None:
    from PIL import ImageFont

    from api.printing.posters import _simplified_chinese_index

    path = find_cjk_font()
    if path.name != "NotoSansCJK-Regular.ttc":
        pytest.skip("the installed CJK font is not the Noto Sans CJK collection")
    family, _style = ImageFont.truetype(
        str(path), 12, index=_simplified_chinese_index(path)
    ).getname()
    assert family == "Noto Sans CJK SC"


# --- qr_matrix_svg -------------------------------------------------------------------------


def test_qr_matrix_svg_is_an_accessible_inline_svg_element() -> None:
    svg = qr_matrix_svg(URL, size_px=300)

    assert svg.startswith("<svg")  # no XML declaration: it goes inside HTML
    root = _parse(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("width") == root.get("height") == "300"
    assert root.get("role") == "img"
    assert URL in (root.get("aria-label") or "")
    assert root.get("shape-rendering") == "crispEdges"


def test_qr_matrix_svg_path_scans_to_the_url() -> None:
    """Paint the SVG's own path data (not qrcode's matrix) and read it back with zxing."""
    root = _parse(qr_matrix_svg(URL))
    _x, _y, width, height = (int(v) for v in (root.get("viewBox") or "").split())
    assert width == height
    path = root.find(f"{SVG}path")
    assert path is not None
    data = path.get("d") or ""
    assert re.fullmatch(r"(?:M\d+ \d+h\d+v1h-\d+z)+", data)

    scale = 8
    image = Image.new("L", (width * scale, height * scale), 255)
    for x, y, run in re.findall(r"M(\d+) (\d+)h(\d+)", data):
        left, top = int(x) * scale, int(y) * scale
        image.paste(0, (left, top, left + int(run) * scale, top + scale))
    # The quiet zone is part of the picture: the outermost four modules are all light.
    assert image.crop((0, 0, width * scale, 4 * scale)).getextrema() == (255, 255)

    decoded = _decode(image)
    assert [code.text for code in decoded] == [URL]


def test_qr_matrix_svg_escapes_the_label_and_rejects_a_bad_size() -> None:
    url = 'https://example.cn/s/abc?x=1&y="2"<'
    root = _parse(qr_matrix_svg(url))
    assert url in (root.get("aria-label") or "")
    with pytest.raises(ValueError, match="size_px"):
        qr_matrix_svg(URL, size_px=0)


# --- poster_png ----------------------------------------------------------------------------


@needs_font
def test_poster_png_scans_to_the_exact_url() -> None:
    image = _open_png(poster_png(INFO))

    assert image.size == (1240, 1748)
    decoded = _decode(image)
    assert [code.text for code in decoded] == [URL]
    # Large enough to scan from arm's length: the symbol itself spans over half the page.
    position = decoded[0].position
    assert position.top_right.x - position.top_left.x >= 600
    assert position.bottom_left.y - position.top_left.y >= 600


@needs_font
def test_poster_png_without_staff_still_scans() -> None:
    info = PosterInfo(
        url=URL,
        organisation="示范电信",
        site="城东营业厅",
        counter="B2",
        staff_name=None,
        job_number=None,
        hotline="12300",
    )
    assert [code.text for code in _decode(_open_png(poster_png(info)))] == [URL]


@needs_font
def test_long_texts_stay_on_the_page_and_the_code_still_scans() -> None:
    image = _open_png(poster_png(LONG_INFO))

    decoded = _decode(image)
    assert [code.text for code in decoded] == [URL]
    position = decoded[0].position
    assert position.top_right.x - position.top_left.x >= 600

    # Only the flat colours of the page and its bands reach into the side margins: any text
    # there (anti-aliased, so of other shades) would have run off the poster.
    backgrounds = {(255, 255, 255), (0x0B, 0x4F, 0x9C), (0xEE, 0xF2, 0xF7)}
    width, height = image.size
    for left in (0, width - 40):
        strip = image.crop((left, 0, left + 40, height))
        assert {colour for _count, colour in strip.getcolors(maxcolors=1 << 16) or []} <= (
            backgrounds
        )


def _photo_bytes(colour: tuple[int, int, int]) -> bytes:
    """A 300 x 400 JPEG of one flat colour, as a cleaned clerk photo would be stored."""
    buffer = io.BytesIO()
    Image.new("RGB", (300, 400), colour).save(buffer, format="JPEG", quality=95)
    return buffer.getvalue()


ORANGE = (230, 120, 20)


def _near(image: Image.Image, colour: tuple[int, int, int], tolerance: int = 12) -> np.ndarray:
    """Which pixels are within ``tolerance`` of ``colour`` in every channel (rows × columns)."""
    pixels = np.asarray(image.convert("RGB"), dtype=np.int16)
    return np.all(np.abs(pixels - np.array(colour, dtype=np.int16)) <= tolerance, axis=2)


def _pixels_near(image: Image.Image, colour: tuple[int, int, int], tolerance: int = 12) -> int:
    return int(_near(image, colour, tolerance).sum())


@needs_font
def test_the_clerks_photo_is_drawn_beside_their_name_and_the_code_still_scans() -> None:
    """Halls show the clerk's photo beside name and job number; the poster does too, as a
    192 x 240 px portrait (16 x 20 mm at 300 dpi) left of hall, counter and name, above
    the code, which keeps its full size."""
    with_photo = _open_png(poster_png(replace(INFO, staff_photo=_photo_bytes(ORANGE))))
    without = _open_png(poster_png(INFO))

    assert [code.text for code in _decode(with_photo)] == [URL]
    assert _pixels_near(without, ORANGE) == 0
    painted = _pixels_near(with_photo, ORANGE)
    assert 0.9 * 188 * 236 <= painted <= 192 * 240  # the portrait, inside its 2 px frame
    orange_rows = np.flatnonzero(_near(with_photo, ORANGE).sum(axis=1) > 100)
    assert orange_rows.size
    decoded = _decode(with_photo)[0].position
    assert orange_rows.max() < decoded.top_left.y  # above the code
    assert decoded.top_right.x - decoded.top_left.x >= 600


@needs_font
def test_an_unreadable_photo_is_left_out_and_the_poster_still_prints() -> None:
    broken = replace(INFO, staff_photo=b"\xff\xd8\xff not really a jpeg")
    assert [code.text for code in _decode(_open_png(poster_png(broken)))] == [URL]
    assert "<image" not in poster_svg(broken)


@needs_font
def test_the_svg_poster_embeds_the_photo_in_the_same_place() -> None:
    root = _parse(poster_svg(replace(INFO, staff_photo=_photo_bytes(ORANGE))))
    images = list(root.iter(f"{SVG}image"))
    assert len(images) == 1
    (image,) = images
    assert (image.get("width"), image.get("height")) == ("192", "240")
    assert image.get("x") == "80"  # at the left margin, the texts to its right
    for text in root.iter(f"{SVG}text"):
        if "李娜" in "".join(text.itertext()):
            assert float(text.get("x") or 0) > 80 + 192
    href = image.get("href") or ""
    assert href.startswith("data:image/jpeg;base64,")
    embedded = Image.open(io.BytesIO(base64.b64decode(href.split(",", 1)[1])))
    assert embedded.size == (192, 240)
    assert _pixels_near(embedded.convert("RGB"), ORANGE) == 192 * 240


@needs_font
def test_long_texts_wrap_or_shrink_in_the_svg_too() -> None:
    root = _parse(poster_svg(LONG_INFO))
    texts = list(root.iter(f"{SVG}text"))
    assert len(texts) > 7  # some of the seven texts needed more than one line
    # Every line is centred within the page and, measured with the poster font, fits it.
    for text in texts:
        assert text.get("x") == "620"
        if text.get("textLength") is not None:
            assert float(text.get("textLength") or 0) <= 1240 - 2 * 80


# --- poster_svg ----------------------------------------------------------------------------


@needs_font
def test_poster_svg_is_well_formed_and_shows_everything() -> None:
    document = poster_svg(INFO)

    root = _parse(document)
    assert root.tag == f"{SVG}svg"
    assert root.get("viewBox") == "0 0 1240 1748"
    texts = _svg_texts(document)
    assert "示范电信 Demo Telecom" in texts
    assert "城东营业厅 East City Hall" in texts
    assert "A1 号窗口" in texts
    assert any("李娜" in text and "GZ1001" in text for text in texts)
    assert "监督电话 Supervision hotline: 12300" in texts
    assert "扫码评价我们的服务 · Scan to rate our service" in texts
    for text in root.iter(f"{SVG}text"):
        assert text.get("font-family") == "Noto Sans CJK SC, Noto Sans CJK, sans-serif"
    paths = list(root.iter(f"{SVG}path"))
    assert len(paths) == 1
    assert re.fullmatch(r"(?:M\d+ \d+h\d+v1h-\d+z)+", paths[0].get("d") or "")


@needs_font
def test_poster_says_the_same_code_takes_praise_suggestions_and_complaints() -> None:
    """One small line under the call to action; the code keeps its size and still scans."""
    texts = _svg_texts(poster_svg(INFO))
    line = "表扬、建议、投诉也可扫此码 · Praise, suggestions, complaints: same code"
    assert texts.index(line) == texts.index("扫码评价我们的服务 · Scan to rate our service") + 1
    assert line not in _svg_texts(poster_svg(replace(INFO, feedback_line="")))
    decoded = _decode(_open_png(poster_png(INFO)))
    assert [code.text for code in decoded] == [URL]
    assert decoded[0].position.top_right.x - decoded[0].position.top_left.x >= 600


@needs_font
def test_poster_svg_escapes_markup_in_texts() -> None:
    info = PosterInfo(
        url=URL,
        organisation="<script>alert(1)</script> & Co.",
        site='Hall "A" & B',
        counter="A1",
        staff_name="Tom <&> Jerry",
        job_number="<GZ&1001>",
        hotline="123<45>&",
    )
    document = poster_svg(info)

    assert "<script>" not in document
    assert "Tom &lt;&amp;&gt; Jerry" in document
    assert "&lt;GZ&amp;1001&gt;" in document
    assert "123&lt;45&gt;&amp;" in document
    texts = _svg_texts(document)
    assert any("Tom <&> Jerry" in text for text in texts)
    assert any("<GZ&1001>" in text for text in texts)
    assert "监督电话 Supervision hotline: 123<45>&" in texts
    assert "<script>alert(1)</script> & Co." in texts


@needs_font
def test_poster_svg_drops_control_characters_xml_cannot_carry() -> None:
    info = PosterInfo(
        url=URL,
        organisation="示范\x0b电信\x00",
        site="城东\n营业厅",
        counter="A1\x1b",
        staff_name=None,
        job_number=None,
        hotline="12300",
    )
    texts = _svg_texts(poster_svg(info))
    assert "示范电信" in texts
    assert "城东 营业厅" in texts
    assert "A1" in texts
    assert not any("服务人员" in text or "工号" in text for text in texts)


# --- site_sheet_pdf ------------------------------------------------------------------------


@needs_font
def test_site_sheet_pdf_has_one_page_per_poster() -> None:
    posters = [
        INFO,
        PosterInfo(
            url=f"https://manyi.demo-telecom.example.cn/s/{'b' * 22}",
            organisation=INFO.organisation,
            site=INFO.site,
            counter="A2 号窗口",
            staff_name="王伟",
            job_number="GZ1002",
            hotline=INFO.hotline,
        ),
        LONG_INFO,
    ]
    pdf = site_sheet_pdf(posters)

    assert pdf.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page(?![A-Za-z])", pdf)) == len(posters)
    # Pillow embeds each page as one JPEG stream: every printed page must scan to its link.
    pages = re.findall(rb"\xff\xd8\xff.*?\xff\xd9", pdf, flags=re.DOTALL)
    assert len(pages) == len(posters)
    for page, info in zip(pages, posters, strict=True):
        assert [code.text for code in _decode(Image.open(io.BytesIO(page)))] == [info.url]


def test_site_sheet_pdf_needs_posters() -> None:
    with pytest.raises(ValueError, match="at least one poster"):
        site_sheet_pdf([])
