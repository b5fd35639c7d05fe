"""Market outlook: China's NEV sales forecast a few years ahead and turned into chip demand per category."""

from __future__ import annotations

import csv
import math
import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import NamedTuple

import numpy as np
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from scipy.stats import norm

from chiptown.core.errors import ChipTownError, Problem

DATA_DIR = Path(__file__).resolve().parent / "data"
NEV_SALES_FILE = DATA_DIR / "nev_sales_china.csv"
CHIPS_PER_VEHICLE_FILE = DATA_DIR / "chips_per_vehicle.csv"
CATEGORY_MIX_FILE = DATA_DIR / "category_mix.csv"

# A local linear trend has three variances to estimate; fewer than six yearly points cannot pin them down.
MIN_HISTORY_YEARS = 6
MIX_TOLERANCE = 1e-6
METHOD = gettext_noop(
    "local linear trend (statsmodels UnobservedComponents) on the logit of the NEV share of an assumed "
    "new-vehicle market, maximum likelihood"
)
# The one new-vehicle market figure with a source: the last history row's source says what share of all
# new-vehicle sales the NEVs were ("... 47.9% of new-vehicle sales"); the market is derived from it.
MARKET_SHARE_PATTERN = re.compile(r"(?P<percent>\d+(?:\.\d+)?)\s*%\s*of new-vehicle sales")
# Gauss-Hermite nodes for the mean of a back-transformed normal (the logistic has no closed-form mean).
_HERMITE_NODES, _HERMITE_WEIGHTS = np.polynomial.hermite_e.hermegauss(40)


class NevSalesYear(NamedTuple):
    year: int
    units: float | None
    source: str


@dataclass(frozen=True)
class MarketSize:
    """The new-vehicle market of one year derived from two sourced numbers: NEV units / NEV share."""

    year: int
    nev_units: float
    nev_share: float  # fraction, 0..1
    market_units: float
    source: str

    @property
    def derivation(self) -> str:
        return _(
            "%(year)s new-vehicle market = %(units)s NEVs / %(share)s NEV share = %(market)s vehicles (%(source)s)"
        ) % {
            "year": self.year,
            "units": f"{self.nev_units:,.0f}",
            "share": f"{self.nev_share:.1%}",
            "market": f"{self.market_units:,.0f}",
            "source": self.source,
        }


@dataclass(frozen=True)
class ForecastYear:
    """One forecast year: the median (point) forecast, the mean and the prediction interval, in vehicles and
    as shares of that year's assumed new-vehicle market (units = share x market, so never above the market)."""

    year: int
    units: float  # the point forecast: the median, market x expit of the mean logit forecast
    mean_units: float  # the expected value, market x E[expit(logit)] (Gauss-Hermite quadrature)
    lower_units: float
    upper_units: float
    logit_sd: float  # the standard deviation of the logit forecast
    market_units: float = math.inf
    share: float = math.nan
    lower_share: float = math.nan
    upper_share: float = math.nan


@dataclass(frozen=True)
class Forecast:
    history: tuple[NevSalesYear, ...]
    years: tuple[ForecastYear, ...]
    level: float
    market: MarketSize | None = None
    past_market_units: tuple[float, ...] = ()  # the assumed market of each history year
    market_growth: float = 0.0

    @property
    def method(self) -> str:
        """How the forecast is made, in the reader's language."""
        return _(METHOD)

    @property
    def caveat(self) -> str:
        """What a reader must know before quoting the forecast; shown next to it."""
        derivation = self.market.derivation if self.market else _("no sourced market size")
        return _(
            "This forecast models the NEV share of China's new-vehicle market, so it can approach but never exceed "
            "the whole market. Only one market size has a source: %(derivation)s. The market in earlier years is "
            "an assumption (by default flat at that level, since yearly totals are not in our data), and so is its "
            "future growth (%(growth)s a year); the shares, and the vehicles, move with those assumptions."
        ) % {"derivation": derivation, "growth": f"{self.market_growth:+.1%}"}


@dataclass(frozen=True)
class DemandRow:
    """Chips demanded in one category in one year; low and high combine the interval with the chip range."""

    year: int
    category: str
    share: float
    chips_low: float
    chips_central: float
    chips_high: float


@dataclass(frozen=True)
class AssumptionLine:
    name: str
    value: str
    source: str


class _VehicleChips(NamedTuple):
    low: float
    high: float
    source: str


@cache
def _chips_per_vehicle_file() -> dict[str, _VehicleChips]:
    with CHIPS_PER_VEHICLE_FILE.open(encoding="utf-8", newline="") as f:
        return {
            r["vehicle_type"]: _VehicleChips(float(r["low"]), float(r["high"]), r["source"]) for r in csv.DictReader(f)
        }


@cache
def _category_mix_file() -> tuple[dict[str, float], str]:
    with CATEGORY_MIX_FILE.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    return {r["category"]: float(r["share"]) for r in rows}, rows[0]["source"]


def _default_mix() -> Mapping[str, float]:
    return MappingProxyType(dict(_category_mix_file()[0]))


@dataclass(frozen=True)
class OutlookAssumptions:
    """Every assumption the chip demand rests on; the defaults come from the data files next to this module.

    A vehicle's chip count is a mix of an electric car (low..high, central the midpoint) and, for the share of
    highly automated vehicles, the highly automated figure (a single published number, so it has no range).
    """

    chips_per_vehicle_low: float = field(default_factory=lambda: _chips_per_vehicle_file()["electric"].low)
    chips_per_vehicle_high: float = field(default_factory=lambda: _chips_per_vehicle_file()["electric"].high)
    highly_automated_chips: float = field(default_factory=lambda: _chips_per_vehicle_file()["highly_automated"].high)
    highly_automated_share: float = 0.0
    category_mix: Mapping[str, float] = field(default_factory=_default_mix)
    # The new-vehicle market: year -> vehicles for history years where you know better than the default (flat
    # at the sourced last-year level), and its growth per year after the history (a fraction: 0.02 = +2%).
    past_market_units: Mapping[int, float] = field(default_factory=dict)
    market_growth: float = 0.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "category_mix", MappingProxyType(dict(self.category_mix)))
        object.__setattr__(self, "past_market_units", MappingProxyType(dict(self.past_market_units)))
        problems: list[Problem] = []
        for year, units in self.past_market_units.items():
            if not isinstance(year, int) or isinstance(year, bool):
                problems.append(
                    Problem(reason=_("%(value)r is not a year.") % {"value": year}, column="past_market_units")
                )
            elif not _finite(units) or units <= 0:
                problems.append(
                    Problem(
                        reason=_("The market in %(year)s must be a positive number of vehicles, not %(value)s.")
                        % {"year": year, "value": units},
                        column=f"past_market_units.{year}",
                    )
                )
        if not _finite(self.market_growth) or not -0.5 <= self.market_growth <= 0.5:
            problems.append(
                Problem(
                    reason=_("The market growth must be a fraction a year between -0.5 and 0.5, not %(value)s.")
                    % {"value": self.market_growth},
                    column="market_growth",
                )
            )
        for name in ("chips_per_vehicle_low", "chips_per_vehicle_high", "highly_automated_chips"):
            value = getattr(self, name)
            if not _finite(value) or value < 0:
                problems.append(
                    Problem(
                        reason=_("A chip count must be a number of zero or more, not %(value)s.") % {"value": value},
                        column=name,
                    )
                )
        if not problems and self.chips_per_vehicle_low > self.chips_per_vehicle_high:
            problems.append(
                Problem(
                    reason=_("The low chip count (%(low)s) is above the high one (%(high)s).")
                    % {"low": self.chips_per_vehicle_low, "high": self.chips_per_vehicle_high},
                    column="chips_per_vehicle_low",
                )
            )
        share = self.highly_automated_share
        if not _finite(share) or not 0 <= share <= 1:
            problems.append(
                Problem(
                    reason=_("A share must be between 0 and 1, not %(value)s.") % {"value": share},
                    column="highly_automated_share",
                )
            )
        problems.extend(_mix_problems(self.category_mix))
        if problems:
            raise ChipTownError(
                _("The market outlook assumptions are not valid."), code="outlook_assumptions", problems=problems
            )

    def __hash__(self) -> int:
        # The mix is a read-only mapping, which does not hash; hash its items so assumptions can key a cache.
        return hash(
            (
                self.chips_per_vehicle_low,
                self.chips_per_vehicle_high,
                self.highly_automated_chips,
                self.highly_automated_share,
                tuple(sorted(self.category_mix.items())),
                tuple(sorted(self.past_market_units.items())),
                self.market_growth,
            )
        )

    @property
    def chips_per_vehicle(self) -> tuple[float, float, float]:
        """Chips per vehicle (low, central, high), with the highly automated share mixed in."""
        s, automated = self.highly_automated_share, self.highly_automated_chips
        low, high = self.chips_per_vehicle_low, self.chips_per_vehicle_high
        central = (low + high) / 2
        return ((1 - s) * low + s * automated, (1 - s) * central + s * automated, (1 - s) * high + s * automated)

    def describe(self) -> list[AssumptionLine]:
        """Each assumption with its value and its source; a value changed from the file default says so."""
        chips = _chips_per_vehicle_file()
        mix_default, mix_source = _category_mix_file()
        ev, automated = chips["electric"], chips["highly_automated"]
        lines = [
            _line("chips_per_vehicle_low", self.chips_per_vehicle_low, ev.low, ev.source),
            _line("chips_per_vehicle_high", self.chips_per_vehicle_high, ev.high, ev.source),
            AssumptionLine(
                name="chips_per_vehicle_central",
                value=f"{(self.chips_per_vehicle_low + self.chips_per_vehicle_high) / 2:g}",
                source=_("the midpoint of the low and high chip counts (ChipTown convention)"),
            ),
            _line("highly_automated_chips", self.highly_automated_chips, automated.high, automated.source),
            _line(
                "highly_automated_share",
                self.highly_automated_share,
                0.0,
                _("assumption, editable: no highly automated vehicles unless set"),
            ),
        ]
        lines += [
            _line(f"category_mix.{code}", share, mix_default.get(code, math.nan), mix_source)
            for code, share in self.category_mix.items()
        ]
        market = market_size(nev_sales_history())
        base = self.past_market_units.get(market.year, market.market_units)
        lines.append(
            AssumptionLine(
                name="market_units",
                value=f"{base:.0f}",
                source=market.derivation
                if base == market.market_units
                else _("edited (the default %(default)s comes from: %(source)s)")
                % {"default": f"{market.market_units:.0f}", "source": market.derivation},
            )
        )
        past = ", ".join(f"{year}: {units:.0f}" for year, units in sorted(self.past_market_units.items()))
        lines.append(
            AssumptionLine(
                name="past_market_units",
                value=past or _("flat at %(units)s") % {"units": f"{market.market_units:.0f}"},
                source=_(
                    "assumption, editable: yearly new-vehicle market totals are not in our data, so every history "
                    "year not listed is taken at the sourced %(year)s level"
                )
                % {"year": market.year},
            )
        )
        lines.append(
            _line(
                "market_growth",
                self.market_growth,
                0.0,
                _("assumption, editable: the new-vehicle market's growth a year after the history (0 = flat)"),
            )
        )
        return lines


def _line(name: str, value: float, default: float, source: str) -> AssumptionLine:
    if value == default:
        return AssumptionLine(name=name, value=f"{value:g}", source=source)
    return AssumptionLine(
        name=name,
        value=f"{value:g}",
        source=_("edited (the default %(default)s comes from: %(source)s)")
        % {"default": f"{default:g}", "source": source},
    )


def _finite(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _mix_problems(mix: Mapping[str, float]) -> list[Problem]:
    known = _category_mix_file()[0]
    problems = []
    for code, share in mix.items():
        column = f"category_mix.{code}"
        if code not in known:
            problems.append(Problem(reason=_("%(code)s is not a chip category.") % {"code": code}, column=column))
        elif not _finite(share) or share < 0:
            problems.append(
                Problem(
                    reason=_("A share must be a number of zero or more, not %(value)s.") % {"value": share},
                    column=column,
                )
            )
    if not problems:
        total = math.fsum(mix.values())
        if abs(total - 1) > MIX_TOLERANCE:
            problems.append(
                Problem(
                    reason=_("The category shares must add up to 1, but they add up to %(total)s.")
                    % {"total": f"{total:.6g}"},
                    column="category_mix",
                )
            )
    return problems


def market_size(history: Sequence[tuple[int, float | None, str]]) -> MarketSize:
    """The new-vehicle market of the history's last year, derived from its sourced NEV units and NEV share.

    The share is read from that row's source ("... 47.9% of new-vehicle sales"), so the figure and its source
    stay together: CAAM's 2025 figures give 16,490,000 / 0.479 = 34,425,887 vehicles.
    """
    if not history:
        raise ChipTownError(_("The sales history is empty."), code="outlook_history_too_short")
    year, units, source = history[-1]
    match = MARKET_SHARE_PATTERN.search(source or "")
    if match is None or units is None or not _finite(units) or units <= 0:
        raise ChipTownError(
            _(
                "The market size cannot be derived: the source of %(year)s must give the NEV share of new-vehicle "
                "sales (as in “47.9%% of new-vehicle sales”), or give that year's market in past_market_units."
            )
            % {"year": year},
            code="outlook_market",
            problems=[Problem(reason=_("No NEV share in the source."), row=len(history), column="source")],
        )
    share = float(match["percent"]) / 100
    if not 0 < share < 1:
        raise ChipTownError(
            _("The NEV share in the source of %(year)s must lie between 0 and 100%%.") % {"year": year},
            code="outlook_market",
            problems=[Problem(reason=_("Share out of range."), row=len(history), column="source")],
        )
    return MarketSize(
        year=int(year), nev_units=float(units), nev_share=share, market_units=units / share, source=source
    )


def nev_sales_history(*, path: Path = NEV_SALES_FILE) -> list[NevSalesYear]:
    """China's NEV sales per year from the data file (columns year, nev_sales_units, source), with sources.

    A blank sales figure reads as missing (the forecast refuses it with its row); a year or figure that is
    not a number is refused here, with the file's line number as the row.
    """
    history: list[NevSalesYear] = []
    problems: list[Problem] = []
    with path.open(encoding="utf-8", newline="") as f:
        for line, r in enumerate(csv.DictReader(f), start=2):
            year_text, units_text = (r.get("year") or "").strip(), (r.get("nev_sales_units") or "").strip()
            try:
                year = int(year_text)
            except ValueError:
                problems.append(
                    Problem(reason=_("%(value)r is not a year.") % {"value": year_text}, row=line, column="year")
                )
                continue
            try:
                units = float(units_text) if units_text else None
            except ValueError:
                problems.append(
                    Problem(
                        reason=_("%(value)r is not a number of vehicles.") % {"value": units_text},
                        row=line,
                        column="nev_sales_units",
                    )
                )
                continue
            history.append(NevSalesYear(year, units, (r.get("source") or "").strip()))
    if problems:
        raise ChipTownError(_("The sales history file cannot be read."), code="outlook_history", problems=problems)
    return history


def _check_history(history: Sequence[tuple[int, float | None, str]]) -> None:
    """Refuse what the model cannot use: rows are numbered from 1 in the order given."""
    problems: list[Problem] = []
    seen: set[int] = set()
    for row, (year, units, _source) in enumerate(history, start=1):
        if units is None or (isinstance(units, float) and math.isnan(units)):
            problems.append(Problem(reason=_("The sales figure is missing."), row=row, column="units"))
        elif not _finite(units) or units <= 0:
            problems.append(
                Problem(
                    reason=_("Sales must be a positive number, not %(value)s.") % {"value": units},
                    row=row,
                    column="units",
                )
            )
        previous = history[row - 2][0] if row > 1 else None
        if not isinstance(year, int) or isinstance(year, bool):
            problems.append(Problem(reason=_("%(value)r is not a year.") % {"value": year}, row=row, column="year"))
        elif year in seen:
            problems.append(
                Problem(reason=_("The year %(year)s appears twice.") % {"year": year}, row=row, column="year")
            )
        elif isinstance(previous, int) and year != previous + 1:
            problems.append(
                Problem(
                    reason=_("The years must follow one another: %(year)s comes after %(previous)s.")
                    % {"year": year, "previous": previous},
                    row=row,
                    column="year",
                )
            )
        seen.add(year)
    if problems:
        raise ChipTownError(_("The sales history cannot be forecast."), code="outlook_history", problems=problems)
    if len(history) < MIN_HISTORY_YEARS:
        raise ChipTownError(
            _("A forecast needs at least %(needed)d years of sales history; %(given)d given.")
            % {"needed": MIN_HISTORY_YEARS, "given": len(history)},
            code="outlook_history_too_short",
        )


def forecast_nev_sales(
    history: Sequence[tuple[int, float | None, str]],
    *,
    horizon: int = 5,
    level: float = 0.95,
    assumptions: OutlookAssumptions | None = None,
) -> Forecast:
    """Forecast yearly NEV sales ``horizon`` years past the history, with ``level`` prediction intervals.

    What is forecast is the NEV share of China's new-vehicle market, not units, so the forecast has a ceiling:
    the whole market. The market of the history's last year is derived from two sourced numbers (`market_size`:
    CAAM 2025, 16.49 million NEVs = 47.9% of new-vehicle sales, so 34.4 million vehicles); the market of earlier
    years is an editable assumption (`OutlookAssumptions.past_market_units`, default flat at that level, since
    yearly totals are not in our data), and so is its growth after the history (`market_growth`, default 0).

    The model is a local linear trend (a random-walk level plus a random-walk slope, with observation noise) on
    logit(share) = log(share / (1 - share)), fitted by maximum likelihood with statsmodels' UnobservedComponents;
    the variance in the slope makes intervals widen with the horizon. Back-transformation: the logit forecast
    is normal N(mu, sd^2) and expit is increasing, so the interval ends are expit(mu -+ z sd) exactly, the point
    forecast is the median expit(mu) (always inside the interval and inside 0..1), and the mean is E[expit]
    by Gauss-Hermite quadrature. Units are share x that year's market, so they never exceed it.
    """
    assumptions = assumptions if assumptions is not None else OutlookAssumptions()
    if not isinstance(horizon, int) or isinstance(horizon, bool) or horizon < 1:
        raise ChipTownError(
            _("The forecast horizon must be a whole number of years, at least 1, not %(value)s.") % {"value": horizon},
            code="outlook_horizon",
            problems=[Problem(reason=_("at least 1 year"), column="horizon")],
        )
    if not _finite(level) or not 0 < level < 1:
        raise ChipTownError(
            _("The interval level must be between 0 and 1, not %(value)s.") % {"value": level},
            code="outlook_level",
            problems=[Problem(reason=_("between 0 and 1"), column="level")],
        )
    _check_history(history)
    last_year = int(history[-1][0])
    market: MarketSize | None = None
    if last_year in assumptions.past_market_units:
        base = float(assumptions.past_market_units[last_year])
    else:
        market = market_size(history)
        base = market.market_units
    past_market = np.array(
        [float(assumptions.past_market_units.get(int(year), base)) for year, _units, _source in history]
    )
    units = np.array([u for _year, u, _source in history], dtype=np.float64)
    problems = [
        Problem(
            reason=_("%(units)s NEVs do not fit in an assumed market of %(market)s vehicles in %(year)s.")
            % {"units": f"{u:,.0f}", "market": f"{m:,.0f}", "year": year},
            row=row,
            column="units",
        )
        for row, ((year, _u, _source), u, m) in enumerate(zip(history, units, past_market, strict=True), start=1)
        if u >= m
    ]
    if problems:
        raise ChipTownError(
            _("The sales history does not fit in the assumed new-vehicle market."),
            code="outlook_market",
            problems=problems,
        )
    from statsmodels.tsa.statespace.structural import UnobservedComponents  # heavy import, only when forecasting

    share = units / past_market
    logit = np.log(share / (1 - share))
    model = UnobservedComponents(logit, level="local linear trend")
    with warnings.catch_warnings():
        # A series that is exactly linear in logits has zero variances, which the optimiser reports as not
        # converged; the fitted state is still right, and a non-finite result is refused below.
        warnings.simplefilter("ignore")
        fitted = model.fit(disp=False)
        prediction = fitted.get_forecast(horizon)
    mu = np.asarray(prediction.predicted_mean, dtype=np.float64)
    sd = np.sqrt(np.asarray(prediction.var_pred_mean, dtype=np.float64))
    if not (np.all(np.isfinite(mu)) and np.all(np.isfinite(sd))):
        raise ChipTownError(_("The forecast model could not be fitted to this history."), code="outlook_fit")
    z = float(norm.ppf(0.5 + level / 2))
    growth = assumptions.market_growth
    years = []
    for h in range(horizon):
        market_h = base * (1 + growth) ** (h + 1)
        point, lower, upper = (float(_expit(x)) for x in (mu[h], mu[h] - z * sd[h], mu[h] + z * sd[h]))
        mean_share = float(np.dot(_HERMITE_WEIGHTS, _expit(mu[h] + sd[h] * _HERMITE_NODES)) / math.sqrt(2 * math.pi))
        years.append(
            ForecastYear(
                year=last_year + h + 1,
                units=float(point * market_h),
                mean_units=mean_share * market_h,
                lower_units=float(lower * market_h),
                upper_units=float(upper * market_h),
                logit_sd=float(sd[h]),
                market_units=float(market_h),
                share=point,
                lower_share=lower,
                upper_share=upper,
            )
        )
    return Forecast(
        history=tuple(NevSalesYear(int(y), float(u), s) for y, u, s in history),  # type: ignore[arg-type]
        years=tuple(years),
        level=level,
        market=market,
        past_market_units=tuple(float(m) for m in past_market),
        market_growth=growth,
    )


def _expit(x: float | np.ndarray) -> np.ndarray:
    return np.asarray(1 / (1 + np.exp(-np.asarray(x, dtype=np.float64))), dtype=np.float64)


def chip_demand(forecast: Forecast, *, assumptions: OutlookAssumptions) -> list[DemandRow]:
    """Chips demanded per category per forecast year: vehicles x chips per vehicle x the category's share.

    Central = the point forecast x the central chip count; low = the interval's lower end x the low chip
    count; high = the upper end x the high chip count, so the band holds both the forecast's and the chip
    count's uncertainty.
    """
    low, central, high = assumptions.chips_per_vehicle
    return [
        DemandRow(
            year=year.year,
            category=code,
            share=share,
            chips_low=year.lower_units * low * share,
            chips_central=year.units * central * share,
            chips_high=year.upper_units * high * share,
        )
        for year in forecast.years
        for code, share in assumptions.category_mix.items()
    ]
