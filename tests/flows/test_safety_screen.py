"""The word lists, the safety screen's precise first layer: a listed word fires
anywhere, except inside a set figure of speech, and the figure never hides a real cry
for help said next to it."""

from __future__ import annotations

import pytest

from flows.i18n import default_catalogue
from flows.pain_test_questions import mentions_crisis
from flows.safety import Signal, build_screen

SCREEN = build_screen(default_catalogue())


@pytest.mark.parametrize(
    "text",
    [
        "I feel hopeless",
        "honestly it all feels HOPELESS",
        "i'm hopeless at life",
        "hopeless at everything, nothing will change",
        "i'm hopeless at cooking and i want to end it all",
        "ik voel me hopeloos",
        "ik ben hopeloos in alles",
        "je suis désespérée",
        "je pense au suicide",
        "ich bin hoffnungslos in allem",
        "ich will mich umbringen",
        "ich will nicht mehr leben",
        "I feel hopeless at night",
        "I'm feeling hopeless at the moment",
        "I'm hopeless at pretty much everything",
        "Ik voel me hopeloos in deze situatie",
        "Ik voel me zo hopeloos in mijn hoofd",
        "Ich fühle mich hoffnungslos in dieser Situation",
        "Ich fühle mich hoffnungslos bei dem Gedanken an morgen",
        "Ich bin hoffnungslos in meinem Leben",
        "Je suis désespérément triste",
        "Je me sens désespérément seule",
        "zelfmoord",
        "hang myself",
        "je vais me tuer",
    ],
)
def test_a_listed_word_said_of_oneself_gets_the_lines(text: str) -> None:
    assert SCREEN.check(text) is Signal.CRISIS


@pytest.mark.parametrize(
    "text",
    [
        "i'm hopeless at parking lol",
        "quitting now would be career suicide",
        "ik ben hopeloos verliefd op mijn nieuwe fiets",
        "ik ben hopeloos in koken",
        "je cherche désespérément mes clés",
        "sortir sans parapluie, c'est du suicide",
        "ich bin hoffnungslos beim einparken",
        "mein laptop ist abgestürzt, ich könnt ihn umbringen",
        "bei dem stau komm ich nicht mehr lebend nach hause",
        "ce boulot va me tuer",
        "c'est ennuyeux à mourir",
        "das ist zum sterben langweilig",
        "walked 10 kms today",
    ],
)
def test_a_set_figure_of_speech_is_left_to_the_classifier(text: str) -> None:
    assert SCREEN.check(text) is None


def test_the_emergency_list_still_fires_next_to_a_figure() -> None:
    assert SCREEN.check("hopeless at parking and I can't pee since this morning") is (
        Signal.EMERGENCY
    )


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("en", "I'm hopeless at parking", False),
        ("en", "I feel hopeless", True),
        ("de", "ich bin hoffnungslos beim einparken", False),
        ("de", "alles ist hoffnungslos", True),
    ],
)
def test_the_self_check_reads_words_of_despair_as_the_screen_does(
    language: str, text: str, expected: bool
) -> None:
    t = default_catalogue().translator(language)
    assert mentions_crisis(text, t) is expected


@pytest.mark.parametrize(
    "text",
    [
        "sterben",
        "Mourir.",
        "dood",
        "die",
        "Tod",
        "kms",
        "no hope",
        "I'm done.",
        "im done",
        "kill me now",
        "Kan niet meer.",
        "vaarwel iedereen",
        "à bout",
        "adieu à tous",
        "bin am Ende",
        "lebt wohl",
    ],
)
def test_a_word_that_is_the_whole_message_gets_the_lines(text: str) -> None:
    assert SCREEN.check(text) is Signal.CRISIS


@pytest.mark.parametrize(
    "text",
    [
        "zum sterben schön",
        "mort de rire",
        "dood op",
        "die hard",
        "walked 10 kms",
        "ik kan niet meer zitten",
        "i give up on this printer",
    ],
)
def test_the_same_word_inside_a_sentence_is_left_to_the_classifier(text: str) -> None:
    assert SCREEN.check(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "my groin is numb since this morning",
        "meine Beine versagen seit heute",
        "je fais pipi sur moi sans m'en rendre compte",
        "mijn benen zijn verlamd",
    ],
)
def test_emergency_signs_in_lay_words_get_the_advice(text: str) -> None:
    assert SCREEN.check(text) is Signal.EMERGENCY
