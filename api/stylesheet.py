"""manyi's one stylesheet and the URL that names its content.

The URL carries the first 12 hex digits of the file's SHA-256, so a browser may keep it
for a year (``immutable``) and a new release, whose CSS hashes differently, is fetched at
once. The file is read once, at import: it ships with the code and changes only with it.
"""

import hashlib
from pathlib import Path
from typing import Final

STYLESHEET_PATH: Final = Path(__file__).resolve().parent / "static" / "manyi.css"
STYLESHEET: Final = STYLESHEET_PATH.read_bytes()
STYLESHEET_VERSION: Final = hashlib.sha256(STYLESHEET).hexdigest()[:12]
STYLESHEET_URL: Final = f"/assets/manyi-{STYLESHEET_VERSION}.css"
