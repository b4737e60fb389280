"""Files for the next message: read safely, kept once by content, sent by file id or inline.

A file is checked before anything is sent: its kind by content, its size by
``stat`` before a byte is read, devices and folders refused, and then read in
one bounded read. The bytes are kept in ``attachments/<sha256>`` in the data
folder (private), so a resumed session can send them again; each endpoint gets
each file once through the Files API, and the id is reused in every later turn.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from claude_tui import paths
from claude_tui.app.images import downscale
from claude_tui.core.attachments import (
    IMAGE_MAX_BYTES,
    IMAGE_MAX_SIDE,
    MANY_IMAGES,
    MANY_IMAGES_SIDE,
    PDF_MAX_BYTES,
    TOKENS_PER_PAGE,
    Attachment,
    Kind,
    from_block,
    human_size,
    image_size,
    image_tokens,
    is_sha256,
    looks_like_text,
    pdf_pages,
    sniff,
)
from claude_tui.core.conversation import attachments_of
from claude_tui.core.inert import inert
from claude_tui.core.tokens import estimate_text
from claude_tui.errors import FilesUnavailableError, StoreError, UsageError
from claude_tui.store import Store, Uploads

HEAD = 8192
# An image may be this large on disk and still be downscaled below the API's limits.
IMAGE_READ_MAX = 64 * 1024 * 1024
# The API shrinks images whose long side passes this before counting their tokens.
IMAGE_SEEN_SIDE = 1568
ACCEPTED = "an image (PNG, JPEG, GIF, WebP), a PDF or UTF-8 text"


class FileSource(Protocol):
    """The Files API as the attachments need it: the API client."""

    @property
    def base_url(self) -> str: ...

    def upload(self, name: str, data: bytes, media_type: str) -> str: ...


class Attachments:
    """The files queued for the next message, and the way every attached file is sent."""

    def __init__(
        self,
        folder: Path,
        api: FileSource,
        uploads: Uploads | None = None,
        mode: str = "upload",
        notify: Callable[[str], None] = lambda notice: None,
    ) -> None:
        self.folder = folder
        self.queued: list[Attachment] = []
        self.mode = mode
        self._api = api
        self._uploads = uploads
        self._notify = notify
        self._sent: dict[str, dict[str, Any]] = {}  # sha256: the API block, this process
        self._unsaved: dict[str, bytes] = {}  # queued files' bytes, kept once they are sent

    def attach(
        self, path: str, *, text_room: int, max_pages: int, images_before: int
    ) -> Attachment:
        """Read and check ``path`` and queue it for the next message."""
        many = images_before + sum(a.kind == "image" for a in self.queued) >= MANY_IMAGES
        try:
            where = Path(path).expanduser()
        except RuntimeError:  # ~someone who does not exist
            raise UsageError(f"{inert(path)}: no such user's home folder") from None
        attachment = self.read(where, text_room, max_pages, many)
        self.queued.append(attachment)
        return attachment

    def detach(self, number: int | None) -> list[Attachment]:
        """Drop queued file ``number`` (from 1), or all of them; what was dropped."""
        if number is None:
            dropped, self.queued = self.queued, []
        elif not 1 <= number <= len(self.queued):
            raise UsageError(f"no attachment {number}: {len(self.queued)} queued (/attach lists)")
        else:
            dropped = [self.queued.pop(number - 1)]
        queued = {a.sha256 for a in self.queued}
        for attachment in dropped:
            if attachment.sha256 not in queued:
                self._unsaved.pop(attachment.sha256, None)
        return dropped

    def take(self) -> list[Attachment]:
        """The queued files, kept on disk now that they are sent; the queue is empty after."""
        for attachment in self.queued:  # first: a failure leaves the queue as it was
            self._keep(attachment.sha256)
        taken, self.queued = self.queued, []
        return taken

    def _keep(self, sha: str) -> None:
        """Write a file's bytes under its sha256, atomically: a kill leaves no torn copy."""
        data = self._unsaved.get(sha)
        target = self.folder / sha
        if data is not None and not target.exists():
            try:
                paths.make_private_dir(self.folder)
                paths.write_private_bytes(target.with_suffix(".part"), data)
                target.with_suffix(".part").replace(target)
            except OSError as exc:
                raise StoreError(f"cannot keep a file in {self.folder}: {exc.strerror}") from None
        self._unsaved.pop(sha, None)

    def read(self, path: Path, text_room: int, max_pages: int, many: bool = False) -> Attachment:
        """Check and keep one file; every refusal is one line naming it, its size and the limit."""
        shown = inert(str(path))
        kind, media_type, data = _read_checked(path, shown, text_room)
        name = inert(path.name)
        if kind == "image":
            return self._keep_image(name, shown, data, media_type, many)
        if kind == "pdf":
            pages = pdf_pages(data)
            if pages > max_pages:
                raise UsageError(
                    f"{shown}: {pages} pages, more than the {max_pages} a request takes"
                )
            return self._kept(name, data, kind, media_type, pages * TOKENS_PER_PAGE, pages=pages)
        tokens = estimate_text(data.decode("utf-8", "replace"))
        return self._kept(name, data, kind, media_type, tokens)

    def _keep_image(
        self, name: str, shown: str, data: bytes, media_type: str, many: bool
    ) -> Attachment:
        size = image_size(data)
        if size is None or min(size) < 1:
            raise UsageError(f"{shown}: the image's size cannot be read; is the file whole?")
        side = MANY_IMAGES_SIDE if many else IMAGE_MAX_SIDE
        if max(size) > side or len(data) > IMAGE_MAX_BYTES:
            data, media_type, size = downscale(data, shown, side, IMAGE_MAX_BYTES)
        width, height = size
        scale = min(1.0, IMAGE_SEEN_SIDE / max(width, height))
        tokens = image_tokens(round(width * scale), round(height * scale))
        return self._kept(name, data, "image", media_type, tokens, width=width, height=height)

    def _kept(
        self, name: str, data: bytes, kind: Kind, media_type: str, tokens: int, **extra: int
    ) -> Attachment:
        sha = hashlib.sha256(data).hexdigest()
        self._unsaved[sha] = data
        return Attachment(sha, name, kind, media_type, len(data), tokens, **extra)  # type: ignore[arg-type]

    def resolve(self, block: dict[str, Any]) -> dict[str, Any]:
        """The block the API takes for an attachment: by file id, or the data inline."""
        attachment = from_block(block)
        sent = self._sent.get(attachment.sha256)
        if sent is not None:
            return sent
        known = self._known_id(attachment.sha256) if self.mode == "upload" else None
        if known is not None:  # the API has it: the local copy is not needed
            self._sent[attachment.sha256] = by_id(attachment, known)
            return self._sent[attachment.sha256]
        data = self._bytes(attachment.sha256)
        if data is None:
            self._notify(f"{attachment.name} is no longer kept in {self.folder}: sent without it")
            gone = f"[{attachment.name} was attached here; its copy is gone]"
            return {"type": "text", "text": gone}
        if self.mode == "upload":
            try:
                sent = by_id(attachment, self._file_id(attachment, data))
            except FilesUnavailableError as exc:
                self.mode = "inline"
                self._notify(f"{exc}: files are sent inline instead")
        self._sent[attachment.sha256] = sent or inline(attachment, data)
        return self._sent[attachment.sha256]

    def _bytes(self, sha: str) -> bytes | None:
        """A kept file's bytes, if they are there and still hash to their name."""
        if not is_sha256(sha):
            return None
        data = self._unsaved.get(sha)
        if data is None:
            try:
                data = (self.folder / sha).read_bytes()
            except OSError:
                return None
        return data if hashlib.sha256(data).hexdigest() == sha else None

    def _known_id(self, sha: str) -> str | None:
        return self._uploads.get(self._api.base_url, sha) if self._uploads else None

    def _file_id(self, attachment: Attachment, data: bytes) -> str:
        endpoint = self._api.base_url
        file_id = self._api.upload(attachment.name, data, attachment.media_type)
        if self._uploads is not None:  # unsaved, this process still knows it
            with contextlib.suppress(StoreError):
                self._uploads.put(endpoint, attachment.sha256, file_id)
        return file_id

    def forget(self, file_ids: list[str]) -> None:
        """The API lost these files: the next request uploads them again."""
        self._sent = {
            sha: block
            for sha, block in self._sent.items()
            if block.get("source", {}).get("file_id") not in file_ids
        }
        if self._uploads is not None:
            with contextlib.suppress(StoreError):
                self._uploads.forget(self._api.base_url, file_ids)


def delete_session(store: Store, folder: Path, session_id: str) -> int:
    """Delete a session, then the kept files no other message uses; how many files went."""
    messages = store.load(session_id).messages
    files = {a.sha256 for m in messages for a in attachments_of(m) if is_sha256(a.sha256)}
    store.delete(session_id)
    unused = files - store.used_files(files)
    for sha in unused:
        (folder / sha).unlink(missing_ok=True)
    return len(unused)


def _read_checked(path: Path, shown: str, text_room: int) -> tuple[Kind, str, bytes]:
    """Kind, media type and bytes; the size is known from stat before any byte is read."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise UsageError(f"{shown}: no such file") from None
    except OSError as exc:
        raise UsageError(f"{shown}: cannot be read ({exc.strerror})") from None
    if stat.S_ISDIR(info.st_mode):
        raise UsageError(f"{shown} is a folder: attach the files in it one by one")
    if not stat.S_ISREG(info.st_mode):
        raise UsageError(f"{shown} is a device or a pipe, not a file")
    if info.st_size == 0:
        raise UsageError(f"{shown} is empty")
    try:
        with path.open("rb") as file:
            head = file.read(HEAD)
            sniffed = sniff(head)
            if sniffed is None:
                raise UsageError(f"{shown}: not {ACCEPTED}")
            kind, media_type = sniffed
            limit = _limit(kind, text_room)
            if info.st_size > limit:
                raise UsageError(_too_big(shown, kind, info.st_size, limit))
            data = head + file.read(max(limit + 1 - len(head), 0))
    except OSError as exc:
        raise UsageError(f"{shown}: cannot be read ({exc.strerror})") from None
    if len(data) > limit:  # it grew while being read
        raise UsageError(_too_big(shown, kind, len(data), limit))
    if kind == "text" and not looks_like_text(data):
        raise UsageError(f"{shown}: not {ACCEPTED} (it is not UTF-8 throughout)")
    return kind, media_type, data


def _limit(kind: Kind, text_room: int) -> int:
    if kind == "image":
        return IMAGE_READ_MAX
    if kind == "pdf":
        return PDF_MAX_BYTES
    return text_room * 4  # about four bytes a token


def _too_big(shown: str, kind: Kind, size: int, limit: int) -> str:
    if kind == "text":
        return (
            f"{shown}: {human_size(size)} of text is more than the context can hold "
            f"(at most {human_size(limit)} here)"
        )
    what = "a request takes" if kind == "pdf" else "can be downscaled"
    return f"{shown}: {human_size(size)}, more than the {human_size(limit)} {what}"


def by_id(attachment: Attachment, file_id: str) -> dict[str, Any]:
    """An image or document block naming an uploaded file."""
    source = {"type": "file", "file_id": file_id}
    if attachment.kind == "image":
        return {"type": "image", "source": source}
    return {"type": "document", "source": source, "title": attachment.name}


def inline(attachment: Attachment, data: bytes) -> dict[str, Any]:
    """An image or document block carrying the file itself."""
    if attachment.kind == "text":
        text = data.decode("utf-8", "replace")
        source = {"type": "text", "media_type": "text/plain", "data": text}
        return {"type": "document", "source": source, "title": attachment.name}
    encoded = base64.standard_b64encode(data).decode("ascii")
    source = {"type": "base64", "media_type": attachment.media_type, "data": encoded}
    if attachment.kind == "image":
        return {"type": "image", "source": source}
    return {"type": "document", "source": source, "title": attachment.name}
