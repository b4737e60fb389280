"""Files in a conversation: what kind they are, how big, and what the API will take.

Kinds are told by content (magic bytes), never by the name. An attachment is
kept in its message as an ``attachment`` block holding this metadata and the
file's sha256; the bytes live elsewhere, and the block becomes an ``image`` or
``document`` block with a file id or inline data only when a request is built.
"""

from __future__ import annotations

import re
import struct
from dataclasses import asdict, dataclass
from typing import Any, Literal

Kind = Literal["image", "pdf", "text"]
BLOCK_TYPE = "attachment"

IMAGE_TYPES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)
# What the API takes, checked before anything is sent.
IMAGE_MAX_BYTES = 5 * 1024 * 1024
IMAGE_MAX_SIDE = 8000
MANY_IMAGES = 20  # more than this in one request: each side at most MANY_IMAGES_SIDE
MANY_IMAGES_SIDE = 2000
PDF_MAX_BYTES = 32 * 1024 * 1024  # per request, all PDFs together
PDF_MAX_PAGES = 600
PDF_MAX_PAGES_SMALL_WINDOW = 100  # for models whose window is 200k tokens or less
SMALL_WINDOW = 200_000
# Estimates until the API counts the request: pixels per token, tokens per PDF page.
PIXELS_PER_TOKEN = 750
TOKENS_PER_PAGE = 2000
KIND_NAMES = {"image": "image", "pdf": "PDF", "text": "text"}
FILE_MARK = "\N{PAPERCLIP} "


@dataclass(frozen=True, slots=True)
class Attachment:
    """One file as the conversation keeps it: its identity, kind and size."""

    sha256: str
    name: str
    kind: Kind
    media_type: str
    size: int
    tokens: int  # estimated input tokens
    pages: int | None = None
    width: int | None = None
    height: int | None = None

    def block(self) -> dict[str, Any]:
        """The block kept in the message's content."""
        fields = {key: value for key, value in asdict(self).items() if value is not None}
        return {"type": BLOCK_TYPE, **fields}

    def describe(self) -> str:
        """``paper.pdf · PDF · 12 pages · 1.2 MB``, for transcripts and exports."""
        parts = [self.name, KIND_NAMES[self.kind]]
        if self.pages is not None:
            parts.append(f"{self.pages} page{'s' if self.pages != 1 else ''}")
        if self.width is not None and self.height is not None:
            parts.append(f"{self.width}x{self.height} px")
        parts.append(human_size(self.size))
        return " · ".join(parts)


def from_block(block: dict[str, Any]) -> Attachment:
    """The attachment an ``attachment`` block describes; unknown keys are ignored."""
    known = Attachment.__dataclass_fields__
    return Attachment(**{key: value for key, value in block.items() if key in known})


_SHA256 = re.compile(r"[0-9a-f]{64}")


def is_sha256(text: object) -> bool:
    """Whether ``text`` can name a kept file: 64 hex digits, never a path."""
    return isinstance(text, str) and _SHA256.fullmatch(text) is not None


def is_attachment(block: dict[str, Any]) -> bool:
    """Whether a content block stands for a file."""
    return block.get("type") == BLOCK_TYPE


def human_size(size: int) -> str:
    """Bytes as people read them, in units of 1,024 as the API's limits are: 14 KB, 1.2 MB."""
    if size < 1024:
        return f"{size} B"
    for unit, scale in (("KB", 1024), ("MB", 1024**2)):
        value = size / scale
        if value < 1024:
            return f"{value:.1f} {unit}" if value < 10 else f"{value:.0f} {unit}"
    return f"{size / 1024**3:.1f} GB"


def sniff(head: bytes) -> tuple[Kind, str] | None:
    """The kind and media type the first bytes show; None for anything else."""
    for magic, media_type in IMAGE_TYPES:
        if head.startswith(magic):
            return "image", media_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image", "image/webp"
    if head.startswith(b"%PDF-"):
        return "pdf", "application/pdf"
    if looks_like_text(head):
        return "text", "text/plain"
    return None


def looks_like_text(data: bytes) -> bool:
    """UTF-8 without NUL bytes; a character cut at the end of a chunk is fine."""
    if b"\x00" in data:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start >= len(data) - 3 and exc.reason == "unexpected end of data"
    return True


def image_size(data: bytes) -> tuple[int, int] | None:
    """Width and height from the image's header; None if it cannot be read."""
    if data.startswith(b"\x89PNG") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return width, height
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return width, height
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return _webp_size(data)
    if data.startswith(b"\xff\xd8"):
        return _jpeg_size(data)
    return None


def _webp_size(data: bytes) -> tuple[int, int] | None:
    chunk = data[12:16]
    if chunk == b"VP8X" and len(data) >= 30:
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return width, height
    if chunk == b"VP8L" and len(data) >= 25:
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8 " and len(data) >= 30:
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    return None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    """Walk the segments to the first start-of-frame, which holds the size."""
    at = 2
    while at + 9 < len(data):
        if data[at] != 0xFF:
            return None
        marker = data[at + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            at += 2
            continue
        length = int.from_bytes(data[at + 2 : at + 4], "big")
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[at + 5 : at + 9])
            return width, height
        at += 2 + length
    return None


_PAGE = re.compile(rb"/Type\s*/Page(?![A-Za-z])")


_COUNT = re.compile(rb"/Count\s+(\d{1,7})")


def pdf_pages(data: bytes) -> int:
    """How many pages a PDF has: its page objects, or its page tree's /Count if larger.

    Page objects kept in compressed object streams are not seen here; the tree's
    /Count usually is (at least one page either way).
    """
    counts = [int(found) for found in _COUNT.findall(data)]
    return max(len(_PAGE.findall(data)), *counts, 1)


def image_tokens(width: int, height: int) -> int:
    """The API's own rule of thumb: about width * height / 750 tokens."""
    return max(round(width * height / PIXELS_PER_TOKEN), 1)
