"""Roles: saved prompts from the config, for the chat, for ask, and as ask templates."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.api_double import ApiDouble
from tests.terminal import Terminal
from tests.test_cli import _run

READY = "tokens · /help"
CONFIG = """
[roles.reviewer]
system = "You review code."
model = "claude-opus-5-5"
effort = "high"

[roles.fr]
system = "Translate into French: {{input}}"
"""


@pytest.fixture
def with_roles(home: Path) -> None:
    """A config file with one role and one template role."""
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text(CONFIG)


def _body(api: ApiDouble) -> dict[str, object]:
    body = api.requests[-1].body
    assert isinstance(body, dict)
    return body


@pytest.mark.usefixtures("with_roles")
def test_ask_with_a_role_sends_its_system_prompt_and_model(
    app_env: dict[str, str], api: ApiDouble
) -> None:
    """ask --role NAME frames the question with the role; -m on the command line still wins."""
    assert _run(app_env, "ask", "--role", "reviewer", "look at this").returncode == 0
    body = _body(api)
    assert body["model"] == "claude-opus-5-5" and "You review code." in str(body["system"])
    assert body["output_config"] == {"effort": "high"}
    done = _run(app_env, "--role", "reviewer", "ask", "-m", "claude-haiku-5-5", "x")
    assert done.returncode == 0 and "takes no effort level: sent without" in done.stderr
    assert _body(api)["model"] == "claude-haiku-5-5" and "output_config" not in _body(api)


@pytest.mark.usefixtures("with_roles")
def test_a_template_role_takes_the_question_into_its_input_slot(
    app_env: dict[str, str], api: ApiDouble
) -> None:
    """{{input}} receives the question (piped text too); no system prompt is sent."""
    done = _run(app_env, "ask", "--role", "fr", "good morning", stdin=b"and goodbye")
    assert done.returncode == 0
    body = _body(api)
    text = body["messages"][-1]["content"][0]["text"]  # type: ignore[index]
    assert text == "Translate into French: good morning\n\nand goodbye"
    assert "system" not in body


@pytest.mark.usefixtures("with_roles")
def test_roles_list_and_an_unknown_role(app_env: dict[str, str]) -> None:
    """roles list shows each role; an unknown one is one line naming those that exist."""
    listed = _run(app_env, "roles", "list").stdout
    assert "reviewer  (claude-opus-5-5)  You review code." in listed
    assert "fr  (template for ask)" in listed
    done = _run(app_env, "ask", "--role", "nope", "hi")
    assert done.returncode == 2 and "unknown role 'nope' (fr, reviewer)" in done.stderr


@pytest.mark.usefixtures("with_roles")
def test_slash_role_sets_the_system_prompt_and_model(terminal: Terminal, api: ApiDouble) -> None:
    """/role lists roles; /role NAME frames the next request with it."""
    terminal.wait_for(READY)
    terminal.type("/role")
    terminal.press("enter")
    terminal.wait_for("You review code.")
    terminal.type("/role reviewer")
    terminal.press("enter")
    terminal.wait_for("Role: reviewer")
    terminal.type("hi")
    terminal.press("enter")
    terminal.wait_for("You said: hi")
    body = _body(api)
    assert body["model"] == "claude-opus-5-5" and "You review code." in str(body["system"])


def test_a_role_with_an_unknown_key_is_refused(app_env: dict[str, str], home: Path) -> None:
    """A typo inside [roles.NAME] is one line naming the key and its line."""
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text('[roles.x]\nsystem = "a"\nmodle = "m"\n')
    done = _run(app_env, "ask", "hi")
    assert done.returncode == 2 and ":3: unknown key 'roles.x.modle'" in done.stderr
