"""Charts outside the browser (SVG, PNG) and the JavaScript bundle that draws them inside it.

Everything goes through vl-convert with the Vega-Lite version altair writes its specs
for, so a chart looks the same in an export, in a printed report and on the page. The
bundle (vega, vega-lite and vega-embed in one file) is served by the app itself, never
from a CDN: dashboards must work on a closed network.
"""

from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from threading import Lock
from typing import Any, Final, Generic, TypeVar

import altair as alt
import vl_convert as vlc

#: Vega-Lite ``major.minor`` of altair's schema (``v6.4.1`` → ``6.4``), the version vl-convert
#: compiles with and bundles.
VL_VERSION: Final = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
#: Names every library in the bundle, for a URL that changes whenever the bundle does.
VEGA_BUNDLE_VERSION: Final = (
    f"{vlc.get_vega_version()}-vl{VL_VERSION}-embed{vlc.get_vega_embed_version()}"
    f"-vlc{metadata.version('vl-convert-python')}"
)
#: Width in pixels of a chart rendered outside a page (``width: "container"`` needs one).
STATIC_WIDTH: Final = 640
#: Where Debian's fonts-noto-cjk puts Noto Sans CJK (the font the specs ask for first).
CJK_FONT_DIRECTORIES: Final = (
    Path("/usr/share/fonts/opentype/noto"),
    Path("/usr/share/fonts/truetype/noto"),
)

#: What the bundle exposes to plain scripts such as ``api/static/dashboard.js``.
_BUNDLE_GLOBALS: Final = (
    "window.vegaEmbed = vegaEmbed;\nwindow.vega = vega;\nwindow.vegaLite = vegaLite;\n"
)
T = TypeVar("T")


def chart_svg(spec: dict[str, Any]) -> str:
    """The chart as an SVG document ``STATIC_WIDTH`` pixels wide (text stays text)."""
    _register_cjk_fonts()
    svg: str = vlc.vegalite_to_svg(static_spec(spec), vl_version=VL_VERSION)
    return svg


def chart_png(spec: dict[str, Any], *, scale: float = 2.0) -> bytes:
    """The chart as a PNG image ``STATIC_WIDTH × scale`` pixels wide (2 for sharp print)."""
    _register_cjk_fonts()
    png: bytes = vlc.vegalite_to_png(static_spec(spec), vl_version=VL_VERSION, scale=scale)
    return png


def static_spec(spec: dict[str, Any]) -> dict[str, Any]:
    """``spec`` with a fixed width where it asks for its container's, which only a page has."""
    if spec.get("width") == "container":
        return {**spec, "width": STATIC_WIDTH}
    return spec


def vega_bundle() -> bytes:
    """vega, vega-lite and vega-embed as one script defining ``window.vegaEmbed`` (UTF-8).

    Building it takes about 1.5 s, so it is built on first use, once per process, and kept.
    """
    return _bundle()


class Once(Generic[T]):
    """The result of ``compute``, computed on the first call and kept for the process.

    Threads that ask while it is being computed wait for that result instead of
    computing it again (two first requests must not both spend 1.5 s on the bundle).
    """

    def __init__(self, compute: Callable[[], T]) -> None:
        self._compute = compute
        self._lock = Lock()
        self._result: tuple[T] | None = None

    def __call__(self) -> T:
        with self._lock:
            if self._result is None:
                self._result = (self._compute(),)
            return self._result[0]


def _build_bundle() -> bytes:
    """The bundle for altair's Vega-Lite version, exposing the libraries as globals."""
    bundle: str = vlc.javascript_bundle(_BUNDLE_GLOBALS, vl_version=VL_VERSION)
    return bundle.encode()


def _register_font_directories() -> None:
    """Make Noto Sans CJK available to vl-convert where it is installed.

    Without it Chinese labels still appear in SVG text, but PNG shows empty boxes.
    """
    for directory in CJK_FONT_DIRECTORIES:
        if directory.is_dir():
            vlc.register_font_directory(str(directory))


_bundle = Once(_build_bundle)
_register_cjk_fonts = Once(_register_font_directories)
