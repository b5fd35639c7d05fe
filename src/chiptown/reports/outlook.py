"""Market outlook: China's NEV sales forecast a few years ahead and turned into chip demand per category."""

from __future__ import annotations

import csv
import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import NamedTuple

import numpy as np
from django.utils.translation import gettext as _
from scipy.stats import norm

from chiptown.core.errors import ChipTownError, Problem

DATA_DIR = Path(__file__).resolve().parent / "data"
NEV_SALES_FILE = DATA_DIR / "nev_sales_china.csv"
CHIPS_PER_VEHICLE_FILE = DATA_DIR / "chips_per_vehicle.csv"
CATEGORY_MIX_FILE = DATA_DIR / "category_mix.csv"

# A local linear trend has three variances to estimate; fewer than six yearly points cannot pin them down.
MIN_HISTORY_YEARS = 6
MIX_TOLERANCE = 1e-6
METHOD = "local linear trend (statsmodels UnobservedComponents) on log units, maximum likelihood"


class NevSalesYear(NamedTuple):
    year: int
    units: float | None
    source: str


@dataclass(frozen=True)
class ForecastYear:
    """One forecast year: the median (point) forecast, the mean, and the prediction interval, in vehicles."""

    year: int
    units: float  # the point forecast: the median, exp of the mean log forecast
    mean_units: float  # the expected value, exp(mu + sigma^2 / 2)
    lower_units: float
    upper_units: float
    log_sd: float  # the standard deviation of the log forecast


@dataclass(frozen=True)
class Forecast:
    history: tuple[NevSalesYear, ...]
    years: tuple[ForecastYear, ...]
    level: float
    method: str = METHOD

    @property
    def caveat(self) -> str:
        """What a reader must know before quoting the later years; shown next to the forecast."""
        return _(
            "This forecast extrapolates the recent growth of sales and knows nothing of market saturation: "
            "new-energy vehicles were already %(share)s of China's new-vehicle sales in 2025 (CAAM), so the later "
            "years and the upper band can exceed what the whole vehicle market could absorb."
        ) % {"share": "47.9%"}


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

    def __post_init__(self) -> None:
        object.__setattr__(self, "category_mix", MappingProxyType(dict(self.category_mix)))
        problems: list[Problem] = []
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
    history: Sequence[tuple[int, float | None, str]], *, horizon: int = 5, level: float = 0.95
) -> Forecast:
    """Forecast yearly NEV sales ``horizon`` years past the history, with ``level`` prediction intervals.

    The model is a local linear trend (a random-walk level plus a random-walk slope, with observation noise) on
    log units, fitted by maximum likelihood with statsmodels' UnobservedComponents. Why this and not ETS: on
    these eleven points a damped additive ETS fit drives both smoothing weights to their lower bounds, so its
    log-scale intervals stay as narrow at five years as at one, which understates the uncertainty; the local
    linear trend puts the variance into the slope, so intervals widen with the horizon, and an exact
    exponential series is continued exactly. Logs keep forecasts positive and make growth multiplicative.

    Back-transformation: the log forecast is normal N(mu, sd^2), so the interval ends are exp(mu -+ z sd)
    exactly, the point forecast is the median exp(mu) (always inside the interval), and the mean is
    exp(mu + sd^2 / 2). Caveat for readers: the model extrapolates the recent growth rate and knows nothing of
    saturation (NEVs were already 47.9% of China's new-vehicle sales in 2025, per CAAM), so the upper years
    and the upper band are an extrapolation, not a market ceiling.
    """
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
    from statsmodels.tsa.statespace.structural import UnobservedComponents  # heavy import, only when forecasting

    log_units = np.log(np.array([units for _year, units, _source in history], dtype=np.float64))
    model = UnobservedComponents(log_units, level="local linear trend")
    with warnings.catch_warnings():
        # A series that is exactly exponential has zero variances, which the optimiser reports as not converged;
        # the fitted state is still right, and a non-finite result is refused below.
        warnings.simplefilter("ignore")
        fitted = model.fit(disp=False)
        prediction = fitted.get_forecast(horizon)
    mu = np.asarray(prediction.predicted_mean, dtype=np.float64)
    sd = np.sqrt(np.asarray(prediction.var_pred_mean, dtype=np.float64))
    if not (np.all(np.isfinite(mu)) and np.all(np.isfinite(sd))):
        raise ChipTownError(_("The forecast model could not be fitted to this history."), code="outlook_fit")
    z = float(norm.ppf(0.5 + level / 2))
    last_year = history[-1][0]
    years = tuple(
        ForecastYear(
            year=last_year + h + 1,
            units=float(np.exp(mu[h])),
            mean_units=float(np.exp(mu[h] + sd[h] ** 2 / 2)),
            lower_units=float(np.exp(mu[h] - z * sd[h])),
            upper_units=float(np.exp(mu[h] + z * sd[h])),
            log_sd=float(sd[h]),
        )
        for h in range(horizon)
    )
    return Forecast(
        history=tuple(NevSalesYear(int(y), float(u), s) for y, u, s in history),  # type: ignore[arg-type]
        years=years,
        level=level,
    )


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
