"""Help lines for the user's country: crisis, emergency and out-of-hours doctor lines.

The numbers differ per country and each must rest on a source, so they live in one data
file (``helplines.toml``, with a source per line) and every text that shows a number gets
it from here; the sentences around them stay in the content catalogue. The country comes
from the user's time zone, or from a country the bot knows. A user anywhere else gets the
local emergency number and advice to ask for a crisis line nearby, never another
country's numbers: a number that connects to nothing is worse than none.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from flows.i18n import Translator
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


def _country(timezone: str, country: str | None = None) -> Country | None:
    return helplines().countries.get(country_for(timezone, country) or "")


# -- small pieces of text ------------------------------------------------------------


def _join(items: Sequence[str], t: Translator, word: str) -> str:
    """ "a", "a or b", "a, b or c" (``word`` is the catalogue's "or" or "and")."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {t(f'helplines.{word}')} {items[-1]}"


def _by_language(lines: Sequence[Line], language: str) -> list[Line]:
    """Lines in the user's language first, the rest in file order."""
    return sorted(lines, key=lambda line: bool(line.languages) and language not in line.languages)


def _languages(line: Line, t: Translator) -> str:
    return _join([t(f"helplines.languages.{code}") for code in line.languages], t, "and")


def _number(t: Translator, number: str) -> str:
    """A number as a sentence uses it ("le 112", "die 112")."""
    return t("helplines.number", number=number)


def _facts(line: Line, t: Translator) -> str:
    facts = []
    if line.free:
        facts.append(t("helplines.facts.free"))
    facts.append(t(f"helplines.facts.{line.hours}"))
    if line.languages:
        facts.append(t("helplines.facts.languages", languages=_languages(line, t)))
    if line.chat:
        facts.append(t("helplines.facts.chat", site=line.chat))
    return ", ".join(facts)


def _listening_only(country: Country) -> list[Line]:
    return [line for line in country.of_kind("listening") if "suicide" not in line.kinds]


# -- what the texts show -------------------------------------------------------------


def emergency_number(t: Translator, timezone: str, country: str | None = None) -> str:
    """The number to call in an emergency, ready for a sentence ("112", "le 15")."""
    found = _country(timezone, country)
    if found is None:
        return t("helplines.elsewhere.emergency", eu=helplines().eu_emergency)
    return _number(t, found.of_kind("emergency")[0].numbers[0])


def crisis_lines(t: Translator, timezone: str, country: str | None = None) -> str:
    """The crisis lines as a list: suicide lines, listening lines, the way out when the
    user is elsewhere, and the emergency number."""
    found = _country(timezone, country)
    eu = helplines().eu_emergency
    danger = t("helplines.danger", emergency=emergency_number(t, timezone, country))
    if found is None:
        return "\n".join((t("helplines.elsewhere.lines", eu=eu), danger))
    rows = [
        t(
            "helplines.line",
            name=line.name_in(t.language),
            numbers=_join(line.numbers, t, "or"),
            facts=_facts(line, t),
        )
        for line in _by_language(found.of_kind("suicide"), t.language)
    ]
    listening = _by_language(_listening_only(found), t.language)
    if listening:
        items = [
            t(
                "helplines.listen_item",
                name=line.name_in(t.language),
                numbers=_join(line.numbers, t, "or"),
                languages=_languages(line, t),
            )
            if line.languages
            else f"{line.name_in(t.language)} {_join(line.numbers, t, 'or')}"
            for line in listening
        ]
        always = all(line.hours == "always" for line in listening)
        rows.append(
            t(f"helplines.listen.{'always' if always else 'limited'}", items=", ".join(items))
        )
    rows.append(t("helplines.not_in", not_in=t(f"helplines.countries.{found.code}.not_in"), eu=eu))
    rows.append(danger)
    return "\n".join(rows)


def crisis_numbers(t: Translator, timezone: str, country: str | None = None) -> str:
    """The crisis numbers in one run of text, for a sentence that lists them."""
    found = _country(timezone, country)
    if found is None:
        return t("helplines.elsewhere.inline", eu=helplines().eu_emergency)
    suicide = _by_language(found.of_kind("suicide"), t.language)
    parts = [
        t(
            "helplines.inline.line_languages" if line.languages else "helplines.inline.line",
            numbers=_join(line.numbers, t, "or"),
            name=line.name_in(t.language),
            languages=_languages(line, t),
        )
        for line in suicide
    ]
    text = _join(parts, t, "or")
    if all(line.hours == "always" for line in suicide):
        text = t("helplines.inline.always", lines=text)
    listening = _by_language(_listening_only(found), t.language)
    if listening:
        numbers = ", ".join(n for line in listening for n in line.numbers)
        text = t("helplines.inline.listening", lines=text, numbers=numbers)
    return text


def crisis_line_sentence(t: Translator, timezone: str, country: str | None = None) -> str:
    """One short sentence naming the main crisis line ("In Belgium you can call 1813 ...")."""
    found = _country(timezone, country)
    emergency = emergency_number(t, timezone, country)
    if found is None:
        return t("helplines.sentence.elsewhere", emergency=emergency)
    main = _by_language(found.of_kind("suicide"), t.language)[0]
    return t(
        f"helplines.sentence.{main.hours}",
        in_country=t(f"helplines.countries.{found.code}.in"),
        number=_number(t, main.numbers[0]),
        name=main.name_in(t.language),
        emergency=emergency,
    )


def doctor_line_text(t: Translator, timezone: str, country: str | None = None) -> str:
    """Who to call about a doctor outside office hours, as a sentence or two."""
    found = _country(timezone, country)
    if found is None:
        return t("helplines.doctor.elsewhere")
    line = found.of_kind("doctor")[0]
    if line.regional:
        return t(
            f"helplines.doctor.regional.{line.regional}",
            emergency=emergency_number(t, timezone, country),
        )
    numbers = _join(line.numbers, t, "or")
    if line.coverage == "by_region":
        return t("helplines.doctor.call_by_region", numbers=numbers)
    text = t("helplines.doctor.call", numbers=numbers)
    if line.coverage == "most":
        text = f"{text} {t('helplines.doctor.coverage_most', number=line.numbers[0])}"
    return text


def doctor_line_short(t: Translator, timezone: str, country: str | None = None) -> str:
    """The out-of-hours doctor line as a few words, for "(outside office hours: ...)"."""
    found = _country(timezone, country)
    if found is None:
        return t("helplines.doctor.elsewhere_short")
    line = found.of_kind("doctor")[0]
    if line.regional:
        return t(f"helplines.doctor.regional_short.{line.regional}")
    return _join(line.numbers, t, "or")


FILLS: Mapping[str, Callable[[Translator, str, str | None], str]] = {
    "lines": crisis_lines,
    "crisis_numbers": crisis_numbers,
    "crisis_line": crisis_line_sentence,
    "emergency": emergency_number,
    "doctor_line": doctor_line_text,
    "doctor_short": doctor_line_short,
}
"""The placeholders a catalogue text may use for help lines, and what fills them."""


def fills(t: Translator, timezone: str, country: str | None = None) -> dict[str, str]:
    """Every help-line placeholder for this user: pass to ``t(key, **fills(...))``."""
    return {name: render(t, timezone, country) for name, render in FILLS.items()}


def crisis_text(t: Translator, timezone: str, country: str | None = None) -> str:
    """The full message for someone who wrote about hopelessness or ending their life."""
    return t("safety.crisis", **fills(t, timezone, country))


def emergency_text(t: Translator, timezone: str, country: str | None = None) -> str:
    """The call-the-emergency-number-now advice for signs of a squeezed nerve root."""
    return t("safety.emergency", **fills(t, timezone, country))
