"""The lexical view of a sentence (letters, words, word pairs) and its round trip
through the vector cache."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bot.understanding import Cached, read_cache, write_cache
from flows.understanding.bank import Phrase, PhraseBank
from flows.understanding.classifier import StackedClassifier
from flows.understanding.labels import Label
from flows.understanding.lexical import LexicalModel, grams, hashed, words

TEXTS = {
    Label.CRISIS: [
        "i want to kill myself",
        "i keep thinking about killing myself",
        "ik wil mezelf van kant maken",
        "je veux mourir",
    ],
    Label.HARMLESS: [
        "this meeting is killing me",
        "my commute is killing me",
        "ik ga dood van de verveling",
        "je meurs de rire",
    ],
    Label.GREETING: ["hello there", "good morning", "hallo", "bonjour à tous"],
}


def _training() -> tuple[list[str], list[Label]]:
    texts = [text for group in TEXTS.values() for text in group]
    labels = [label for label, group in TEXTS.items() for _ in group]
    return texts, labels


def test_words_are_folded_to_lower_case_without_accents() -> None:
    assert words("Ça fait TRÈS mal, Straße!") == ["ca", "fait", "tres", "mal", "strasse"]
    assert hashed("Très mal")[0].tolist() == hashed("tres MAL")[0].tolist()


def test_grams_are_letters_inside_words_then_words_and_pairs() -> None:
    found = grams("no way")
    assert {"<n", "no", "o>", "<no>", "<w", "<wa", "<way", "<way>"} <= set(found)
    assert "o w" not in found and " w" not in found  # never across words
    assert {"w no", "w way", "p no way"} <= set(found)


def test_rows_are_normalised_over_every_gram() -> None:
    _, values = hashed("this meeting is killing me")
    assert abs(float(np.linalg.norm(values)) - 1.0) < 1e-6


def test_training_is_deterministic_and_tells_idioms_from_alarms() -> None:
    texts, labels = _training()
    first = LexicalModel.fit(texts, labels)
    again = LexicalModel.fit(texts, labels)
    assert np.array_equal(first.weights, again.weights)
    assert np.array_equal(first.bias, again.bias)
    read = first.probabilities(["this meeting is killing me", "i want to kill myself"])
    crisis, harmless = list(Label).index(Label.CRISIS), list(Label).index(Label.HARMLESS)
    assert read[0, harmless] > read[0, crisis]
    assert read[1, crisis] > read[1, harmless]
    assert np.allclose(read.sum(axis=1), 1.0)


def test_a_sentence_in_unknown_letters_reads_as_the_prior() -> None:
    texts, labels = _training()
    model = LexicalModel.fit(texts, labels)
    empty = model.probabilities(["ж ж"])
    assert np.allclose(empty.sum(axis=1), 1.0)
    assert np.array_equal(model.similarities(["ж ж"]), np.zeros((1, len(texts)), np.float32))


def test_similarity_in_letters_is_highest_for_the_sentence_itself() -> None:
    texts, labels = _training()
    model = LexicalModel.fit(texts, labels)
    similarity = model.similarities(texts)
    assert similarity.shape == (len(texts), len(texts))
    assert np.array_equal(similarity.argmax(axis=1), np.arange(len(texts)))


def test_the_cache_gives_back_a_classifier_that_reads_the_same(tmp_path: Path) -> None:
    texts, labels = _training()
    rng = np.random.default_rng(7)
    vectors = rng.normal(size=(len(texts), 8))
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    vectors = vectors.astype(np.float16).astype(np.float32)  # as the cache stores them
    bank = PhraseBank(
        tuple(Phrase("en", label, "train", text) for text, label in zip(texts, labels, strict=True))
    )
    classifier = StackedClassifier.fit(vectors, texts, labels)
    cached = Cached(vectors, vectors[:2], classifier, "test-encoder", tuple(texts))
    write_cache(tmp_path / "k.npz", cached)
    loaded = read_cache(tmp_path / "k.npz", bank)
    assert loaded is not None
    probe = ["this meeting is killing me", "bonjour"]
    assert loaded.classifier.read_many(vectors[:2], probe) == classifier.read_many(
        vectors[:2], probe
    )
