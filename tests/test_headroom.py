"""Rate-limit headroom: read from every response, shown when low, waited for, not 429ed."""

from __future__ import annotations

import time

import pytest

from claude_tui.api import ApiClient
from claude_tui.app import Chat, ChatSettings
from claude_tui.core.events import HeadroomSeen, Waiting
from claude_tui.core.ratelimits import Allowance, Headroom, headroom_from
from claude_tui.core.request import ChatRequest
from claude_tui.errors import RateLimitError
from tests.api_double import ApiDouble, Reply
from tests.terminal import Terminal

READY = "/help for commands"


def _client(api: ApiDouble) -> ApiClient:
    return ApiClient(
        api_key=api.api_key, key_env="K", base_url=api.base_url, timeout=5, max_retries=0
    )


def test_the_headers_read_as_allowances_with_their_reset() -> None:
    """Each kind's limit, remaining and RFC 3339 reset; unreadable or absent ones are skipped."""
    headroom = headroom_from(
        {
            "anthropic-ratelimit-requests-limit": "50",
            "anthropic-ratelimit-requests-remaining": "9",
            "anthropic-ratelimit-requests-reset": "2026-12-08T10:00:30Z",
            "anthropic-ratelimit-input-tokens-limit": "40000",
            "anthropic-ratelimit-input-tokens-remaining": "many",
        }
    )
    assert headroom is not None and len(headroom.allowances) == 1
    requests = headroom.get("requests")
    assert requests is not None and (requests.limit, requests.remaining) == (50, 9)
    assert requests.reset == 1_796_724_030.0 and requests.low
    assert headroom_from({"request-id": "req_1"}) is None


def test_the_client_reports_headroom_before_the_answer(api: ApiDouble) -> None:
    """The response's rate-limit headers arrive as the first event of the stream."""
    api.script(Reply(headroom=(("input-tokens", 40_000, 39_000, 60),)))
    request = ChatRequest("claude-sonnet-5-5", 100, [{"role": "user", "content": "hi"}])
    first = next(iter(_client(api).stream(request)))
    assert isinstance(first, HeadroomSeen)
    seen = first.headroom.get("input-tokens")
    assert seen is not None and seen.remaining == 39_000 and not seen.low


def test_the_double_refuses_a_request_the_headers_did_not_allow(api: ApiDouble) -> None:
    """Sent before the reset, a request past the allowance is a 429: what the wait avoids."""
    api.script(Reply(headroom=(("requests", 50, 0, 60),)))
    chat = Chat(_client(api), ChatSettings("claude-sonnet-5-5", 100))
    list(chat.send("one"))
    chat.headroom = None  # a client that ignored the headers
    with pytest.raises(RateLimitError):
        list(chat.send("two"))


def test_a_request_that_would_not_fit_waits_for_the_reset(api: ApiDouble) -> None:
    """With no requests left, the next send counts down to the reset, then gets its answer."""
    api.script(Reply(text="first", headroom=(("requests", 50, 0, 1.5),)))
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        time.sleep(seconds)

    chat = Chat(_client(api), ChatSettings("claude-sonnet-5-5", 100), sleep=sleep)
    list(chat.send("one"))
    events = list(chat.send("two"))
    waits = [e for e in events if isinstance(e, Waiting)]
    assert waits and waits[0].why == "no requests left" and waits[0].left_s <= 1.5
    assert chat.conversation.messages[-1].text == "You said: two"
    assert slept and all(s <= 1.0 for s in slept)


def test_closing_a_waiting_turn_sends_nothing(api: ApiDouble) -> None:
    """Ctrl-C during the countdown cancels the request: nothing is sent and nothing billed."""
    api.script(Reply(headroom=(("requests", 50, 0, 60),)))
    chat = Chat(_client(api), ChatSettings("claude-sonnet-5-5", 100))
    list(chat.send("one"))
    turn = chat.send("two")
    assert isinstance(next(iter(turn)), Waiting)
    turn.close()
    assert turn.result is not None and turn.result.status == "interrupted"
    assert len([r for r in api.requests if r.path == "/v1/messages"]) == 1


def test_low_headroom_is_in_the_toolbar_and_the_countdown_on_screen(
    terminal: Terminal, api: ApiDouble
) -> None:
    """Below a fifth, the toolbar shows what is left and when; a wait shows its countdown."""
    api.script(
        Reply(text="noted", headroom=(("input-tokens", 40_000, 1_000, 600),)),
        Reply(text="then", headroom=(("requests", 50, 0, 2),)),
    )
    terminal.wait_for(READY)
    terminal.type("one")
    terminal.press("enter")
    terminal.wait_for("headroom: input 1,000/40,000 until")
    terminal.type("two")
    terminal.press("enter")
    terminal.wait_for("then")
    terminal.type("three")
    terminal.press("enter")
    terminal.wait_for("for the rate limit to reset (no requests left) · Ctrl-C cancels")
    terminal.wait_for("You said: three")


def test_a_far_reset_is_left_to_the_api() -> None:
    """A reset more than two minutes away (or a drifting clock) makes no silent wait."""
    near = Headroom((Allowance("requests", 50, 0, 1_000.0 + 30),))
    far = Headroom((Allowance("requests", 50, 0, 1_000.0 + 600),))
    assert near.wait_before(10, 1_000.0) == (30.0, "no requests left")
    assert far.wait_before(10, 1_000.0) is None
