"""Understanding people's own words: a phrase bank, a classifier over sentence vectors,
and the safety decision that combines it with the word lists.

Everything here is pure (no Telegram, no SQL, no model loading): the bot layer owns the
sentence encoder and hands vectors in, so the rules can be tested on fixed vectors.
"""
