"""The web as server tools: searches and fetches shown, sources cited, blocks sent back."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from rich.console import Console

from claude_tui.api import ApiClient
from claude_tui.app import Chat, ChatSettings
from claude_tui.app.meter import Meter
from claude_tui.core.conversation import Conversation, Message
from claude_tui.core.tokens import estimate_text
from claude_tui.core.web import WebSettings
from claude_tui.errors import AccessDeniedError, UsageError
from claude_tui.store import Store
from claude_tui.ui.look import PLAIN
from claude_tui.ui.sessions_view import replay
from claude_tui.ui.turn_view import TurnView
from tests.api_double import ApiDouble, Reply, WebStep
from tests.sinks import Collected
from tests.terminal import Terminal
from tests.test_cli import _run
from tests.test_money import PRICES

READY = "/help for commands"
RESULTS = (
    ("Python 3.14 released", "https://www.python.org/downloads/", "2 days ago"),
    ("What's new in 3.14", "https://docs.python.org/3.14/whatsnew/", ""),
)
SEARCH = Reply(
    preamble="Let me look that up.",
    web=(WebStep("python 3.14 release", results=RESULTS),),
    cited=(("Python 3.14 came out in October.", 0, 0), (" It adds template strings.", 0, 1)),
    text=" That is all.",
)


def _chat(api: ApiDouble, model: str = "claude-sonnet-5-5", **kw: object) -> Chat:
    client = ApiClient(
        api_key=api.api_key, key_env="K", base_url=api.base_url, timeout=5, max_retries=0
    )
    return Chat(client, ChatSettings(model, web=WebSettings(enabled=True)), **kw)  # type: ignore[arg-type]


def _messages(api: ApiDouble) -> list[dict[str, object]]:
    return [r.body for r in api.requests if r.path == "/v1/messages"]


def test_a_search_turn_is_kept_whole_and_sent_back_unchanged(api: ApiDouble) -> None:
    """Every block of the answer is stored and goes back byte for byte in the next request."""
    api.script(SEARCH)
    chat = _chat(api)
    list(chat.send("what is new in python?"))
    first = _messages(api)[0]
    assert [t["type"] for t in first["tools"]] == ["web_search_20260318", "web_fetch_20260318"]  # type: ignore[index]
    answer = chat.conversation.messages[-1]
    kinds = [b["type"] for b in answer.content]
    assert kinds == ["text", "server_tool_use", "web_search_tool_result", "text", "text", "text"]
    assert answer.content[1]["input"] == {"query": "python 3.14 release"}
    list(chat.send("and then?"))
    streamed = next(iter(api.answers.values()))
    sent_back = _messages(api)[1]["messages"][1]["content"]  # type: ignore[index]
    assert json.dumps(sent_back, sort_keys=True) == json.dumps(streamed, sort_keys=True)


def test_the_search_is_billed_at_a_cent(api: ApiDouble) -> None:
    """One search: web_search_requests 1 in the ledger and $0.01 on top of the tokens."""
    records = Collected()
    chat = _chat(api, meter=Meter(PRICES, records, estimate_text))
    api.script(SEARCH)
    list(chat.send("search"))
    api.script(Reply(text=SEARCH.text))
    list(chat.send("plain"))
    searched, plain = records
    assert searched.usage.web_search_requests == 1 and plain.usage.web_search_requests == 0
    tokens_only = PRICES.charge("claude-sonnet-5-5", replace(searched.usage, web_search_requests=0))
    assert tokens_only.cost is not None
    assert searched.charge.cost == tokens_only.cost + Decimal("0.01")


def test_the_screen_equals_a_replay_of_the_same_blocks(api: ApiDouble) -> None:
    """Streamed with lines, markers and sources, the answer reads as its replay does."""
    api.script(SEARCH)
    chat = _chat(api)
    streamed = Console(file=io.StringIO(), width=80, record=True, color_system=None)
    errors = Console(file=io.StringIO(), width=80)
    TurnView(streamed, errors, look=PLAIN).show(chat.send("new in python?"))
    replayed = Console(file=io.StringIO(), width=80, record=True, color_system=None)
    answer = chat.conversation.messages[-1]
    replay(replayed, Conversation(messages=[answer]), PLAIN)
    shown = streamed.export_text().split("\n")
    body = [line.rstrip() for line in shown if line.strip()][:-1]  # the footer last
    again = [line.rstrip() for line in replayed.export_text().split("\n") if line.strip()]
    assert body == again
    assert "  searching: python 3.14 release" in body
    assert "  Python 3.14 released · python.org · 2 days ago" in body
    assert any("October. [1] It adds template strings. [2] That is all." in b for b in body)
    assert "[2] What's new in 3.14 https://docs.python.org/3.14/whatsnew/" in body


def test_in_the_chat_status_lines_markers_and_sources_show_inert(
    terminal: Terminal, api: ApiDouble
) -> None:
    """/web on, then a search whose result title holds an escape sequence, shown as text."""
    hostile = (("\x1b]0;pwned\x07Evil page", "https://evil.example/", ""), *RESULTS)
    api.script(Reply(**{**SEARCH.__dict__, "web": (WebStep("python", results=hostile),)}))
    terminal.wait_for(READY)
    terminal.type("/web on")
    terminal.press("enter")
    terminal.wait_for("Web: on (search, fetch; 5 uses a request)")
    terminal.wait_for("claude-sonnet-5-5 · web · context")
    terminal.type("what changed?")
    terminal.press("enter")
    terminal.wait_for("Sources")
    screen = terminal.wait_for("first token")
    assert "searching: python" in screen and "␛]0;pwned␇Evil page · evil.example" in screen
    assert "[1] ␛]0;pwned␇Evil page https://evil.example/" in screen
    assert b"\x1b]0;pwned" not in terminal.raw


def test_a_tool_error_is_one_line_and_the_answer_goes_on(api: ApiDouble) -> None:
    """max_uses_exceeded inside the search result: a dim line, then the rest of the answer."""
    api.script(Reply(web=(WebStep("q", error="max_uses_exceeded"),), text="From memory, then."))
    chat = _chat(api)
    shown = Console(file=io.StringIO(), width=80, record=True, color_system=None)
    TurnView(shown, Console(file=io.StringIO()), look=PLAIN).show(chat.send("q?"))
    text = shown.export_text()
    assert "search failed: the search limit for this request was reached" in text
    assert "From memory, then." in text


def test_a_paused_turn_goes_on_by_itself(terminal: Terminal, api: ApiDouble) -> None:
    """pause_turn: the turn is sent back as it is and continues, and the screen says so."""
    api.script(
        Reply(
            web=(WebStep("slow search", results=RESULTS[:1]),),
            text="Still",
            stop_reason="pause_turn",
        ),
        Reply(text=" done."),
    )
    terminal.wait_for(READY)
    terminal.type("/web on")
    terminal.press("enter")
    terminal.type("go")
    terminal.press("enter")
    terminal.wait_for("the web tools are still at work: going on (1)")
    terminal.wait_for("done.")
    again = _messages(api)[-1]["messages"]  # type: ignore[index]
    assert again[-1]["role"] == "assistant"  # type: ignore[index]
    assert [b["type"] for b in again[-1]["content"]][:2] == [
        "server_tool_use",
        "web_search_tool_result",
    ]  # type: ignore[index]


def test_a_paused_turn_joins_its_continuation(api: ApiDouble) -> None:
    """Both parts become one stored answer with every block, in order."""
    api.script(
        Reply(web=(WebStep("s", results=RESULTS[:1]),), text="Part one", stop_reason="pause_turn"),
        Reply(text=" and two."),
    )
    chat = _chat(api)
    list(chat.send("go"))
    list(chat.continue_paused())
    (question, answer) = chat.conversation.messages
    assert [b["type"] for b in answer.content] == [
        "server_tool_use", "web_search_tool_result", "text", "text"
    ]  # fmt: skip
    assert answer.text == "Part one and two." and answer.stop_reason == "end_turn"
    assert question.text == "go"


def test_a_fetch_turn_shows_the_page(api: ApiDouble) -> None:
    """web_fetch: fetching the URL, then which page came back."""
    api.script(Reply(web=(WebStep("https://example.com/a", fetch=True),), text="It says hi."))
    chat = _chat(api)
    shown = Console(file=io.StringIO(), width=80, record=True, color_system=None)
    TurnView(shown, Console(file=io.StringIO()), look=PLAIN).show(chat.send("read it"))
    text = shown.export_text()
    assert "fetching: https://example.com/a" in text and "fetched https://example.com/a" in text
    assert chat.conversation.messages[-1].content[1]["type"] == "web_fetch_tool_result"


def test_web_on_is_refused_for_a_model_without_server_tools(api: ApiDouble) -> None:
    """haiku's capabilities say no web search: /web on is one line."""
    chat = _chat(api, "claude-haiku-5-5")
    with pytest.raises(UsageError, match="claude-haiku-5-5 cannot search the web"):
        chat.set_web(True)


def test_an_organisation_without_web_search_gets_one_line(api: ApiDouble) -> None:
    """The admin turned web search off: the refusal says so and how to go on."""
    api.web_enabled = False
    chat = _chat(api)
    with pytest.raises(AccessDeniedError, match="web search is turned off for your organisation"):
        list(chat.send("search"))


def test_ask_web_piped_writes_markers_and_footnotes(
    app_env: dict[str, str], api: ApiDouble, tmp_path: Path
) -> None:
    """ask --web to a pipe: the markers after the cited text and the sources as references."""
    api.script(SEARCH)
    done = _run(app_env, "ask", "--web", "what is new?")
    assert done.returncode == 0, done.stderr
    assert "October. [^1] It adds template strings. [^2] That is all." in done.stdout
    assert "[^1]: Python 3.14 released <https://www.python.org/downloads/>" in done.stdout
    assert "searching: python 3.14 release" in done.stderr
    assert _messages(api)[-1]["tools"]
    cost = json.loads(_run(app_env, "cost", "--json").stdout)
    assert json.dumps(cost).count('"web_search_requests": 1') >= 1


def test_in_a_real_chat_the_blocks_go_back_and_the_search_is_billed(
    terminal: Terminal, api: ApiDouble, home: Path
) -> None:
    """In the pty: the second request carries the server blocks back byte for byte, and the
    ledger holds the search at a cent on top of the tokens."""
    api.script(SEARCH)
    terminal.wait_for(READY)
    terminal.type("/web on")
    terminal.press("enter")
    terminal.type("search it")
    terminal.press("enter")
    terminal.wait_for("Sources")
    terminal.type("thanks")
    terminal.press("enter")
    terminal.wait_for("You said: thanks")
    streamed = next(iter(api.answers.values()))
    sent_back = _messages(api)[-1]["messages"][1]["content"]  # type: ignore[index]
    assert json.dumps(sent_back, sort_keys=True) == json.dumps(streamed, sort_keys=True)
    terminal.press("ctrl-d")
    terminal.wait_exit()
    ledger = Store.open(home / "data" / "sessions.sqlite3").ledger
    totals = ledger.since()
    assert totals.usage.web_search_requests == 1
    rows = ledger.grouped("model")
    (model, searched) = rows[0]
    tokens_only = PRICES.charge(model, replace(searched.usage, web_search_requests=0)).cost
    assert tokens_only is not None and searched.cost == tokens_only + Decimal("0.01")


def test_a_search_stopped_before_its_result_is_not_sent_back(api: ApiDouble) -> None:
    """Ctrl-C while the first search runs: the lone call is dropped, the next send is valid."""
    chat = _chat(api)
    chat.conversation.add_user("search")
    lone = {"type": "server_tool_use", "id": "srvtoolu_1", "name": "web_search", "input": {}}
    chat.conversation.add_assistant(Message("assistant", [lone], "interrupted"))
    list(chat.send("again"))
    assert [m["role"] for m in _messages(api)[-1]["messages"]] == ["user"]
    assert chat.conversation.messages[-1].text == "You said: again"
