"""What is frozen is hashed: one canonical JSON text of a document and its SHA-256, shared
by the regulators' notices and the lifecycle's review reports, so anyone holding a copy
can check it is the one that was frozen."""

import hashlib
import json
from typing import Any


def canonical(content: dict[str, Any]) -> str:
    """The one text of ``content`` that is hashed: keys sorted, no spaces, UTF-8 kept."""
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_hash(text: str) -> str:
    """SHA-256 (hex) of the canonical text's UTF-8 bytes."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
