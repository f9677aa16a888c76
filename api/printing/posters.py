"""Printable QR posters for service counters: PNG, SVG and a multi-page PDF per site.

A business hall puts a small poster on each counter. Customers scan its QR code to rate the
service they just received, so the poster has to say *which* counter and, as Chinese halls
customarily do, *who* served them (name and job number), and must show the supervision
hotline. The text is bilingual and mostly Chinese, so it is drawn with a CJK font: Debian's
``fonts-noto-cjk`` (Noto Sans CJK, Simplified Chinese face) is preferred and looked for in the
usual font directories and through fontconfig; :class:`survey.errors.FontMissing` is raised
when no CJK font is installed, rather than silently drawing boxes instead of characters.

One layout serves every format. It is computed once in pixels of an A6 page at 300 dpi
(1240 x 1748) with the real font metrics, so long names shrink and then wrap (and, as a last
resort, end in an ellipsis) instead of running off the page. The PNG and the SVG are two
renderings of that layout, and the site sheet is the PNGs bound into one PDF. The QR code uses
error correction level M and a four-module quiet zone, and is drawn module by module so it
stays sharp: a blurred code is a code that does not scan.

Everything here is a pure function of its arguments (and of the installed fonts); the web
layer decides which links get posters and how they are served.
"""

import base64
import functools
import io
import os
import re
import shutil
import subprocess
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import qrcode
import qrcode.constants
from PIL import Image, ImageDraw, ImageFont, ImageOps, UnidentifiedImageError

from survey.errors import FontMissing
from survey.evidence.clerk_photos import stored_photo_file
from survey.places.links import PosterPlace

__all__ = [
    "PosterInfo",
    "find_cjk_font",
    "poster_png",
    "poster_svg",
    "qr_matrix_svg",
    "site_sheet_pdf",
]


@dataclass(frozen=True)
class PosterInfo:
    """What one counter's poster shows."""

    url: str  # what the QR encodes, e.g. "http://127.0.0.1:8000/s/AbC..."
    organisation: str  # e.g. "示范电信 Demo Telecom"
    site: str  # e.g. "城东营业厅 East City Hall"
    counter: str  # e.g. "A1 号窗口"
    staff_name: str | None  # e.g. "李娜" (shown publicly, as business halls do)
    job_number: str | None  # e.g. "GZ1001"
    hotline: str  # supervision hotline, e.g. "12300"
    call_to_action: str = "扫码评价我们的服务 · Scan to rate our service"
    feedback_line: str = "表扬、建议、投诉也可扫此码 · Praise, suggestions, complaints: same code"
    """Under the call to action: the questionnaire links to the feedback form, so the same
    code takes praise, suggestions and complaints too. Empty leaves the line out."""
    staff_photo: bytes | None = None
    """The clerk's photo (a cleaned JPEG or PNG), drawn above their name as halls show it;
    left out when missing or unreadable."""


def poster_info(
    place: PosterPlace, *, base_url: str, hotline: str, data_dir: Path | None = None
) -> PosterInfo:
    """What the poster of one printable link shows; ``base_url`` is the public address and
    ``data_dir`` the folder the clerks' photos are stored under (no photo without it)."""
    photo = stored_photo_file(data_dir, place.staff_photo_path) if data_dir else None
    return PosterInfo(
        url=f"{base_url.rstrip('/')}/s/{place.token}",
        organisation=place.organisation,
        site=place.site,
        counter=place.counter,
        staff_name=place.staff_name,
        job_number=place.job_number,
        hotline=hotline,
        staff_photo=photo.read_bytes() if photo else None,
    )


# --------------------------------------------------------------------------------------------
# Fonts

FONT_MISSING_MESSAGE = "No CJK font found; install Debian's fonts-noto-cjk"

SVG_FONT_FAMILY = "Noto Sans CJK SC, Noto Sans CJK, sans-serif"

_DEFAULT_FONT_DIRS: tuple[Path, ...] = (
    Path("/usr/share/fonts"),
    Path("/usr/local/share/fonts"),
    Path.home() / ".local/share/fonts",
    Path.home() / ".fonts",
    Path("/Library/Fonts"),
    Path("/System/Library/Fonts"),
    Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts",
)

# File names of fonts known to cover Simplified Chinese, best first (compared case-insensitively).
_REGULAR_FONT_FILES: tuple[str, ...] = (
    "NotoSansCJK-Regular.ttc",
    "NotoSansCJKsc-Regular.otf",
    "NotoSansSC-Regular.otf",
    "NotoSansSC-Regular.ttf",
    "SourceHanSans-Regular.ttc",
    "SourceHanSansSC-Regular.otf",
    "SourceHanSansCN-Regular.otf",
    "NotoSansCJK-Medium.ttc",
    "wqy-microhei.ttc",
    "wqy-zenhei.ttc",
    "DroidSansFallbackFull.ttf",
    "DroidSansFallback.ttf",
    "PingFang.ttc",
    "Hiragino Sans GB.ttc",
    "STHeiti Light.ttc",
    "msyh.ttc",
    "simhei.ttf",
    "NotoSerifCJK-Regular.ttc",
    "simsun.ttc",
)
_BOLD_FONT_FILES: tuple[str, ...] = (
    "NotoSansCJK-Bold.ttc",
    "NotoSansCJKsc-Bold.otf",
    "NotoSansSC-Bold.otf",
    "NotoSansSC-Bold.ttf",
    "SourceHanSans-Bold.ttc",
    "SourceHanSansSC-Bold.otf",
    "SourceHanSansCN-Bold.otf",
    "NotoSansCJK-Black.ttc",
    "STHeiti Medium.ttc",
    "msyhbd.ttc",
    "NotoSerifCJK-Bold.ttc",
)


def _font_files_in(directories: Sequence[Path]) -> dict[str, Path]:
    """Every font file under the directories, keyed by lower-cased name (first one found wins)."""
    found: dict[str, Path] = {}
    for directory in directories:
        if not directory.is_dir():
            continue
        for root, _dirs, files in os.walk(directory):
            for name in files:
                found.setdefault(name.lower(), Path(root) / name)
    return found


def _run_fontconfig(tool: str, *args: str) -> list[str]:
    """Output lines of a fontconfig tool, or nothing when it is absent or fails."""
    executable = shutil.which(tool)
    if executable is None:
        return []
    try:
        completed = subprocess.run(  # noqa: S603 - fixed executable, our own arguments
            [executable, *args], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return []
    if completed.returncode != 0:
        return []
    return [line.strip() for line in completed.stdout.splitlines() if line.strip()]


def _fontconfig_cjk_font(bold: bool) -> Path | None:
    """Ask fontconfig for its best Simplified Chinese sans font; only fonts that cover zh-cn."""
    covering = {Path(line) for line in _run_fontconfig("fc-list", "-f", "%{file}\n", ":lang=zh-cn")}
    covering = {path for path in covering if path.is_file()}
    if not covering:
        return None
    pattern = "sans-serif:lang=zh-cn" + (":weight=bold" if bold else "")
    for line in _run_fontconfig("fc-match", "-s", "-f", "%{file}\n", pattern):
        if Path(line) in covering:
            return Path(line)

    def preference(path: Path) -> tuple[bool, bool, bool, str]:
        name = path.name.lower()
        return ("sans" not in name, ("bold" in name) != bold, "cjk" not in name, name)

    return min(covering, key=preference)


def find_cjk_font(
    bold: bool = False,
    *,
    search_dirs: Sequence[Path] | None = None,
    use_fontconfig: bool = True,
) -> Path:
    """Path of an installed font with Chinese glyphs, Noto Sans CJK preferred.

    Looks for known CJK font files under ``search_dirs`` (default: the usual Linux, macOS and
    Windows font directories), then asks fontconfig when ``use_fontconfig`` is true. A bold
    request falls back to a regular face when no bold one is installed.

    Raises :class:`FontMissing` when nothing is found.
    """
    directories = _DEFAULT_FONT_DIRS if search_dirs is None else tuple(search_dirs)
    available = _font_files_in(directories)
    names = (*_BOLD_FONT_FILES, *_REGULAR_FONT_FILES) if bold else _REGULAR_FONT_FILES
    for name in names:
        path = available.get(name.lower())
        if path is not None:
            return path
    if use_fontconfig:
        path = _fontconfig_cjk_font(bold)
        if path is not None:
            return path
    raise FontMissing(FONT_MISSING_MESSAGE)


@functools.cache
def _installed_font(bold: bool) -> Path:
    return find_cjk_font(bold)


@functools.cache
def _simplified_chinese_index(path: Path) -> int:
    """Index of the Simplified Chinese face in a font collection (0 for a single font).

    Noto Sans CJK collections hold Japanese, Korean, SC, TC and HK faces whose glyphs for the
    same code point differ; a Chinese poster must use the SC one.
    """
    best: tuple[int, int] | None = None  # (rank, index); lower rank is better
    for index in range(64):
        try:
            family, _style = ImageFont.truetype(str(path), 12, index=index).getname()
        except OSError:
            break
        name = f" {family or ''} "
        if " SC " in name and "Mono" not in name:
            return index
        rank = 0 if " SC " in name else 1 if re.search(r"GB|Hans| CN ", name) else 2
        if best is None or rank < best[0]:
            best = (rank, index)
    return 0 if best is None else best[1]


@functools.lru_cache(maxsize=128)
def _font(size: int, bold: bool) -> ImageFont.FreeTypeFont:
    path = _installed_font(bold)
    return ImageFont.truetype(str(path), size, index=_simplified_chinese_index(path))


# --------------------------------------------------------------------------------------------
# QR code

QR_QUIET_ZONE = 4  # modules; the minimum the QR standard asks for


def _qr_matrix(url: str) -> list[list[bool]]:
    """The QR modules for ``url`` (error correction M), quiet zone included; True is dark."""
    if not url:
        raise ValueError("A QR poster needs a URL to encode")
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=QR_QUIET_ZONE)
    code.add_data(url)
    code.make(fit=True)
    return [[bool(module) for module in row] for row in code.get_matrix()]


def _qr_path_data(matrix: Sequence[Sequence[bool]]) -> str:
    """SVG path data drawing each horizontal run of dark modules as one 1-module-high box."""
    parts: list[str] = []
    for y, row in enumerate(matrix):
        x = 0
        while x < len(row):
            if not row[x]:
                x += 1
                continue
            start = x
            while x < len(row) and row[x]:
                x += 1
            width = x - start
            parts.append(f"M{start} {y}h{width}v1h-{width}z")
    return "".join(parts)


def qr_matrix_svg(url: str, *, size_px: int = 240) -> str:
    """A standalone ``<svg>`` element of the QR code for ``url``, for inline use in HTML.

    One user unit is one module and the quiet zone is part of the picture (white), so the code
    scans against any page background.
    """
    if size_px <= 0:
        raise ValueError("size_px must be positive")
    matrix = _qr_matrix(url)
    n = len(matrix)
    label = f"QR code for {url}"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size_px}" height="{size_px}"'
        f' viewBox="0 0 {n} {n}" shape-rendering="crispEdges" role="img"'
        f" aria-label={quoteattr(label)}>"
        f"<title>{escape(label)}</title>"
        f'<rect width="{n}" height="{n}" fill="#ffffff"/>'
        f'<path fill="#000000" d="{_qr_path_data(matrix)}"/>'
        "</svg>"
    )


# --------------------------------------------------------------------------------------------
# Layout

PAGE_WIDTH = 1240  # px: A6 portrait (105 x 148 mm) at 300 dpi
PAGE_HEIGHT = 1748
MARGIN = 80
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN
QR_MAX_WIDTH = 960  # px, quiet zone included
QR_MIN_WIDTH = 800  # text shrinks to leave at least this much room for the code
MIN_TEXT_PX = 22  # about 5 pt at 300 dpi
PHOTO_WIDTH, PHOTO_HEIGHT = 192, 240  # px: a 16 x 20 mm portrait, as on a staff badge
PHOTO_GAP = 32  # px between the photo and the texts beside it

BRAND = "#0b4f9c"
BRAND_DARK = "#12263f"
TEXT = "#3c4858"
WHITE = "#ffffff"
FOOTER_BG = "#eef2f7"
FRAME = "#cfd8e3"

_CJK = (
    "\u1100-\u11ff\u2e80-\u9fff\ua960-\ua97f\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f"
    "\uff00-\uffef\U00020000-\U0003ffff"
)
_TOKEN = re.compile(rf"\s+|[{_CJK}]|[^\s{_CJK}]+")
# No line may start with these (they stay with what precedes them) ...
_NO_BREAK_BEFORE = frozenset(")]}>,.;:!?%·、。，．：；！？）］｝〉》」』】〕〗〙〛…‥ー々〜")
# ... nor end with these (they stay with what follows them).
_NO_BREAK_AFTER = frozenset("([{<¥$£€（［｛〈《「『【〔〖〘〚")
# Characters XML 1.0 forbids even when escaped, plus other controls that would print as boxes.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
ELLIPSIS = "…"


def _clean(text: str) -> str:
    """Single-spaced text without control characters."""
    return " ".join(_CONTROL.sub("", text).split())


def _units(text: str) -> list[str]:
    """Unbreakable pieces of single-spaced ``text``: Latin words, CJK characters and spaces.

    A line may break before a piece or at a space; punctuation is glued to its neighbour so a
    line neither starts with a closing mark nor ends with an opening one.
    """
    units: list[str] = []
    for token in _TOKEN.findall(text):
        if token.isspace():
            units.append(" ")
        elif units and units[-1] != " " and units[-1][-1] in _NO_BREAK_AFTER:
            units[-1] += token
        elif token[0] in _NO_BREAK_BEFORE and units:
            if units[-1] == " " and len(units) > 1:
                units.pop()
                units[-1] += " " + token
            else:
                units[-1] += token
        else:
            units.append(token)
    return units


def _width(text: str, font: ImageFont.FreeTypeFont) -> float:
    return font.getlength(text)


def _break_word(word: str, font: ImageFont.FreeTypeFont, max_width: float) -> Iterator[str]:
    """Split a word too wide for a line into line-sized pieces, character by character."""
    piece = ""
    for char in word:
        if piece and _width(piece + char, font) > max_width:
            yield piece
            piece = char
        else:
            piece += char
    if piece:
        yield piece


def _wrap(text: str, font: ImageFont.FreeTypeFont, max_width: float) -> list[str]:
    """Greedy line breaking: at spaces, and between CJK characters."""
    lines: list[str] = []
    line = ""
    space = False
    for unit in _units(text):
        if unit == " ":
            space = bool(line)
            continue
        candidate = f"{line} {unit}" if space else line + unit
        space = False
        if _width(candidate, font) <= max_width:
            line = candidate
            continue
        if line:
            lines.append(line)
        *full, line = _break_word(unit, font, max_width)
        lines.extend(full)
    if line:
        lines.append(line)
    return lines


def _truncate(line: str, font: ImageFont.FreeTypeFont, max_width: float) -> str:
    while line and _width(line + ELLIPSIS, font) > max_width:
        line = line[:-1].rstrip()
    return line + ELLIPSIS


@dataclass(frozen=True)
class _TextBlock:
    lines: tuple[str, ...]
    size: int
    bold: bool
    line_height: int
    ascent: int

    @property
    def height(self) -> int:
        return self.line_height * len(self.lines)


def _fit(
    text: str,
    *,
    size: int,
    min_size: int,
    bold: bool,
    max_lines: int = 2,
    max_width: float = CONTENT_WIDTH,
) -> _TextBlock:
    """Lay ``text`` out within ``max_width``: shrink it, then wrap it, then cut it short.

    One line is tried first down to three quarters of ``size``; then up to ``max_lines``
    lines down to ``min_size``; failing both, the last line ends in an ellipsis.
    """
    one_line_floor = max(min_size, (size * 3) // 4)
    attempts = [(1, s) for s in range(size, one_line_floor - 1, -2)]
    attempts += [(max_lines, s) for s in range(size, min_size - 1, -2)]
    lines: list[str] = []
    font = _font(min_size, bold)
    for allowed, font_size in attempts:
        font = _font(font_size, bold)
        lines = _wrap(text, font, max_width)
        if len(lines) <= allowed:
            break
    else:
        lines = lines[:max_lines]
        lines[-1] = _truncate(lines[-1], font, max_width)
    return _block(lines, font, bold)


def _block(lines: Sequence[str], font: ImageFont.FreeTypeFont, bold: bool) -> _TextBlock:
    ascent, descent = font.getmetrics()
    return _TextBlock(tuple(lines), int(font.size), bold, ascent + descent, ascent)


@dataclass(frozen=True)
class _Text:
    text: str
    x: float  # centre
    baseline: float
    size: int
    bold: bool
    fill: str
    width: float  # as measured with the poster font


@dataclass(frozen=True)
class _Rect:
    x: int
    y: int
    width: int
    height: int
    fill: str | None
    outline: str | None = None
    stroke: int = 0
    radius: int = 0


@dataclass(frozen=True)
class _Layout:
    title: str
    rects: tuple[_Rect, ...]
    texts: tuple[_Text, ...]
    qr: tuple[list[list[bool]], int, int, int]  # matrix, left, top, module size in px
    photo: tuple[Image.Image, _Rect] | None = None  # the clerk's photo and where it goes


def _photo(data: bytes | None) -> Image.Image | None:
    """The clerk's photo decoded, or ``None`` when there is none or it does not decode (a
    poster without the photo beats no poster)."""
    if not data:
        return None
    try:
        with Image.open(io.BytesIO(data), formats=("JPEG", "PNG")) as image:
            return image.convert("RGB")
    except (UnidentifiedImageError, OSError, ValueError):
        return None


def _staff_parts(info: PosterInfo) -> list[str]:
    parts = []
    if info.staff_name and _clean(info.staff_name):
        parts.append(f"服务人员 Staff: {_clean(info.staff_name)}")
    if info.job_number and _clean(info.job_number):
        parts.append(f"工号 No.: {_clean(info.job_number)}")
    return parts


def _fit_parts(
    parts: Sequence[str],
    *,
    size: int,
    min_size: int,
    bold: bool,
    max_width: float = CONTENT_WIDTH,
) -> _TextBlock:
    """Parts joined by " · " on one line if they fit, else one part a line, else wrapped."""
    joined = " · ".join(parts)
    for font_size in range(size, max(min_size, (size * 3) // 4) - 1, -2):
        font = _font(font_size, bold)
        if _width(joined, font) <= max_width:
            return _block([joined], font, bold)
    if len(parts) > 1:
        for font_size in range(size, min_size - 1, -2):
            font = _font(font_size, bold)
            if all(_width(part, font) <= max_width for part in parts):
                return _block(parts, font, bold)
    return _fit(joined, size=size, min_size=min_size, bold=bold, max_width=max_width)


def _layout(info: PosterInfo) -> _Layout:
    """Where everything goes on the page, in pixels of the 1240 x 1748 PNG.

    Should long texts leave too little room for a QR code of ``QR_MIN_WIDTH``, all text is
    made smaller until it fits: the code is what the poster is for.
    """
    matrix = _qr_matrix(info.url)
    photo = _photo(info.staff_photo)
    layout = _layout_at(info, matrix, 1.0, photo)
    for scale in (0.9, 0.8, 0.7, 0.6):
        if layout.qr[3] * len(matrix) >= QR_MIN_WIDTH:
            break
        layout = _layout_at(info, matrix, scale, photo)
    return layout


def _layout_at(
    info: PosterInfo, matrix: list[list[bool]], scale: float, photo: Image.Image | None
) -> _Layout:
    """The layout with text sizes (and the gaps between texts) multiplied by ``scale``."""
    texts: list[_Text] = []
    rects: list[_Rect] = []

    def px(value: int) -> int:
        return round(value * scale)

    # With a photo, site, counter and clerk sit in a column to its right, as on a badge.
    column = CONTENT_WIDTH if photo is None else CONTENT_WIDTH - PHOTO_WIDTH - PHOTO_GAP
    column_centre = PAGE_WIDTH - MARGIN - column / 2

    def place(block: _TextBlock, top: int, fill: str, centre: float = PAGE_WIDTH / 2) -> int:
        """Add the block's lines centred on ``centre`` from ``top``; return the y just
        below them."""
        font = _font(block.size, block.bold)
        for number, line in enumerate(block.lines):
            baseline = top + number * block.line_height + block.ascent
            width = _width(line, font)
            texts.append(_Text(line, centre, baseline, block.size, block.bold, fill, width))
        return top + block.height

    def fit(
        text: str, size: int, min_size: int, *, bold: bool, width: float = CONTENT_WIDTH
    ) -> _TextBlock | None:
        cleaned = _clean(text)
        if not cleaned:
            return None
        size, min_size = max(MIN_TEXT_PX, px(size)), max(MIN_TEXT_PX, px(min_size))
        return _fit(cleaned, size=size, min_size=min_size, bold=bold, max_width=width)

    organisation = fit(info.organisation, 60, 32, bold=True)
    site = fit(info.site, 68, 34, bold=True, width=column)
    counter = fit(info.counter, 56, 30, bold=True, width=column)
    parts = _staff_parts(info)
    staff = (
        _fit_parts(
            parts,
            size=max(MIN_TEXT_PX, px(40)),
            min_size=max(MIN_TEXT_PX, px(26)),
            bold=False,
            max_width=column,
        )
        if parts
        else None
    )
    cta = fit(info.call_to_action, 46, 28, bold=True)
    feedback = fit(info.feedback_line, 32, 24, bold=False)
    hotline = fit(f"监督电话 Supervision hotline: {_clean(info.hotline)}", 38, 26, bold=False)

    # Header band with the organisation.
    y = px(52)
    if organisation is not None:
        y = place(organisation, y, WHITE) + px(44)
    rects.append(_Rect(0, 0, PAGE_WIDTH, y, BRAND))

    # Where the service was given: site, counter, person, beside the person's photo.
    y += px(44)
    photo_place = None
    if photo is not None:
        photo_frame = _Rect(MARGIN, y, PHOTO_WIDTH, PHOTO_HEIGHT, None, FRAME, 2)
        photo_place = (ImageOps.fit(photo, (PHOTO_WIDTH, PHOTO_HEIGHT)), photo_frame)
        rects.append(photo_frame)
    photo_bottom = y + PHOTO_HEIGHT if photo is not None else y
    for block, fill, gap in ((site, BRAND_DARK, 8), (counter, BRAND, 12), (staff, TEXT, 0)):
        if block is not None:
            y = place(block, y, fill, column_centre) + px(gap)
    y = max(y, photo_bottom)
    top_bottom = y

    # Footer band with the supervision hotline.
    footer_height = 2 * px(36) + (hotline.height if hotline is not None else 0)
    footer_top = PAGE_HEIGHT - footer_height
    rects.append(_Rect(0, footer_top, PAGE_WIDTH, footer_height, FOOTER_BG))
    if hotline is not None:
        place(hotline, footer_top + px(36), BRAND_DARK)

    # The QR code (largest that fits) and the call to action with the feedback line under
    # it, centred in the space left.
    modules = len(matrix)
    cta_gap = px(24)
    feedback_gap = px(10)
    cta_height = 0 if cta is None else cta_gap + cta.height
    if feedback is not None:
        cta_height += (feedback_gap if cta is not None else cta_gap) + feedback.height
    room = footer_top - top_bottom - cta_height - 2 * px(28)
    module_px = max(1, min(QR_MAX_WIDTH, CONTENT_WIDTH, room) // modules)
    qr_size = module_px * modules
    group_height = qr_size + cta_height
    qr_top = top_bottom + max(0, (footer_top - top_bottom - group_height) // 2)
    qr_left = (PAGE_WIDTH - qr_size) // 2
    inset = module_px * QR_QUIET_ZONE // 2  # the frame sits inside the quiet zone
    frame = qr_size - 2 * inset
    rects.append(_Rect(qr_left + inset, qr_top + inset, frame, frame, None, FRAME, 4, 24))
    below = qr_top + qr_size
    if cta is not None:
        below = place(cta, below + cta_gap, BRAND)
    if feedback is not None:
        place(feedback, below + (feedback_gap if cta is not None else cta_gap), TEXT)

    title = " · ".join(
        part
        for part in (_clean(info.organisation), _clean(info.site), _clean(info.counter))
        if part
    )
    return _Layout(
        title=title,
        rects=tuple(rects),
        texts=tuple(texts),
        qr=(matrix, qr_left, qr_top, module_px),
        photo=photo_place,
    )


# --------------------------------------------------------------------------------------------
# Renderings


def _poster_image(info: PosterInfo) -> Image.Image:
    layout = _layout(info)
    image = Image.new("RGB", (PAGE_WIDTH, PAGE_HEIGHT), WHITE)
    draw = ImageDraw.Draw(image)
    matrix, left, top, module_px = layout.qr
    modules = len(matrix)
    code = Image.new("L", (modules, modules), 255)
    code.putdata([0 if dark else 255 for row in matrix for dark in row])
    image.paste(code.resize((modules * module_px,) * 2, Image.Resampling.NEAREST), (left, top))
    if layout.photo is not None:
        picture, frame = layout.photo
        image.paste(picture, (frame.x, frame.y))
    for rect in layout.rects:
        draw.rounded_rectangle(
            (rect.x, rect.y, rect.x + rect.width - 1, rect.y + rect.height - 1),
            radius=rect.radius,
            fill=rect.fill,
            outline=rect.outline,
            width=rect.stroke,
        )
    for text in layout.texts:
        draw.text(
            (text.x, text.baseline),
            text.text,
            font=_font(text.size, text.bold),
            fill=text.fill,
            anchor="ms",
        )
    return image


def poster_png(info: PosterInfo) -> bytes:
    """The counter's poster as a 1240 x 1748 PNG (A6 portrait at 300 dpi)."""
    buffer = io.BytesIO()
    _poster_image(info).save(buffer, format="PNG", dpi=(300, 300), optimize=True)
    return buffer.getvalue()


def _jpeg_base64(picture: Image.Image) -> str:
    buffer = io.BytesIO()
    picture.save(buffer, format="JPEG", quality=90)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def poster_svg(info: PosterInfo) -> str:
    """The same poster as an SVG document (105 x 148 mm), with real text and a vector QR code.

    Lines are broken where the PNG breaks them. A line that nearly fills the page width gets a
    ``textLength`` so that a viewer lacking Noto Sans CJK squeezes it instead of letting it
    run off the page.
    """
    layout = _layout(info)
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        f'<svg xmlns="http://www.w3.org/2000/svg" xml:lang="zh-Hans" width="105mm"'
        f' height="148mm" viewBox="0 0 {PAGE_WIDTH} {PAGE_HEIGHT}">',
        f"<title>{escape(layout.title)}</title>",
        f'<rect width="{PAGE_WIDTH}" height="{PAGE_HEIGHT}" fill="{WHITE}"/>',
    ]
    if layout.photo is not None:
        picture, frame = layout.photo
        out.append(
            f'<image x="{frame.x}" y="{frame.y}" width="{frame.width}" height="{frame.height}"'
            f' href="data:image/jpeg;base64,{_jpeg_base64(picture)}"/>'
        )
    for rect in layout.rects:
        paint = f' fill="{rect.fill}"' if rect.fill else ' fill="none"'
        if rect.outline:
            # SVG strokes straddle the edge; PIL's outline lies inside it.
            half = rect.stroke / 2
            geometry = (
                rect.x + half,
                rect.y + half,
                rect.width - rect.stroke,
                rect.height - rect.stroke,
            )
            paint += f' stroke="{rect.outline}" stroke-width="{rect.stroke}"'
        else:
            geometry = (rect.x, rect.y, rect.width, rect.height)
        x, y, width, height = geometry
        rounding = f' rx="{rect.radius}"' if rect.radius else ""
        out.append(
            f'<rect x="{x:g}" y="{y:g}" width="{width:g}" height="{height:g}"{rounding}{paint}/>'
        )
    matrix, left, top, module_px = layout.qr
    out.append(
        f'<path transform="translate({left} {top}) scale({module_px})" fill="#000000"'
        f' shape-rendering="crispEdges" d="{_qr_path_data(matrix)}"/>'
    )
    for text in layout.texts:
        weight = ' font-weight="700"' if text.bold else ""
        squeeze = ""
        if text.width > 0.85 * CONTENT_WIDTH:
            squeeze = f' textLength="{text.width:.0f}" lengthAdjust="spacingAndGlyphs"'
        out.append(
            f'<text x="{text.x:g}" y="{text.baseline:g}" text-anchor="middle"'
            f' font-family="{SVG_FONT_FAMILY}" font-size="{text.size}"{weight}'
            f' fill="{text.fill}"{squeeze}>{escape(text.text)}</text>'
        )
    out.append("</svg>\n")
    return "".join(out)


def site_sheet_pdf(posters: Sequence[PosterInfo]) -> bytes:
    """All of a site's posters in one PDF, one poster a page, for printing in one go.

    The pages are the PNG posters at 150 dpi, which prints each one on an A4 sheet. Pillow
    stores them as JPEG; high quality without chroma subsampling keeps coloured text crisp.
    """
    if not posters:
        raise ValueError("A site sheet needs at least one poster")
    pages = [_poster_image(info) for info in posters]
    buffer = io.BytesIO()
    pages[0].save(
        buffer,
        format="PDF",
        save_all=True,
        append_images=pages[1:],
        resolution=150,
        quality=92,
        subsampling=0,
    )
    return buffer.getvalue()
