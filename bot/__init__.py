"""The Telegram edge of backcoach: configuration, handlers, dispatcher, CLI.

This is the only layer that imports ``telegram``; it turns updates into flow events and
flow replies into messages, and passes plain values between ``flows`` and ``data``.
"""

import os as _os

# Opt in to PTB's future behaviour now: ``RetryAfter.retry_after`` as a timedelta.
_os.environ.setdefault("PTB_TIMEDELTA", "1")
