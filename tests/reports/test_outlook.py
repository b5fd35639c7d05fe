"""The market outlook: the NEV sales forecast, the chip demand arithmetic and the assumptions' checks."""

import csv
import math
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chiptown.core.errors import ChipTownError
from chiptown.reports.outlook import (
    CATEGORY_MIX_FILE,
    CHIPS_PER_VEHICLE_FILE,
    Forecast,
    ForecastYear,
    MarketSize,
    NevSalesYear,
    OutlookAssumptions,
    chip_demand,
    forecast_nev_sales,
    market_size,
    nev_sales_history,
)

CATEGORIES = [
    "control",
    "computing",
    "sensing",
    "communication",
    "memory",
    "security",
    "power",
    "driver",
    "power_management",
    "other",
]


def _series(units: list[float], first_year: int = 2015) -> list[tuple[int, float | None, str]]:
    return [(first_year + i, u, "test") for i, u in enumerate(units)]


def _market(history: list[tuple[int, float | None, str]], market: float, growth: float = 0.0) -> OutlookAssumptions:
    """Synthetic histories have no sourced market: give their last year's market (flat before it)."""
    return OutlookAssumptions(past_market_units={history[-1][0]: market}, market_growth=growth)


def _problems(error: pytest.ExceptionInfo[ChipTownError]) -> list[tuple[int | None, str | None]]:
    return [(p.row, p.column) for p in error.value.problems]


# -- data files -----------------------------------------------------------------------------------------------


def test_history_is_the_caam_file_with_its_sources():
    history = nev_sales_history()
    assert [h.year for h in history] == list(range(2015, 2026))
    assert history[0] == NevSalesYear(2015, 331092.0, "CAAM annual release")
    assert history[-1].units == 16490000.0
    assert all(h.source.startswith("CAAM") for h in history)


def test_chips_per_vehicle_file_quotes_the_domain_ranges_with_their_source():
    with CHIPS_PER_VEHICLE_FILE.open(encoding="utf-8") as f:
        rows = {r["vehicle_type"]: r for r in csv.DictReader(f)}
    assert (rows["combustion"]["low"], rows["combustion"]["high"]) == ("500", "1000")
    assert (rows["electric"]["low"], rows["electric"]["high"]) == ("1000", "1600")
    assert rows["highly_automated"]["high"] == "3000"
    assert all("CAAM" in r["source"] for r in rows.values())


def test_category_mix_is_marked_as_an_assumption_and_covers_the_ten_categories():
    with CATEGORY_MIX_FILE.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [r["category"] for r in rows] == CATEGORIES
    assert all(r["source"].startswith("assumption, editable") for r in rows)
    assert math.fsum(float(r["share"]) for r in rows) == pytest.approx(1, abs=1e-9)


# -- the forecast ---------------------------------------------------------------------------------------------


def _logit(p: float) -> float:
    return math.log(p / (1 - p))


def _expit(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def test_the_2025_market_is_derived_from_the_two_sourced_caam_numbers():
    market = market_size(nev_sales_history())
    # 16,490,000 NEVs were 47.9% of new-vehicle sales: 16,490,000 / 0.479 = 34,425,887.27 vehicles.
    assert (market.year, market.nev_units, market.nev_share) == (2025, 16490000.0, 0.479)
    assert market.market_units == pytest.approx(34_425_887.27, abs=0.01)
    assert "47.9% of new-vehicle sales" in market.source
    assert "16,490,000 NEVs / 47.9% NEV share = 34,425,887 vehicles" in market.derivation


def test_a_market_cannot_be_derived_without_a_sourced_share():
    with pytest.raises(ChipTownError) as error:
        market_size(_series([1.0] * 6))
    assert error.value.code == "outlook_market"
    assert _problems(error) == [(6, "source")]
    with pytest.raises(ChipTownError) as error:
        forecast_nev_sales(_series([1.0 + i for i in range(6)]))
    assert error.value.code == "outlook_market"


def test_forecast_on_the_real_history_stays_in_the_market_with_widening_intervals():
    forecast = forecast_nev_sales(nev_sales_history())
    market = 16490000 / 0.479
    assert forecast.market == MarketSize(2025, 16490000.0, 0.479, market, forecast.market.source)  # type: ignore[union-attr]
    assert forecast.past_market_units == (market,) * 11
    assert [y.year for y in forecast.years] == [2026, 2027, 2028, 2029, 2030]
    assert forecast.level == 0.95
    for year in forecast.years:
        assert year.market_units == pytest.approx(market)
        assert 0 < year.lower_share < year.share < year.upper_share < 1
        assert 0 < year.lower_units < year.units < year.upper_units < year.market_units
        assert year.lower_units < year.mean_units < year.upper_units
        assert year.units == pytest.approx(year.share * market)
        # Quantiles back-transform exactly: the interval is symmetric around the point in logits.
        assert _logit(year.upper_share) - _logit(year.share) == pytest.approx(
            _logit(year.share) - _logit(year.lower_share)
        )
    log_sds = [y.logit_sd for y in forecast.years]
    assert log_sds == sorted(log_sds) and len(set(log_sds)) == len(log_sds)
    # The figures quoted in the report (maximum likelihood on these 11 points; 2030 below the 34.4M market).
    figures = {y.year: (y.units, y.lower_units, y.upper_units) for y in forecast.years}
    assert figures[2026] == pytest.approx((20.37e6, 15.21e6, 25.00e6), rel=2e-3)
    assert figures[2028] == pytest.approx((26.94e6, 18.44e6, 31.61e6), rel=2e-3)
    assert figures[2030] == pytest.approx((30.96e6, 22.33e6, 33.65e6), rel=2e-3)


def test_forecast_is_deterministic():
    assert forecast_nev_sales(nev_sales_history()) == forecast_nev_sales(nev_sales_history())


def test_a_narrower_level_gives_a_narrower_interval():
    wide = forecast_nev_sales(nev_sales_history(), horizon=3, level=0.95)
    narrow = forecast_nev_sales(nev_sales_history(), horizon=3, level=0.8)
    for w, n in zip(wide.years, narrow.years, strict=True):
        assert n.units == pytest.approx(w.units)
        assert w.lower_units < n.lower_units < n.units < n.upper_units < w.upper_units


def test_a_share_growing_exactly_along_a_logistic_curve_is_continued():
    # Market 1000 every year; share = expit(-3 + 0.4 t) for t = 0..7, so its logit is exactly linear and the
    # continuation is 1000 x expit(-3 + 0.4 t) for t = 8..12 (t = 12: expit(1.8) = 0.858, i.e. 858 vehicles).
    history = _series([1000 * _expit(-3 + 0.4 * t) for t in range(8)])
    forecast = forecast_nev_sales(history, horizon=5, assumptions=_market(history, 1000))
    assert [y.year for y in forecast.years] == [2023, 2024, 2025, 2026, 2027]
    assert forecast.market is None  # given, not derived
    for h, year in enumerate(forecast.years):
        assert year.share == pytest.approx(_expit(-3 + 0.4 * (8 + h)), rel=1e-4)
        assert year.units == pytest.approx(1000 * _expit(-3 + 0.4 * (8 + h)), rel=1e-4)
        assert year.lower_units <= year.units <= year.upper_units <= 1000


def test_market_growth_scales_the_vehicles_not_the_shares():
    history = nev_sales_history()
    flat = forecast_nev_sales(history, horizon=3)
    growing = forecast_nev_sales(history, horizon=3, assumptions=OutlookAssumptions(market_growth=0.02))
    market = 16490000 / 0.479
    for h, (f, g) in enumerate(zip(flat.years, growing.years, strict=True)):
        # Year h + 1 after 2025: market = 34,425,887 x 1.02^(h + 1); the share forecast does not change.
        assert g.market_units == pytest.approx(market * 1.02 ** (h + 1))
        assert g.share == pytest.approx(f.share)
        assert g.units == pytest.approx(f.units * 1.02 ** (h + 1))


def test_a_history_that_does_not_fit_in_the_assumed_market_is_refused_with_its_rows():
    history = _series([100.0, 200.0, 300.0, 400.0, 500.0, 600.0])
    # Last year's market 1000, 2016 assumed at 150 (< 200) and 2018 at 400 (= 400): both refused.
    assumptions = OutlookAssumptions(past_market_units={2016: 150, 2018: 400, 2020: 1000})
    with pytest.raises(ChipTownError) as error:
        forecast_nev_sales(history, assumptions=assumptions)
    assert error.value.code == "outlook_market"
    assert _problems(error) == [(2, "units"), (4, "units")]


def test_too_little_history_is_refused_with_the_years_needed():
    with pytest.raises(ChipTownError) as error:
        forecast_nev_sales(_series([1.0, 2.0, 3.0, 4.0, 5.0]))
    assert error.value.code == "outlook_history_too_short"
    assert error.value.message == "A forecast needs at least 6 years of sales history; 5 given."


def test_missing_and_non_positive_sales_are_refused_with_their_rows():
    history = _series([100.0, 0.0, None, 130.0, -5.0, 150.0, float("nan")])
    with pytest.raises(ChipTownError) as error:
        forecast_nev_sales(history)
    assert error.value.code == "outlook_history"
    assert _problems(error) == [(2, "units"), (3, "units"), (5, "units"), (7, "units")]
    assert error.value.problems[1].reason == "The sales figure is missing."


def test_duplicate_and_non_consecutive_years_are_refused_with_their_rows():
    history = [
        (2015, 1.0, "a"),
        (2016, 2.0, "a"),
        (2016, 3.0, "a"),
        (2017, 4.0, "a"),
        (2019, 5.0, "a"),
        (2020, 6.0, "a"),
    ]
    with pytest.raises(ChipTownError) as error:
        forecast_nev_sales(history)
    assert _problems(error) == [(3, "year"), (5, "year")]
    assert error.value.problems[0].reason == "The year 2016 appears twice."
    assert error.value.problems[1].reason == "The years must follow one another: 2019 comes after 2017."


@pytest.mark.parametrize(("kwargs", "column"), [({"horizon": 0}, "horizon"), ({"level": 1.0}, "level")])
def test_a_bad_horizon_or_level_is_refused(kwargs, column):
    with pytest.raises(ChipTownError) as error:
        forecast_nev_sales(nev_sales_history(), **kwargs)
    assert _problems(error) == [(None, column)]


@settings(max_examples=15, deadline=None)
@given(
    start=st.floats(min_value=-5, max_value=2),
    steps=st.lists(st.floats(min_value=-0.5, max_value=1.0), min_size=5, max_size=12),
    growth=st.floats(min_value=-0.1, max_value=0.1),
)
def test_every_forecast_stays_within_the_market_and_its_intervals_widen(start, steps, growth):
    logits = [start]
    for step in steps:
        logits.append(logits[-1] + step)
    history = _series([1e6 * _expit(x) for x in logits])
    forecast = forecast_nev_sales(history, horizon=4, assumptions=_market(history, 1e6, growth))
    for h, year in enumerate(forecast.years):
        assert year.market_units == pytest.approx(1e6 * (1 + growth) ** (h + 1))
        assert 0 <= year.lower_share <= year.share <= year.upper_share <= 1
        assert 0 <= year.lower_units <= year.units <= year.upper_units <= year.market_units
    sds = [y.logit_sd for y in forecast.years]
    assert all(a <= b * (1 + 1e-9) for a, b in pairwise(sds))


# -- chip demand ----------------------------------------------------------------------------------------------


def _tiny_forecast() -> Forecast:
    return Forecast(
        history=(),
        years=(
            ForecastYear(year=2026, units=100.0, mean_units=101.0, lower_units=80.0, upper_units=125.0, logit_sd=0.1),
            ForecastYear(year=2027, units=200.0, mean_units=203.0, lower_units=150.0, upper_units=260.0, logit_sd=0.2),
        ),
        level=0.95,
    )


def test_chip_demand_arithmetic_by_hand():
    assumptions = OutlookAssumptions(
        chips_per_vehicle_low=1000,
        chips_per_vehicle_high=1600,
        highly_automated_chips=3000,
        highly_automated_share=0.25,
        category_mix={"control": 0.75, "power": 0.25},
    )
    # Chips per vehicle, a quarter of vehicles highly automated (3000 chips), the rest electric:
    #   low     = 0.75 x 1000 + 0.25 x 3000 = 750 + 750 = 1500
    #   central = 0.75 x 1300 + 0.25 x 3000 = 975 + 750 = 1725   (1300 = midpoint of 1000 and 1600)
    #   high    = 0.75 x 1600 + 0.25 x 3000 = 1200 + 750 = 1950
    assert assumptions.chips_per_vehicle == (1500, 1725, 1950)
    rows = {(r.year, r.category): r for r in chip_demand(_tiny_forecast(), assumptions=assumptions)}
    assert list(rows) == [(2026, "control"), (2026, "power"), (2027, "control"), (2027, "power")]
    # 2026 control: low 80 x 1500 x 0.75 = 90000; central 100 x 1725 x 0.75 = 129375; high 125 x 1950 x 0.75 = 182812.5
    r = rows[2026, "control"]
    assert (r.share, r.chips_low, r.chips_central, r.chips_high) == (0.75, 90000, 129375, 182812.5)
    # 2026 power: low 80 x 1500 x 0.25 = 30000; central 100 x 1725 x 0.25 = 43125; high 125 x 1950 x 0.25 = 60937.5
    r = rows[2026, "power"]
    assert (r.chips_low, r.chips_central, r.chips_high) == (30000, 43125, 60937.5)
    # 2027 control: low 150 x 1500 x 0.75 = 168750; central 200 x 1725 x 0.75 = 258750; high 260 x 1950 x 0.75 = 380250
    r = rows[2027, "control"]
    assert (r.chips_low, r.chips_central, r.chips_high) == (168750, 258750, 380250)
    # 2027 power: low 150 x 1500 x 0.25 = 56250; central 200 x 1725 x 0.25 = 86250; high 260 x 1950 x 0.25 = 126750
    r = rows[2027, "power"]
    assert (r.chips_low, r.chips_central, r.chips_high) == (56250, 86250, 126750)


def test_chip_demand_with_the_default_assumptions_covers_every_category_and_year():
    rows = chip_demand(_tiny_forecast(), assumptions=OutlookAssumptions())
    assert len(rows) == 2 * 10
    # Defaults: electric car 1000..1600 chips, central 1300, no highly automated vehicles, control share 0.18:
    # 2026 control central = 100 x 1300 x 0.18 = 23400.
    control_2026 = next(r for r in rows if (r.year, r.category) == (2026, "control"))
    assert control_2026.chips_central == pytest.approx(23400)
    # The shares add up to 1, so the categories add up to the whole: 2026 central = 100 x 1300 = 130000.
    assert math.fsum(r.chips_central for r in rows if r.year == 2026) == pytest.approx(130000)


@given(
    low=st.floats(min_value=0, max_value=5000),
    extra=st.floats(min_value=0, max_value=5000),
    automated=st.floats(min_value=0, max_value=5000),
    share=st.floats(min_value=0, max_value=1),
    weights=st.lists(st.floats(min_value=0.01, max_value=1), min_size=10, max_size=10),
)
def test_chip_demand_bands_are_ordered_and_add_up(low, extra, automated, share, weights):
    mix = {code: w / math.fsum(weights) for code, w in zip(CATEGORIES, weights, strict=True)}
    assumptions = OutlookAssumptions(
        chips_per_vehicle_low=low,
        chips_per_vehicle_high=low + extra,
        highly_automated_chips=automated,
        highly_automated_share=share,
        category_mix=mix,
    )
    forecast = _tiny_forecast()
    rows = chip_demand(forecast, assumptions=assumptions)
    _, central, _ = assumptions.chips_per_vehicle
    for row in rows:
        assert row.chips_low <= row.chips_central * (1 + 1e-12) and row.chips_central <= row.chips_high * (1 + 1e-12)
    for year in forecast.years:
        total = math.fsum(r.chips_central for r in rows if r.year == year.year)
        assert total == pytest.approx(year.units * central, rel=1e-9, abs=1e-9)


# -- the assumptions ------------------------------------------------------------------------------------------


def test_default_assumptions_come_from_the_data_files_with_their_sources():
    assumptions = OutlookAssumptions()
    assert assumptions.chips_per_vehicle == (1000, 1300, 1600)
    assert sorted(assumptions.category_mix) == sorted(CATEGORIES)
    lines = {line.name: line for line in assumptions.describe()}
    assert lines["chips_per_vehicle_low"].value == "1000"
    assert "CAAM" in lines["chips_per_vehicle_low"].source
    assert lines["category_mix.power"].value == "0.1"
    assert lines["category_mix.power"].source.startswith("assumption, editable")
    assert lines["chips_per_vehicle_central"].value == "1300"
    assert lines["market_units"].value == "34425887"
    assert "16,490,000 NEVs / 47.9% NEV share" in lines["market_units"].source
    assert lines["past_market_units"].value == "flat at 34425887"
    assert lines["past_market_units"].source.startswith("assumption, editable")
    assert lines["market_growth"].value == "0"
    assert lines["market_growth"].source.startswith("assumption, editable")
    assert len(lines) == 5 + 10 + 3


def test_describe_says_when_a_value_was_edited():
    lines = {line.name: line for line in OutlookAssumptions(chips_per_vehicle_high=2000).describe()}
    assert lines["chips_per_vehicle_high"].value == "2000"
    assert lines["chips_per_vehicle_high"].source.startswith("edited (the default 1600 comes from:")
    assert not lines["chips_per_vehicle_low"].source.startswith("edited")


def test_describe_lists_the_market_assumptions_and_says_when_they_were_edited():
    edited = OutlookAssumptions(past_market_units={2025: 30_000_000, 2015: 20_000_000}, market_growth=0.02)
    lines = {line.name: line for line in edited.describe()}
    assert lines["market_units"].value == "30000000"
    assert lines["market_units"].source.startswith("edited (the default 34425887 comes from: 2025 new-vehicle market")
    assert lines["past_market_units"].value == "2015: 20000000, 2025: 30000000"
    assert lines["market_growth"].value == "0.02"
    assert lines["market_growth"].source.startswith("edited (the default 0 comes from: assumption, editable")


def test_assumptions_are_frozen_and_hashable():
    assumptions = OutlookAssumptions()
    assert hash(assumptions) == hash(OutlookAssumptions()) and assumptions == OutlookAssumptions()
    with pytest.raises(AttributeError):
        assumptions.highly_automated_share = 0.5  # type: ignore[misc]
    with pytest.raises(TypeError):
        assumptions.category_mix["power"] = 0.5  # type: ignore[index]


@pytest.mark.parametrize(
    ("kwargs", "columns"),
    [
        ({"chips_per_vehicle_low": -1}, ["chips_per_vehicle_low"]),
        ({"highly_automated_chips": float("nan")}, ["highly_automated_chips"]),
        ({"chips_per_vehicle_low": 2000, "chips_per_vehicle_high": 1500}, ["chips_per_vehicle_low"]),
        ({"highly_automated_share": 1.5}, ["highly_automated_share"]),
        ({"category_mix": {"control": 0.5, "power": 0.4}}, ["category_mix"]),
        ({"category_mix": {"control": 1.2, "power": -0.2}}, ["category_mix.power"]),
        ({"category_mix": {"control": 0.5, "wheels": 0.5}}, ["category_mix.wheels"]),
        ({"market_growth": 0.9}, ["market_growth"]),
        ({"market_growth": float("nan")}, ["market_growth"]),
        ({"past_market_units": {2020: -5}}, ["past_market_units.2020"]),
        ({"past_market_units": {"2020": 5}}, ["past_market_units"]),
    ],
)
def test_bad_assumptions_are_refused_naming_the_field(kwargs, columns):
    with pytest.raises(ChipTownError) as error:
        OutlookAssumptions(**kwargs)
    assert error.value.code == "outlook_assumptions"
    assert [p.column for p in error.value.problems] == columns


def test_a_mix_that_does_not_add_up_says_what_it_adds_up_to():
    with pytest.raises(ChipTownError) as error:
        OutlookAssumptions(category_mix={"control": 0.5, "power": 0.4})
    assert error.value.problems[0].reason == "The category shares must add up to 1, but they add up to 0.9."


def test_a_history_file_with_bad_cells_is_refused_with_its_lines(tmp_path):
    path = tmp_path / "sales.csv"
    path.write_text("year,nev_sales_units,source\n2015,100,a\ntwenty,200,a\n2017,lots,a\n2018,,a\n", encoding="utf-8")
    with pytest.raises(ChipTownError) as error:
        nev_sales_history(path=path)
    # Line 1 is the header, so the second and third data rows are lines 3 and 4.
    assert _problems(error) == [(3, "year"), (4, "nev_sales_units")]
    assert error.value.problems[1].reason == "'lots' is not a number of vehicles."


def test_a_blank_figure_reads_as_missing_and_the_forecast_names_its_row(tmp_path):
    path = tmp_path / "sales.csv"
    path.write_text(
        "year,nev_sales_units,source\n" + "".join(f"{2015 + i},{'' if i == 3 else 100 + i},a\n" for i in range(7)),
        encoding="utf-8",
    )
    history = nev_sales_history(path=path)
    assert history[3] == NevSalesYear(2018, None, "a")
    with pytest.raises(ChipTownError) as error:
        forecast_nev_sales(history)
    assert _problems(error) == [(4, "units")]


def test_a_year_that_is_not_a_whole_number_is_refused():
    history = [(2015 + i, 100.0 + i, "a") for i in range(7)]
    history[2] = ("2017", 102.0, "a")  # type: ignore[call-overload]
    with pytest.raises(ChipTownError) as error:
        forecast_nev_sales(history)
    assert _problems(error) == [(3, "year")]


def test_the_forecast_caveat_names_the_market_derivation_and_the_assumptions():
    forecast = forecast_nev_sales(nev_sales_history())
    assert "never exceed the whole market" in forecast.caveat
    assert "16,490,000 NEVs / 47.9% NEV share = 34,425,887 vehicles" in forecast.caveat
    assert "(+0.0% a year)" in forecast.caveat
