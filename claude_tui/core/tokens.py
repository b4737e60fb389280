"""Token estimates for the context budget, and their calibration against the API.

Counting is passed in: about four characters make a token in English prose and
code, which needs no tables and never delays the prompt; a real tokenizer
(``claude_tui.app.tokenizer``) can stand in once it has loaded. Neither is
Claude's own tokenizer, so `Calibration` learns the remaining gap from the true
input counts the API reports after each answer.
"""

from __future__ import annotations

from collections.abc import Callable

CHARS_PER_TOKEN = 4

TextCounter = Callable[[str], int]

MIN_RATIO = 0.2
MAX_RATIO = 5.0
MEMORY = 0.8


def estimate_text(text: str) -> int:
    """Tokens in ``text``, rounded up so a non-empty text is never zero."""
    return -(-len(text) // CHARS_PER_TOKEN)


class Calibration:
    """A running ratio of the API's true input tokens to our estimate of the same content.

    It is a ratio of sums, so a long request weighs more than a short, noisy one,
    and older answers fade by ``MEMORY`` per new one, so a change of subject or
    model shows within a few turns. A pair whose own ratio falls outside
    ``MIN_RATIO..MAX_RATIO`` is ignored: it counts content the estimate never saw
    (an image, a document) or belongs to another request. Every accepted pair lies
    in that range, so their weighted mean, the ratio, does too.
    """

    def __init__(self) -> None:
        self._estimated = 0.0
        self._actual = 0.0

    @property
    def ratio(self) -> float:
        """True tokens per estimated token; 1.0 until the first usable answer."""
        return self._actual / self._estimated if self._estimated else 1.0

    def observe(self, estimated: int, actual: int) -> None:
        """Learn from one request: our estimate of its input and the API's count."""
        if estimated <= 0 or actual <= 0 or not MIN_RATIO <= actual / estimated <= MAX_RATIO:
            return
        self._estimated = self._estimated * MEMORY + estimated
        self._actual = self._actual * MEMORY + actual

    def apply(self, estimated: int) -> int:
        """An estimate corrected by what the API has reported so far."""
        return round(estimated * self.ratio)
