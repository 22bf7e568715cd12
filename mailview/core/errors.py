"""The only exception the analysis core lets escape.

Strategy: message content never raises. Whatever the core cannot understand about a
message becomes a defect or a finding on the report. `InputError` is reserved for input
that is not a message at all (or cannot be read); its text is one sentence meant for the
user, and its `code` says which case it is, so that callers decide on data, never on the
wording.
"""

from __future__ import annotations

# What went wrong, for callers to act on (a batch skips a folder's non-mail files).
UNREADABLE = "unreadable"  # the file could not be read (missing, permissions, I/O, size)
EMPTY = "empty"  # nothing but white space
NOT_A_MESSAGE = "not-a-message"  # readable, but not an email message
DAMAGED = "damaged"  # a container (Outlook .msg, SMTP dialogue) too broken to hold one
NO_SUCH_MESSAGE = "no-such-message"  # `--message` asked for one the input lacks


class InputError(Exception):
    """The input is not an email message, or could not be read; `str(err)` is one sentence.

    `path` is set when the sentence already names the file, so a caller does not name it
    a second time.
    """

    def __init__(self, sentence: str, code: str = UNREADABLE, path: str | None = None) -> None:
        super().__init__(sentence)
        self.sentence = sentence
        self.code = code
        self.path = path

    @property
    def not_mail(self) -> bool:
        """Readable, but no email message: a README in a folder of messages."""
        return self.code in (EMPTY, NOT_A_MESSAGE)
