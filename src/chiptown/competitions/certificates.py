"""Winners' certificates as PDF (WeasyPrint): bilingual, with a QR code that opens the public verification page.

The QR code encodes an absolute address built from settings.SITE_URL, so a certificate printed from any host
(or from a worker with no request at all) points at the real site.
"""

import base64
from typing import Any

import qrcode
import qrcode.constants
from django.template.loader import render_to_string
from django.utils import timezone, translation

from chiptown.competitions.models import Certificate
from chiptown.competitions.selectors import entry_names
from chiptown.core.addresses import absolute_url


def verification_url(certificate: Certificate) -> str:
    return absolute_url(certificate.get_absolute_url())


def qr_svg(text: str) -> str:
    """The QR code of `text` as a standalone SVG document (medium error correction: survives a crease)."""
    from qrcode.image.svg import SvgPathImage

    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2, image_factory=SvgPathImage)
    code.add_data(text)
    code.make(fit=True)
    image = code.make_image()
    return str(image.to_string(encoding="unicode"))


def qr_data_uri(text: str) -> str:
    svg = qr_svg(text).encode("utf-8")
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


def certificate_context(certificate: Certificate) -> dict[str, Any]:
    """Everything the certificate shows, in both languages, from a certificate loaded by
    selectors.certificate_by_code (entry, category, edition, names, decision)."""
    entry = certificate.entry
    category = entry.category
    edition = category.edition
    winner_zh, winner_en = entry_names(entry)
    decision = getattr(entry, "decision", None)
    issued = timezone.localtime(certificate.issued_at)
    url = verification_url(certificate)
    return {
        "certificate": certificate,
        "award_zh": category.name_zh or category.name_en,
        "award_en": category.name_en or category.name_zh,
        "edition_zh": edition.name_zh or edition.name_en,
        "edition_en": edition.name_en or edition.name_zh,
        "winner_zh": winner_zh,
        "winner_en": winner_en,
        "rank": decision.rank if decision is not None and decision.is_winner else None,
        "issued_zh": f"{issued.year}年{issued.month}月{issued.day}日",
        "issued_en": issued.strftime("%d %B %Y").lstrip("0"),
        "verify_url": url,
        "qr": qr_data_uri(url),
        "revoked": certificate.revoked_at is not None,
        "is_demo": entry.is_demo,
    }


def certificate_pdf(certificate: Certificate) -> bytes:
    """The certificate as a one-page A4 landscape PDF."""
    from weasyprint import HTML

    # Both languages are on the certificate whatever the viewer's language; English month names need "en".
    with translation.override("en"):
        html = render_to_string("competitions/certificate_pdf.html", certificate_context(certificate))
    return bytes(HTML(string=html, base_url=absolute_url("/")).write_pdf())


def certificate_filename(certificate: Certificate) -> str:
    entry = certificate.entry
    return f"certificate-{entry.category.edition.year}-{entry.category.kind}-{certificate.code}.pdf"
