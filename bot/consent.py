"""The one test before health data is kept, shown or acted on: consent to the current
consent text (:data:`flows.onboarding.CONSENT_VERSION`).

The engine asks it before a flow or command that needs consent, the features ask it
before keeping anything, and the senders before pushing someone's data. A user who
agreed to an older text is asked again (the engine's gate) rather than treated as
consenting, so a change of what we keep never applies to anyone silently.
"""

from __future__ import annotations

from data.values import UserInfo
from flows import onboarding


def has_current_consent(user: UserInfo) -> bool:
    # Read at call time, so a test (or a future text) that raises the version is seen
    # by every caller at once.
    return user.has_consent and user.consent_version == onboarding.CONSENT_VERSION
