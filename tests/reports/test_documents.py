"""The report document: every section, the worked-out numbers of a small chain as people read them, the demo notice
only for demo data, "no data" for missing values, sections without data said in one line, and a PDF whose text is
there in Chinese.

The chain is the hand-worked one of tests/reports/conftest.py, built here again so this file does not depend on
that fixture's name. Two in-park buyers, Maker Motors and Tier One Systems; Alpha Chips (in the park), Bravo Power
(China, outside the park), Fremd GmbH (Germany). Alpha -> Maker control 60%, Fremd -> Maker control 40%, Fremd ->
Tier control, Bravo -> Tier power; Bravo -> Maker control in evaluation only. Worked out: 2 of 4 links domestic
(50.0%), 1 of 4 in the park (25.0%); control 30.0% domestic and in the park by volume, power 100.0% and 0.0%;
HHI control 5,800, power 10,000; Fremd's failure loses 1.40 (2 buyers, 1 pair orphaned). Bill of materials control
10, power 30, memory 5 (memory has no data): whole vehicle 82.5% domestic, 7.5% in the park.
"""

import base64
import copy
import re
import shutil
import subprocess
from typing import Any

import pytest
from django.utils import translation

from chiptown.reports.documents import report_html, report_pdf
from chiptown.reports.figures import figures_build_all
from chiptown.reports.models import BillOfMaterials
from chiptown.reports.snapshots import snapshot_take
from tests.factories import OrganisationFactory, SupplyLinkFactory, category

pytestmark = pytest.mark.django_db

SECTIONS = [
    "1 Summary of the year",
    "2 The chain map",
    "3 Localisation",
    "4 Concentration and chokepoints",
    "5 Disruption scenarios",
    "6 Investment attraction",
    "7 Market outlook",
    "8 Competition results",
    "9 Conference highlights",
    "10 What changed since last year",
    "11 Methodology and sources",
]


@pytest.fixture
def small_figures(db: Any) -> dict[str, dict[str, Any]]:
    maker = OrganisationFactory.create(name_en="Maker Motors", name_zh="制造汽车", in_park=True)
    tier = OrganisationFactory.create(name_en="Tier One Systems", name_zh="一级系统", in_park=True)
    alpha = OrganisationFactory.create(name_en="Alpha Chips", name_zh="阿尔法芯片", in_park=True)
    bravo = OrganisationFactory.create(name_en="Bravo Power", name_zh="布拉沃功率", in_park=False, province="上海市")
    fremd = OrganisationFactory.create(
        name_en="Fremd GmbH", name_zh="弗雷姆德", in_park=False, country="DE", province="", credit_code=None
    )
    SupplyLinkFactory(supplier=alpha, buyer=maker, category=category("control"), share=60)
    SupplyLinkFactory(supplier=fremd, buyer=maker, category=category("control"), share=40)
    SupplyLinkFactory(supplier=fremd, buyer=tier, category=category("control"), share=None)
    SupplyLinkFactory(supplier=bravo, buyer=tier, category=category("power"), share=None)
    SupplyLinkFactory(supplier=bravo, buyer=maker, category=category("control"), share=None, status="evaluation")
    BillOfMaterials.objects.create(
        name_en="Test car",
        name_zh="测试车",
        vehicle_type="test",
        counts={"control": 10, "power": 30, "memory": 5},
        source="Counted by hand for the tests.",
        is_default=True,
    )
    return figures_build_all(snapshot_take(year=2026), sha256="5" * 64)


def _text(html: str) -> str:
    """The document's words with tags and repeated spaces removed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _charts(html: str) -> list[str]:
    return [base64.b64decode(data).decode() for data in re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', html)]


def _rows(html: str, first_cell: str) -> list[list[str]]:
    """The cells, as text, of every table row whose first cell is `first_cell`, in document order."""
    found = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", html, flags=re.S):
        cells = [_text(cell).strip() for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, flags=re.S)]
        if cells and cells[0] == first_cell:
            found.append(cells)
    return found


def _row(html: str, first_cell: str) -> list[str]:
    return _rows(html, first_cell)[0]


def test_english_report_has_every_section_and_the_worked_out_numbers(small_figures: dict[str, Any]) -> None:
    html = report_html(figures=small_figures["en"], language="en", edition=None)
    text = _text(html)
    for heading in SECTIONS:
        assert f">{heading}</a>" in html and heading in text
    assert "<title>Automotive-chip industry report 2026</title>" in html
    assert "5" * 64 in text
    # Headline: 5 organisations, 3 in the park, 4 links; 2 of 4 domestic, 1 of 4 in the park; the test car 82.5%.
    assert "4 supply links between them are in mass production" in text
    assert "50.0% of these links come from suppliers in China and 25.0% from suppliers in the park." in text
    assert "82.5% of a car's chips come from China and 7.5% from the park" in text
    assert (
        "Control chips are the least localised category (30.0% domestic by volume), Power chips the most (100.0%)"
        in text
    )
    assert "The largest chokepoint is Fremd GmbH: if it failed, 2 buyers would lose 1.40 buyer-category shares" in text
    # The gaps tie on volume (1.00 each); abroad comes first, then the category order.
    assert (
        "The largest gap for investment attraction is Control chips: 1 of the 2 buyers in the park that use them "
        "get them only from abroad." in text
    )
    # Localisation, concentration, single sources and chokepoints as the tables print them.
    assert _row(html, "Control chips")[:7] == ["Control chips", "3", "2", "33.3%", "33.3%", "30.0%", "30.0%"]
    assert _row(html, "Power chips")[:7] == ["Power chips", "1", "1", "100.0%", "0.0%", "100.0%", "0.0%"]
    assert _row(html, "Memory chips")[:7] == ["Memory chips", "0", "0", "no data", "no data", "no data", "no data"]
    assert _row(html, "1") == ["1", "Fremd GmbH Foreign", "DE", "1.40", "2", "1"]
    assert _row(html, "Whole vehicle") == ["Whole vehicle", "40", "100.0%", "82.5%", "7.5%"]
    assert "Left out for lack of data: Memory chips (5 chips per vehicle)." in text
    # Gaps: Tier One gets control chips only from Fremd (abroad), power chips only from Bravo (outside the park).
    assert (
        "1 of the 2 buyers in the park that use this category get it only from outside the park "
        "(1.00 buyer-category shares of volume)." in text
    )
    assert "1 of the 2 buyers in the park that use this category get it only from abroad" in text
    assert (
        "The one buyer in the park that uses this category gets it only from outside the park "
        "(1.00 buyer-category shares of volume)." in text
    )
    assert "Counted by hand for the tests." in text
    assert (
        "2 buyer-category pairs have exactly one supplier in mass production: in 1 of these pairs the supplier is "
        "abroad, and in 2 the buyer is in the park." in text
    )
    # Tables in order: localisation, the vehicle, concentration, single sources by category.
    control, power = _rows(html, "Control chips"), _rows(html, "Power chips")
    assert control[2] == ["Control chips", "5,800", "2", "Highly concentrated"]
    assert power[2] == ["Power chips", "10,000", "1", "Highly concentrated"]
    assert control[3] == ["Control chips", "1", "0", "1"] and power[3] == ["Power chips", "1", "1", "0"]
    assert _row(html, "Tier One Systems In the park") == [
        "Tier One Systems In the park",
        "Control chips",
        "Fremd GmbH Foreign",
        "DE",
    ]
    # The outlook's assumptions as people read them: counts grouped, shares as percentages.
    assert _row(html, "Chips per vehicle, low")[:2] == ["Chips per vehicle, low", "1,000"]
    assert _row(html, "Share of chips: Control chips")[:2] == ["Share of chips: Control chips", "18.0%"]
    assert _row(html, "New-vehicle market (vehicles)")[:2] == ["New-vehicle market (vehicles)", "34,425,887"]
    assert _row(html, "New-vehicle market in earlier years")[1] == "flat at 34,425,887"
    assert _row(html, "Growth of the new-vehicle market a year")[1] == "0.0%"
    # No competition or conference in the data, no earlier edition: one line each.
    assert "No competition results for 2026 are in this edition's data." in text
    assert "No conference of 2026 is in this edition's data." in text
    assert "This is the first edition: there is no earlier report to compare with." in text
    for line in small_figures["en"]["methodology"]:
        assert line in text or line.replace("'", "&#x27;") in html


def test_the_cover_gives_the_snapshot_time_in_the_site_zone(small_figures: dict[str, Any]) -> None:
    figures = {**small_figures["en"], "taken_at": "2026-11-25T21:34:38+00:00", "as_of": "2026-11-26"}
    text = _text(report_html(figures=figures, language="en", edition=None))
    assert "Data as of 2026-11-26 Snapshot taken 2026-11-26 05:34 Asia/Shanghai" in text


def test_each_chart_is_drawn_from_the_table_beside_it(small_figures: dict[str, Any]) -> None:
    html = report_html(figures=small_figures["en"], language="en", edition=None)
    charts = _charts(html)
    # Chain map, stage flows, localisation, concentration, single sources, chokepoints, scenarios, outlook, demand.
    assert len(charts) == 9 and all(chart.startswith("<svg") for chart in charts)
    localisation = next(chart for chart in charts if "<!-- Localisation by category -->" in chart)
    categories = len(small_figures["en"]["localisation"])
    assert localisation.count('id="bar-domestic-') == categories == localisation.count('id="bar-in_park-')
    assert localisation.count("<!--  30.0% -->") == 2 and localisation.count("<!--  100.0% -->") == 1
    flows = next(chart for chart in charts if "<!-- Supply links between stages -->" in chart)
    assert flows.count('id="bar-flow-') == len(small_figures["en"]["stage_flows"])
    chokepoints = next(chart for chart in charts if "<!-- Chokepoints: the largest" in chart)
    assert chokepoints.count('id="bar-lost-') == 3 and "<!--  1.40 -->" in chokepoints


def test_the_demo_notice_is_shown_only_for_demo_data(small_figures: dict[str, Any]) -> None:
    real = report_html(figures=small_figures["en"], language="en", edition=None)
    assert 'class="demo-notice"' not in real and "Demo data" not in real and "DEMO DATA" not in "".join(_charts(real))
    demo = copy.deepcopy(small_figures["en"])
    demo["is_demo"] = True
    html = report_html(figures=demo, language="en", edition=None)
    assert '<strong class="running-demo">Demo data</strong>' in html
    assert '<div class="demo-strip">Demo data: generated, not real.</div>' in html
    assert "Every figure in this report is computed from generated demo data" in html
    assert all("<!-- DEMO DATA -->" in chart for chart in _charts(html))


def test_missing_values_read_no_data_and_missing_parts_say_why(small_figures: dict[str, Any]) -> None:
    figures = copy.deepcopy(small_figures["en"])
    figures["headline"]["vehicle_domestic_rate"] = None
    figures["vehicle"] = None
    figures["outlook"] = {"error": "The sales series has fewer than five years.", "history": []}
    html = report_html(figures=figures, language="en", edition=None)
    text = _text(html)
    assert '<b><span class="no-data">no data</span></b><span>Localisation rate of a whole vehicle (domestic)' in html
    assert "None" not in text and "nan" not in text
    assert "No bill of materials is recorded, so no whole-vehicle rate is computed." in text
    assert "The forecast could not be made: The sales series has fewer than five years." in text
    assert len(_charts(html)) == 7


def test_changes_compare_with_the_previous_edition(small_figures: dict[str, Any]) -> None:
    previous = copy.deepcopy(small_figures)
    for language in previous:
        previous[language]["year"] = 2025
        previous[language]["headline"].update(domestic_by_links=0.4, links_counted=3)
    figures = figures_build_all(snapshot_take(year=2026), sha256="5" * 64, previous=previous)
    html = report_html(figures=figures["en"], language="en", edition=None)
    assert _row(html, "Domestic share of supply links") == [
        "Domestic share of supply links",
        "40.0%",
        "50.0%",
        "+10.0 pp",
    ]
    assert _row(html, "Supply links in mass production") == ["Supply links in mass production", "3", "4", "+1"]
    assert _row(html, "Organisations in the registry") == ["Organisations in the registry", "5", "5", "±0"]


def test_an_empty_registry_gives_a_report_that_says_so(db: Any) -> None:
    figures = figures_build_all(snapshot_take(year=2026), sha256="0" * 64)
    html = report_html(figures=figures["en"], language="en", edition=None)
    text = _text(html)
    for heading in SECTIONS:
        assert heading in text
    assert "No supply link in mass production is recorded yet, so the chain's figures below are empty." in text
    assert "No scenario: no supply link in mass production is recorded yet." in text
    assert "No chokepoint: no supply link in mass production is recorded yet." in text


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is installed by make test")
def test_the_chinese_pdf_has_the_title_and_the_names_in_chinese(small_figures: dict[str, Any]) -> None:
    html = report_html(figures=small_figures["zh-hans"], language="zh-hans", edition=None)
    assert '<html lang="zh-hans">' in html and '"WenQuanYi Zen Hei", "DejaVu Sans"' in html
    pdf = report_pdf(html=html)
    assert pdf.startswith(b"%PDF")
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    with translation.override("zh-hans"):
        title = translation.gettext("Automotive-chip industry report %(year)s") % {"year": 2026}
        first_page = translation.gettext("Page {page} of {pages}")
    pages = text.count("\f")
    assert title in text
    # Names come from the snapshot in Chinese; the running footer counts the pages.
    assert "弗雷姆德" in text and "控制芯片" in text
    assert first_page.format(page=2, pages=pages) in text
