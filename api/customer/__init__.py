"""The customers' pages: the survey behind a counter's QR code (/s), feedback and
complaints from it, the complainant's case page (/c), the counter display (/display)."""
