"""The only exception the analysis core lets escape.

Strategy: message content never raises. Whatever the core cannot understand about a
message becomes a finding on the report. `InputError` is reserved for input that is not
a message at all (or cannot be read), and its text is one sentence meant for the user.
"""


class InputError(Exception):
    """The input is not an email message, or could not be read; `str(err)` is one sentence."""

    def __init__(self, sentence: str) -> None:
        super().__init__(sentence)
        self.sentence = sentence
