"""Help lines for the user's country, in words: crisis, emergency and out-of-hours
doctor lines as the catalogue's texts show them.

The numbers differ per country and each must rest on a source, so they live in one data
file (``helplines.toml``, read by :mod:`flows.helpline_table`) and every text that shows
a number gets it from here; the sentences around them stay in the content catalogue. A
user anywhere else gets the local emergency number and advice to ask for a crisis line
nearby, never another country's numbers: a number that connects to nothing is worse
than none.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from flows.helpline_table import Country, Line, country_for, helplines
from flows.i18n import Translator


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
