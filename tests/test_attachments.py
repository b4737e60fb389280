"""Files in the chat and in ask: told by content, checked first, uploaded once, sent by id."""

from __future__ import annotations

import io
import json
import struct
import sys
import zlib
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from claude_tui.api import ApiClient
from claude_tui.app import Chat, ChatSettings
from claude_tui.app.attachments import Attachments
from claude_tui.core.attachments import image_size, pdf_pages, sniff
from claude_tui.errors import UsageError
from claude_tui.store import Store
from claude_tui.ui.attach_commands import dropped_file
from claude_tui.ui.model_commands import parse_thinking
from tests.api_double import ApiDouble
from tests.terminal import Terminal
from tests.test_cli import _run

READY = "/help for commands"


def png(width: int, height: int) -> bytes:
    """A valid grey PNG, made without Pillow so size checks need no extra."""
    rows = b"".join(b"\x00" + b"\x80\x80\x80" * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def pdf(pages: int) -> bytes:
    """A small PDF with ``pages`` page objects."""
    objects = "".join(
        f"{n + 3} 0 obj << /Type /Page /Parent 2 0 R >> endobj\n" for n in range(pages)
    )
    head = (
        "%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        f"2 0 obj << /Type /Pages /Count {pages} >> endobj\n"
    )
    return (head + objects + "%%EOF\n").encode()


def _write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def _messages(api: ApiDouble) -> list[Any]:
    return [r for r in api.requests if r.path == "/v1/messages"]


def _uploads(api: ApiDouble) -> list[Any]:
    return [r for r in api.requests if r.path == "/v1/files"]


def _chat(api: ApiDouble, tmp_path: Path, model: str = "claude-sonnet-5-5") -> Chat:
    client = ApiClient(
        api_key=api.api_key, key_env="K", base_url=api.base_url, timeout=5, max_retries=0
    )
    chat = Chat(client, ChatSettings(model))
    chat.attachments = Attachments(tmp_path / "kept", client, notify=chat.notify)
    return chat


def test_kinds_are_told_by_content_not_by_name() -> None:
    """Magic bytes decide; UTF-8 is text; anything else is no kind at all."""
    assert sniff(png(2, 2)) == ("image", "image/png")
    assert sniff(pdf(1)) == ("pdf", "application/pdf")
    assert sniff("naïve text\n".encode()) == ("text", "text/plain")
    assert sniff(b"PK\x03\x04\x00\x00binary") is None
    assert image_size(png(40, 30)) == (40, 30) and pdf_pages(pdf(12)) == 12
    for fmt, kind in (("JPEG", "image/jpeg"), ("GIF", "image/gif"), ("WEBP", "image/webp")):
        out = io.BytesIO()
        Image.new("RGB", (33, 21)).save(out, format=fmt)
        assert sniff(out.getvalue()) == ("image", kind) and image_size(out.getvalue()) == (33, 21)


def test_each_kind_goes_through_ask_uploaded_once(
    app_env: dict[str, str], api: ApiDouble, tmp_path: Path
) -> None:
    """ask -a: an image, a PDF and a text file go up once each and are named by file id."""
    files = [
        _write(tmp_path, "shot.txt", png(40, 30)),  # a PNG whatever its name says
        _write(tmp_path, "paper.pdf", pdf(3)),
        _write(tmp_path, "notes.md", b"# Notes\nremember the milk\n"),
    ]
    args = [arg for f in files for arg in ("-a", str(f))]
    done = _run(app_env, "ask", *args, "what are these?")
    assert done.returncode == 0, done.stderr
    content = _messages(api)[-1].body["messages"][0]["content"]
    assert [b["type"] for b in content] == ["image", "document", "document", "text"]
    assert all(b["source"]["type"] == "file" for b in content[:3])
    assert [(f.filename, f.mime_type) for f in api.files.values()] == [
        ("shot.txt", "image/png"),
        ("paper.pdf", "application/pdf"),
        ("notes.md", "text/plain"),
    ]
    assert content[2]["title"] == "notes.md"
    again = _run(app_env, "ask", "-a", str(files[1]), "and this one?")
    assert again.returncode == 0 and len(_uploads(api)) == 3  # known by its sha256


def test_attach_in_the_chat_with_quotes_tilde_and_detach(
    app_env: dict[str, str], api: ApiDouble, tmp_path: Path
) -> None:
    """/attach takes quoted paths and ~, lists the queue, /detach drops; the send carries them."""
    _write(tmp_path, "my shot.png", png(40, 30))
    _write(tmp_path, "paper.pdf", pdf(2))
    terminal = Terminal([], {**app_env, "HOME": str(tmp_path)})
    try:
        terminal.wait_for(READY)
        terminal.type('/attach "~/my shot.png" ~/paper.pdf')
        terminal.press("enter")
        terminal.wait_for("paper.pdf · PDF · 2 pages")
        assert "my shot.png · image · 40x30 px" in terminal.text
        terminal.type("/detach 2")
        terminal.press("enter")
        terminal.wait_for("Detached paper.pdf.")
        terminal.type("/attach")
        terminal.press("enter")
        terminal.wait_for("/detach 1")
        terminal.type("what is in it?")
        terminal.press("enter")
        terminal.wait_for("You said: what is in it?")
        content = _messages(api)[-1].body["messages"][0]["content"]
        assert [b["type"] for b in content] == ["image", "text"]
        terminal.type("/context")
        terminal.press("enter")
        terminal.wait_for("1 attached file(s) ≈")
    finally:
        terminal.close()


def test_a_dragged_in_path_is_attached_not_sent(
    app_env: dict[str, str], api: ApiDouble, tmp_path: Path
) -> None:
    """A message that is only the path of an image is queued as a file; nothing is sent."""
    path = _write(tmp_path, "drag me.png", png(8, 8))
    terminal = Terminal([], app_env)
    try:
        terminal.wait_for(READY)
        terminal.paste(f"'{path}'")
        terminal.press("enter")
        terminal.wait_for("attached, not sent")
        assert not _messages(api)
    finally:
        terminal.close()


def test_uploaded_once_and_sent_by_id_across_turns_and_a_resume(
    app_env: dict[str, str], api: ApiDouble, tmp_path: Path
) -> None:
    """Later turns and a resumed session name the file id; the file goes up once."""
    image = _write(tmp_path, "chart.png", png(20, 20))
    first = Terminal([], app_env)
    try:
        first.wait_for(READY)
        first.type(f"/attach {image}")
        first.press("enter")
        first.type("look")
        first.press("enter")
        first.wait_for("You said: look")
        first.type("and now?")
        first.press("enter")
        first.wait_for("You said: and now?")
        first.press("ctrl-d")
        first.wait_exit()
    finally:
        first.close()
    resumed = Terminal(["-c"], app_env)
    try:
        resumed.wait_for("chart.png · image · 20x20 px")  # the replay lists the file
        resumed.type("still there?")
        resumed.press("enter")
        resumed.wait_for("You said: still there?")
    finally:
        resumed.close()
    ids = {
        block["source"]["file_id"]
        for request in _messages(api)
        for block in request.body["messages"][0]["content"]
        if block["type"] == "image"
    }
    assert len(_uploads(api)) == 1 and len(ids) == 1 and len(_messages(api)) == 3


def test_a_file_the_api_lost_is_uploaded_again(api: ApiDouble, tmp_path: Path) -> None:
    """The API no longer has the file id: it goes up again and the answer comes anyway."""
    chat = _chat(api, tmp_path)
    chat.attach(str(_write(tmp_path, "a.png", png(4, 4))))
    list(chat.send("one"))
    api.files.clear()
    list(chat.send("two"))
    assert chat.conversation.messages[-1].text == "You said: two"
    assert len(_uploads(api)) == 2


def test_without_the_files_api_files_go_inline(api: ApiDouble, tmp_path: Path) -> None:
    """A gateway without POST /v1/files: one notice, then base64 and plain text inline."""
    api.files_status = 404
    chat = _chat(api, tmp_path)
    chat.attach(str(_write(tmp_path, "a.png", png(4, 4))))
    chat.attach(str(_write(tmp_path, "b.txt", b"plain words")))
    list(chat.send("see"))
    image, text, _ = _messages(api)[-1].body["messages"][0]["content"]
    assert image["source"]["type"] == "base64" and image["source"]["media_type"] == "image/png"
    assert text["source"] == {"type": "text", "media_type": "text/plain", "data": "plain words"}
    assert chat.take_notices() == [
        f"{api.base_url} takes no file uploads (404): files are sent inline instead"
    ]


def test_a_model_that_cannot_read_the_file_gets_nothing(api: ApiDouble, tmp_path: Path) -> None:
    """haiku reads no PDFs: one line naming the model, nothing uploaded and nothing sent."""
    chat = _chat(api, tmp_path, "claude-haiku-5-5")
    with pytest.raises(
        UsageError, match=r"claude-haiku-5-5 does not read PDFs: p\.pdf is not sent"
    ):
        chat.attach(str(_write(tmp_path, "p.pdf", pdf(1))))
    assert not _uploads(api) and not _messages(api)
    assert chat.attachments is not None and chat.attachments.queued == []


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda d: d / "missing.png", "missing.png: no such file"),
        (lambda d: d, "is a folder: attach the files in it one by one"),
        (lambda d: Path("/dev/zero"), "/dev/zero is a device or a pipe, not a file"),
        (lambda d: _write(d, "blob.bin", b"\x00\x01\x02\xff" * 10), "not an image (PNG, JPEG"),
        (
            lambda d: _sparse(d / "big.pdf", 40 * 1024 * 1024),
            "big.pdf: 40 MB, more than the 32 MB a request takes",
        ),
        (lambda d: _write(d, "long.pdf", pdf(601)), "long.pdf: 601 pages, more than the 600"),
    ],
)
def test_bad_files_are_one_line_and_nothing_is_sent(
    app_env: dict[str, str], api: ApiDouble, tmp_path: Path, make: Any, words: str
) -> None:
    """Missing, a folder, a device, an unknown kind, too big, too long: one line, exit 2."""
    done = _run(app_env, "ask", "-a", str(make(tmp_path)), "hi")
    assert done.returncode == 2 and len(done.stderr.splitlines()) == 1, done.stderr
    assert words in done.stderr
    assert not _messages(api) and not _uploads(api)


def _sparse(path: Path, size: int) -> Path:
    with path.open("wb") as file:
        file.write(b"%PDF-1.7\n")
        file.truncate(size)
    return path


def test_an_image_too_large_is_downscaled_with_pillow(api: ApiDouble, tmp_path: Path) -> None:
    """A 9000 px PNG is sent at most 8000 px a side when Pillow is installed."""
    chat = _chat(api, tmp_path)
    kept = chat.attach(str(_write(tmp_path, "wide.png", png(9000, 20))))
    assert (kept.width, kept.height) == (8000, 18)
    list(chat.send("wide"))
    (upload,) = api.files.values()
    assert image_size(upload.data) == (8000, 18)


def test_an_image_too_large_without_pillow_is_refused_with_the_hint(
    api: ApiDouble, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without Pillow, the same PNG is one line with its size, the limit and the extra."""
    monkeypatch.setitem(sys.modules, "PIL.Image", None)
    chat = _chat(api, tmp_path)
    with pytest.raises(UsageError) as refused:
        chat.attach(str(_write(tmp_path, "wide.png", png(9000, 20))))
    assert "9000x20 px, more than the 8000 px a side" in str(refused.value)
    assert "pip install 'claude-tui[images]'" in str(refused.value)


def test_a_hostile_file_name_is_shown_inert(
    app_env: dict[str, str], api: ApiDouble, tmp_path: Path
) -> None:
    """An escape sequence in a file name reaches the screen as visible characters."""
    path = _write(tmp_path, "evil\x1b[2Jname.png", png(4, 4))
    terminal = Terminal([], app_env)
    try:
        terminal.wait_for(READY)
        terminal.paste(f"/attach '{path}'")  # typed, ESC would be the Esc key
        terminal.press("enter")
        terminal.wait_for("evil␛[2Jname.png · image")
        done = _run(app_env, "ask", "-a", str(tmp_path / "gone\x07.png"), "hi")
        assert "gone␇.png: no such file" in done.stderr and "\x07" not in done.stderr
    finally:
        terminal.close()


def test_deleting_a_session_removes_files_no_other_message_uses(
    app_env: dict[str, str], api: ApiDouble, tmp_path: Path, home: Path
) -> None:
    """sessions delete takes the session's files with it, unless another session uses them."""
    shared, own = _write(tmp_path, "s.png", png(3, 3)), _write(tmp_path, "o.png", png(5, 5))
    assert _run(app_env, "ask", "-a", str(shared), "-a", str(own), "one").returncode == 0
    assert _run(app_env, "ask", "-a", str(shared), "two").returncode == 0
    kept = home / "data" / "attachments"
    assert len(list(kept.iterdir())) == 2
    store = Store.open(home / "data" / "sessions.sqlite3")
    first = store.sessions()[-1]
    done = _run(app_env, "sessions", "delete", first.id, "--yes")
    assert "and 1 attached file no other session uses" in done.stdout
    assert len(list(kept.iterdir())) == 1
    assert all(p.stat().st_mode & 0o077 == 0 for p in kept.iterdir())


def test_exports_list_the_files(app_env: dict[str, str], api: ApiDouble, tmp_path: Path) -> None:
    """Markdown names each file; JSON keeps its metadata and sha256."""
    paper = _write(tmp_path, "paper.pdf", pdf(12))
    assert _run(app_env, "ask", "-a", str(paper), "summarise").returncode == 0
    markdown = _run(app_env, "sessions", "export", "summarise").stdout
    assert "paper.pdf · PDF · 12 pages" in markdown
    document = _run(app_env, "sessions", "export", "summarise", "--format", "json").stdout
    assert '"sha256"' in document and '"pages": 12' in document


def test_the_context_estimate_counts_files(api: ApiDouble, tmp_path: Path) -> None:
    """A 1568 px square image is about 3,278 tokens, and a page about 2,000."""
    chat = _chat(api, tmp_path)
    image = chat.attach(str(_write(tmp_path, "sq.png", png(1568, 1568))))
    paper = chat.attach(str(_write(tmp_path, "p.pdf", pdf(2))))
    assert (image.tokens, paper.tokens) == (3278, 4000)
    list(chat.send("both"))
    assert chat.context_tokens() > 7000


def test_an_imported_attachment_cannot_name_a_path(
    app_env: dict[str, str], api: ApiDouble, tmp_path: Path
) -> None:
    """A session file whose attachment 'sha256' is a path is refused whole, in one line."""
    secret = _write(tmp_path, "secret.txt", b"do not send")
    block = {"type": "attachment", "sha256": str(secret), "name": "x", "kind": "text"}
    block |= {"media_type": "text/plain", "size": 3, "tokens": 1}
    document = {
        "format": "claude-tui-session",
        "version": 1,
        "session": {"id": "s1", "title": "t", "model": "claude-sonnet-5-5"},
        "messages": [
            {"role": "user", "content": [block, {"type": "text", "text": "hi"}],
             "status": "complete", "model": None, "stop_reason": None},
        ],
    }  # fmt: skip
    path = _write(tmp_path, "evil.json", json.dumps(document).encode())
    done = _run(app_env, "sessions", "import", str(path))
    assert done.returncode != 0 and len(done.stderr.splitlines()) == 1
    assert "attachment without a valid sha256" in done.stderr
    chat = _chat(api, tmp_path)  # and should such a block reach a request anyway:
    sent = chat.attachments.resolve(block)  # type: ignore[union-attr]
    assert sent["type"] == "text" and "its copy is gone" in sent["text"]
    assert not _uploads(api)


def test_odd_input_is_one_line_never_a_traceback(api: ApiDouble, tmp_path: Path) -> None:
    """~nobody, a corrupt image, a 0x0 image and superscript digits: each a usage error."""
    chat = _chat(api, tmp_path)
    assert dropped_file("~nobody-zz9/x.png") is None
    corrupt = png(9000, 9000)[:40] + b"\x00" * 100
    zero = png(1, 1).replace(struct.pack(">II", 1, 1), struct.pack(">II", 0, 0), 1)
    for path in (
        "~nobody-zz9/x.png",
        _write(tmp_path, "c.png", corrupt),
        _write(tmp_path, "z.png", zero),
    ):
        with pytest.raises(UsageError):
            chat.attach(str(path))
    with pytest.raises(UsageError):
        parse_thinking("²")
    assert not list((tmp_path / "kept").glob("*"))  # nothing refused is kept


def test_a_detached_file_leaves_nothing_behind(api: ApiDouble, tmp_path: Path) -> None:
    """Files are kept on disk only once a message carries them."""
    chat = _chat(api, tmp_path)
    chat.attach(str(_write(tmp_path, "a.png", png(4, 4))))
    chat.attachments.detach(None)  # type: ignore[union-attr]
    assert not (tmp_path / "kept").exists()
    chat.attach(str(_write(tmp_path, "b.png", png(5, 5))))
    list(chat.send("now"))
    assert len(list((tmp_path / "kept").iterdir())) == 1


def test_more_than_twenty_images_must_be_small(api: ApiDouble, tmp_path: Path) -> None:
    """The 21st image makes a request the API would refuse if any is over 2000 px: one line."""
    chat = _chat(api, tmp_path)
    chat.attach(str(_write(tmp_path, "big.png", png(2500, 10))))
    for n in range(20):
        chat.attach(str(_write(tmp_path, f"s{n}.png", png(10 + n, 10))))
    with pytest.raises(UsageError, match="21 images, and above 20 the API takes at most 2000 px"):
        chat.send("all of them")
    assert not _messages(api)
