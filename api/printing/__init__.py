"""Printing: QR posters per counter and sheets per site (PIL, qrcode, fontconfig)."""
