"""Certificate PDFs (bilingual, QR to the verification page from SITE_URL) and the public verification page."""

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from chiptown.accounts.models import User
from chiptown.competitions import certificates, selectors
from chiptown.competitions.models import AwardKind, Certificate, Edition, Entry, EntryStatus, PartnershipMember
from chiptown.competitions.services import results
from tests.competitions.factories import EntryFactory
from tests.competitions.results_support import judged_category, judged_edition, ranking_of
from tests.factories import OrganisationFactory, PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _site_url(settings: Any) -> None:
    settings.SITE_URL = "https://awards.chiptown.example"


def _publish(edition: Edition, category: Any, entries: list[Entry], by: User) -> list[Certificate]:
    ranking = ranking_of(entries)
    winners = [e.pk for e in entries[: category.winners]]
    results.decisions_save(
        category=category, ranking=ranking, winner_ranks={pk: r for r, pk in enumerate(winners, start=1)}, by=by
    )
    return results.results_publish(edition=edition, by=by)


@pytest.fixture
def certificate(operator: User) -> Certificate:
    edition = judged_edition(year=2031, name_zh="2031年度汽车芯片大赛", name_en="Automotive Chip Competition 2031")
    category, entries = judged_category(edition, kind=AwardKind.TOP50, entries=3, winners=1)
    entries[0].organisation.name_zh = "阿尔法半导体"
    entries[0].organisation.name_en = "Alpha Semiconductor"
    entries[0].organisation.save()
    issued = _publish(edition, category, entries, operator)
    found = selectors.certificate_by_code(code=issued[0].code)
    assert found is not None
    return found


def _pdf_text(pdf: bytes, tmp_path: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext (poppler-utils) is not installed: run `make system-packages`")
    source = tmp_path / "certificate.pdf"
    source.write_bytes(pdf)
    done = subprocess.run(["pdftotext", "-layout", str(source), "-"], capture_output=True, check=True)
    return done.stdout.decode("utf-8")


def test_the_qr_code_encodes_the_absolute_verification_address_from_site_url(certificate: Certificate) -> None:
    context = certificates.certificate_context(certificate)

    expected = f"https://awards.chiptown.example/competition/verify/{certificate.code}/"
    assert context["verify_url"] == expected
    assert context["qr"] == certificates.qr_data_uri(expected)
    assert certificates.qr_svg(expected).lstrip().startswith("<?xml") or "<svg" in certificates.qr_svg(expected)


def test_the_certificate_pdf_is_bilingual_and_names_award_edition_winner_and_code(
    certificate: Certificate, tmp_path: Path
) -> None:
    pdf = certificates.certificate_pdf(certificate)

    assert pdf.startswith(b"%PDF")
    text = _pdf_text(pdf, tmp_path)
    for expected in (
        "荣誉证书",
        "Certificate of Award",
        "阿尔法半导体",
        "Alpha Semiconductor",
        "汽车芯片50强",
        "Automotive Chip Top 50",
        "2031年度汽车芯片大赛",
        "Automotive Chip Competition 2031",
        certificate.code,
        "Rank 1",
    ):
        assert expected.casefold() in text.casefold(), expected
    if os.environ.get("CHIPTOWN_KEEP_PDF"):
        Path(os.environ["CHIPTOWN_KEEP_PDF"]).write_bytes(pdf)


def test_a_partnership_certificate_names_every_partner(operator: User, tmp_path: Path) -> None:
    edition = judged_edition()
    category, _entries = judged_category(edition, kind=AwardKind.BEST_PARTNER, entries=0, winners=1)
    first = OrganisationFactory(name_zh="贝塔微电子", name_en="Beta Microelectronics")
    second = OrganisationFactory(name_zh="伽马汽车", name_en="Gamma Motors")
    entry = EntryFactory(category=category, status=EntryStatus.ELIGIBLE, organisation=first, title="Joint SoC")
    PartnershipMember.objects.create(entry=entry, organisation=first)
    PartnershipMember.objects.create(entry=entry, organisation=second)
    issued = _publish(edition, category, [entry], operator)

    found = selectors.certificate_by_code(code=issued[0].code)
    assert found is not None
    context = certificates.certificate_context(found)

    assert (context["winner_zh"], context["winner_en"]) == (
        "贝塔微电子、伽马汽车",
        "Beta Microelectronics & Gamma Motors",
    )


def test_a_nominee_certificate_names_the_person(operator: User) -> None:
    edition = judged_edition()
    category, _entries = judged_category(edition, kind=AwardKind.INFLUENCE_FIGURE, entries=0, winners=1)
    person = PersonFactory(name_zh="李明", name_en="Li Ming")
    entry = EntryFactory(category=category, status=EntryStatus.ELIGIBLE, organisation=None, person=person)
    issued = _publish(edition, category, [entry], operator)

    found = selectors.certificate_by_code(code=issued[0].code)
    assert found is not None
    assert certificates.certificate_context(found)["winner_zh"] == "李明"


# --- Pages ---------------------------------------------------------------------------------------------------


def test_the_certificate_pdf_page_serves_the_pdf_to_anyone(client: Client, certificate: Certificate) -> None:
    response = client.get(f"/competition/certificates/{certificate.code}.pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert certificate.code in response["Content-Disposition"]


def test_the_verification_page_shows_award_winner_edition_and_valid(client: Client, certificate: Certificate) -> None:
    response = client.get(f"/competition/verify/{certificate.code}/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Valid" in page
    assert "Automotive Chip Top 50" in page
    assert "Alpha Semiconductor" in page
    assert "Automotive Chip Competition 2031" in page
    assert f'href="/organisations/{certificate.entry.organisation_id}/"' in page
    assert "Revoked" not in page


def test_the_verification_page_in_chinese(client: Client, certificate: Certificate) -> None:
    response = client.get(f"/competition/verify/{certificate.code}/", HTTP_ACCEPT_LANGUAGE="zh-hans")

    page = response.content.decode()
    assert "阿尔法半导体" in page
    assert "汽车芯片50强" in page
    assert "2031年度汽车芯片大赛" in page


def test_a_revoked_certificate_is_shown_as_revoked(client: Client, certificate: Certificate, operator: User) -> None:
    results.certificate_revoke(certificate=certificate, by=operator, reason="Figures were false")

    response = client.get(f"/competition/verify/{certificate.code}/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "Revoked" in page
    assert "no longer valid" in page
    assert ">Valid<" not in page


@pytest.mark.parametrize("code", ["not-a-real-code", "x" * 40, "%00"])
def test_an_unknown_code_is_a_clear_404(client: Client, certificate: Certificate, code: str) -> None:
    response = client.get(f"/competition/verify/{code}/")
    pdf = client.get(f"/competition/certificates/{code}.pdf")

    assert response.status_code == 404
    assert "No such certificate" in response.content.decode()
    assert pdf.status_code == 404


def test_the_verification_page_costs_the_same_queries_for_any_partnership_size(
    client: Client, operator: User, django_assert_max_num_queries: Any
) -> None:
    edition = judged_edition()
    category, _entries = judged_category(edition, kind=AwardKind.BEST_PARTNER, entries=0, winners=2)
    small = EntryFactory(category=category, status=EntryStatus.ELIGIBLE)
    big = EntryFactory(category=category, status=EntryStatus.ELIGIBLE)
    PartnershipMember.objects.bulk_create(
        [PartnershipMember(entry=small, organisation=OrganisationFactory()) for _ in range(2)]
        + [PartnershipMember(entry=big, organisation=OrganisationFactory()) for _ in range(12)]
    )
    issued = {c.entry_id: c.code for c in _publish(edition, category, [small, big], operator)}

    for entry in (small, big):
        with django_assert_max_num_queries(4):
            response = client.get(f"/competition/verify/{issued[entry.pk]}/")
        assert response.status_code == 200
