"""Downscaling images the API would refuse, with Pillow when it is installed.

Pillow is an optional extra (``pip install 'claude-tui[images]'``): without it,
an image over the API's limits is refused in one line that says so.
"""

from __future__ import annotations

import importlib
import io

from claude_tui.core.attachments import human_size, image_size
from claude_tui.errors import UsageError

HINT = "pip install 'claude-tui[images]' lets claude-tui downscale it"


def downscale(
    data: bytes, shown: str, side: int, max_bytes: int
) -> tuple[bytes, str, tuple[int, int]]:
    """The image shrunk to ``side`` pixels on its long edge and under ``max_bytes``.

    PNG stays PNG (screenshots, diagrams); everything else becomes JPEG, smaller
    again until it fits.
    """
    size = image_size(data) or (0, 0)
    try:
        image_module = importlib.import_module("PIL.Image")
    except ImportError:
        raise UsageError(f"{shown}: {_what(data, size, side, max_bytes)}; {HINT}") from None
    ops = importlib.import_module("PIL.ImageOps")
    try:
        with image_module.open(io.BytesIO(data)) as image:
            image.load()
            upright = ops.exif_transpose(image)  # a phone photo stays the right way up
            picture = upright.convert("RGBA" if image.mode in ("RGBA", "LA", "P") else "RGB")
    except (OSError, ValueError, image_module.DecompressionBombError) as exc:
        raise UsageError(f"{shown}: cannot be read as an image ({_reason(exc)})") from None
    png = data.startswith(b"\x89PNG")
    longest = min(side, max(picture.size))
    while True:
        copy = picture.copy()
        copy.thumbnail((longest, longest))
        out = io.BytesIO()
        if png:
            copy.save(out, format="PNG", optimize=True)
        else:
            copy.convert("RGB").save(out, format="JPEG", quality=85)
        if out.tell() <= max_bytes or longest < 256:
            break
        longest = int(longest * 0.8)
    if out.tell() > max_bytes:
        raise UsageError(f"{shown}: still {human_size(out.tell())} when downscaled")
    return out.getvalue(), "image/png" if png else "image/jpeg", copy.size


def _reason(exc: Exception) -> str:
    return str(exc).splitlines()[0][:100] if str(exc) else type(exc).__name__


def _what(data: bytes, size: tuple[int, int], side: int, max_bytes: int) -> str:
    if max(size) > side:
        return f"{size[0]}x{size[1]} px, more than the {side} px a side the API takes"
    return f"{human_size(len(data))}, more than the {human_size(max_bytes)} an image may be"
