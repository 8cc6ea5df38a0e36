"""The help-line table: ``helplines.toml`` read, checked and looked up by country.

Apart from the texts (:mod:`flows.helplines`) because it is the data's own contract:
every country has a line of each kind, each line a source, and a bad entry is refused
with one sentence that names it (:class:`HelplineDataError`). The country comes from the
user's time zone, or from a country the bot knows.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from flows.timezones import zone_countries

DATA_FILE = Path(__file__).with_name("helplines.toml")

KINDS = ("emergency", "suicide", "listening", "doctor")
"""Every country needs a line of each kind (one line may serve several)."""
LANGUAGES = ("nl", "fr", "de", "en", "it", "lb")
HOURS = ("always", "limited")
EVIDENCE = ("official", "news", "content")
REGIONAL = ("huisartsenpost", "gp_coop", "cantonal", "maison_medicale")
COVERAGE = ("most", "by_region")

ZONE_COUNTRY: Mapping[str, str] = {
    "Europe/Brussels": "BE",
    "Europe/Amsterdam": "NL",
    "Europe/Paris": "FR",
    "Europe/Berlin": "DE",
    "Europe/Busingen": "DE",
    "Europe/Luxembourg": "LU",
    "Europe/London": "GB",
    "Europe/Belfast": "GB",
    "GB": "GB",
    "Europe/Dublin": "IE",
    "Eire": "IE",
    "Europe/Zurich": "CH",
    "Europe/Vienna": "AT",
}
"""Zones of the covered countries, checked first. The tz database's newer tables list
Europe/Amsterdam and Europe/Luxembourg under Europe/Brussels (same clocks since 1970), so
a user who picked Amsterdam must not be sent to Belgian lines."""


class HelplineDataError(Exception):
    """Raised when ``helplines.toml`` is missing a kind of line or holds a bad entry."""


@dataclass(frozen=True)
class Line:
    """One help line: numbers, the facts shown with them, and where they were checked."""

    kinds: frozenset[str]
    name: str
    numbers: tuple[str, ...]
    source: str
    checked_against: str
    evidence: str
    names: Mapping[str, str]
    free: bool = False
    hours: str = "always"
    languages: tuple[str, ...] = ()
    chat: str = ""
    regional: str = ""
    coverage: str = ""

    def name_in(self, language: str) -> str:
        return self.names.get(language, self.name)


@dataclass(frozen=True)
class Country:
    code: str
    lines: tuple[Line, ...]

    def of_kind(self, kind: str) -> tuple[Line, ...]:
        return tuple(line for line in self.lines if kind in line.kinds)


@dataclass(frozen=True)
class Helplines:
    checked: str
    eu_emergency: str
    countries: Mapping[str, Country]

    def numbers(self) -> list[str]:
        """Every number in the file, for the check that docs/CLINICAL.md lists them all."""
        return [n for c in self.countries.values() for line in c.lines for n in line.numbers]


# -- loading -------------------------------------------------------------------------


def _require(condition: bool, where: str, problem: str) -> None:
    if not condition:
        raise HelplineDataError(f"helplines: {where}: {problem}")


def _strings(value: Any, where: str, field: str) -> tuple[str, ...]:
    _require(
        isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value),
        where,
        f"{field} must be a list of non-empty texts",
    )
    return tuple(value)


def _line(raw: Any, where: str) -> Line:
    _require(isinstance(raw, dict), where, "must be a table")
    kinds = frozenset(_strings(raw.get("kinds"), where, "kinds"))
    _require(bool(kinds) and kinds <= set(KINDS), where, f"kinds must be among {KINDS}")
    name = raw.get("name")
    _require(isinstance(name, str) and bool(name.strip()), where, "needs a name")
    numbers = _strings(raw.get("numbers", []), where, "numbers")
    regional = str(raw.get("regional", ""))
    _require(regional in ("", *REGIONAL), where, f"regional must be one of {REGIONAL}")
    if regional:
        _require(kinds == {"doctor"}, where, "only a doctor line can be regional")
    else:
        _require(bool(numbers), where, "needs at least one number (or, for a doctor, regional)")
    source = raw.get("source")
    _require(
        isinstance(source, str) and source.startswith(("https://", "http://")),
        where,
        "needs a source URL",
    )
    checked = raw.get("checked_against")
    _require(
        isinstance(checked, str) and checked.startswith(("https://", "http://")),
        where,
        "needs the URL it was checked against",
    )
    evidence = raw.get("evidence")
    _require(evidence in EVIDENCE, where, f"evidence must be one of {EVIDENCE}")
    hours = raw.get("hours", "always")
    _require(hours in HOURS, where, f"hours must be one of {HOURS}")
    languages = _strings(raw.get("languages", []), where, "languages")
    _require(set(languages) <= set(LANGUAGES), where, f"languages must be among {LANGUAGES}")
    names = raw.get("names", {})
    _require(
        isinstance(names, dict) and all(isinstance(v, str) for v in names.values()),
        where,
        "names must map a language to a name",
    )
    coverage = str(raw.get("coverage", ""))
    _require(coverage in ("", *COVERAGE), where, f"coverage must be one of {COVERAGE}")
    return Line(
        kinds=kinds,
        name=name,
        numbers=numbers,
        source=source,
        checked_against=checked,
        evidence=evidence,
        names=dict(names),
        free=bool(raw.get("free", False)),
        hours=hours,
        languages=languages,
        chat=str(raw.get("chat", "")),
        regional=regional,
        coverage=coverage,
    )


def load(text: str) -> Helplines:
    """Parse and check the data file; every country must have every kind of line."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise HelplineDataError(f"helplines: the data file cannot be read: {exc}") from exc
    checked, eu = data.pop("checked", None), data.pop("eu_emergency", None)
    _require(isinstance(checked, str) and bool(checked), "file", "needs the date it was checked")
    _require(isinstance(eu, str) and bool(eu), "file", "needs eu_emergency")
    _require(bool(data), "file", "lists no country")
    countries: dict[str, Country] = {}
    for code, entries in data.items():
        _require(len(code) == 2 and code.isupper(), code, "countries are ISO codes like BE")
        _require(isinstance(entries, list) and bool(entries), code, "lists no line")
        lines = tuple(_line(raw, f"{code} line {i + 1}") for i, raw in enumerate(entries))
        country = Country(code, lines)
        for kind in KINDS:
            _require(bool(country.of_kind(kind)), code, f"has no {kind} line")
        _require(
            all(line.numbers for line in country.of_kind("emergency")),
            code,
            "every emergency line needs a number",
        )
        countries[code] = country
    return Helplines(checked, eu, countries)


@cache
def helplines() -> Helplines:
    """The shipped data, read and checked once per process."""
    return load(DATA_FILE.read_text(encoding="utf-8"))


# -- which country -------------------------------------------------------------------


def country_for(timezone: str, hint: str | None = None) -> str | None:
    """The ISO country for a time zone, or None when no country is known.

    A country the bot knows (``hint``) wins when its lines are in the data file: it is
    more precise than a zone, which several countries can share. Otherwise the zone
    decides. The result may be a country without lines ("US"): callers then fall back
    to the advice for anywhere else.
    """
    known = helplines().countries
    if hint:
        code = hint.strip().upper()
        if code in known:
            return code
    country = ZONE_COUNTRY.get(timezone) or zone_countries().get(timezone)
    if country is None and hint:
        return hint.strip().upper() or None
    return country
