"""Command-line entry: parse flags, build the app, hand over. No chat logic lives here."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from claude_tui import __version__, paths
from claude_tui.config import (
    INPUT_SLOT,
    Config,
    config_to_toml,
    example_config_text,
    load_config,
    role_settings,
)
from claude_tui.core.inert import inert
from claude_tui.core.redact import redact
from claude_tui.core.utf8 import is_utf8
from claude_tui.errors import ClaudeTuiError, ConfigError, UsageError
from claude_tui.interrupts import restore_ctrl_c

if TYPE_CHECKING:
    from rich.console import Console

    from claude_tui.store import Store

# Plain help (no boxes, no "<bool>" after flags as if they took a value).
PLAIN_HELP = {"rich_markup_mode": None}
app = typer.Typer(
    add_completion=True,
    pretty_exceptions_enable=False,
    help="Chat with Claude in your terminal.",
    context_settings={"help_option_names": ["-h", "--help"]},
    **PLAIN_HELP,  # type: ignore[arg-type]
)
config_app = typer.Typer(
    help="Where the config file is, what it says, or create it.",
    **PLAIN_HELP,  # type: ignore[arg-type]
)
app.add_typer(config_app, name="config")
sessions_app = typer.Typer(
    help="List, show, search, export, import, rename or delete saved sessions.",
    **PLAIN_HELP,  # type: ignore[arg-type]
)
app.add_typer(sessions_app, name="sessions")
roles_app = typer.Typer(help="The saved prompts of [roles.NAME] in the config.", **PLAIN_HELP)  # type: ignore[arg-type]
app.add_typer(roles_app, name="roles")

# Set by the shell completion scripts `--show-completion` prints.
COMPLETE_VARIABLE = "_CLAUDE_TUI_COMPLETE"
# `-r` with no value opens the picker; click cannot express an optional option value,
# so main() fills in this marker when -r/--resume is not followed by a value.
PICK = ":pick:"
# Subcommand names, which can never be the session reference after -r.
SUBCOMMANDS = frozenset({"ask", "config", "cost", "roles", "sessions"})


def _session_ids(incomplete: str) -> list[tuple[str, str]]:
    """Shell completion: recent session ids starting with what is typed, with their titles."""
    try:
        from claude_tui.core.inert import inert

        sessions = _store().sessions(200)
    except ClaudeTuiError:
        return []
    return [(s.id, inert(s.title)) for s in sessions if s.id.startswith(incomplete)]


SessionRef = Annotated[
    str, typer.Argument(help="Session id prefix or title.", autocompletion=_session_ids)
]


def _model_ids(incomplete: str) -> list[str]:
    """Shell completion: model ids from the lists kept in the database (never the network)."""
    try:
        ids = _store().model_lists.ids()
    except ClaudeTuiError:
        return []
    return [model for model in ids if model.startswith(incomplete)]


def _role_names(incomplete: str) -> list[str]:
    """Shell completion: the roles of the default config file."""
    try:
        roles = load_config(None, os.environ, {}).roles
    except ClaudeTuiError:
        return []
    return sorted(name for name in roles if name.startswith(incomplete))


ModelOption = Annotated[
    str | None,
    typer.Option("--model", "-m", help="Model id to use.", autocompletion=_model_ids),
]
RoleOption = Annotated[
    str | None,
    typer.Option(
        "--role",
        help="A saved prompt from [roles.NAME] in the config.",
        autocompletion=_role_names,
    ),
]
SystemOption = Annotated[str | None, typer.Option("--system", "-s", help="System prompt.")]


@dataclass
class Options:
    """The root flags, handed to subcommands through click's context."""

    config_file: Path | None
    model: str | None
    system: str | None
    role: str | None = None

    def load(self, role: str | None = None, **overrides: object) -> Config:
        """The effective config: these flags over the role over the environment over the file."""
        flags = {"model": self.model, "system": self.system}
        flags.update({k: v for k, v in overrides.items() if v is not None})
        flags = {k: v for k, v in flags.items() if v is not None}
        role = role or self.role
        if role is not None:
            base = load_config(self.config_file, os.environ, {})
            flags = {**role_settings(base, role), **flags}
        return load_config(self.config_file, os.environ, flags, warn=_warn)


def _warn(message: str) -> None:
    typer.echo(f"claude-tui: warning: {message}", err=True)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"claude-tui {__version__}")
        raise typer.Exit()


@contextmanager
def _friendly_errors() -> Iterator[None]:
    """One line on stderr and a non-zero exit for every error we can explain."""
    try:
        yield
    except ClaudeTuiError as exc:
        typer.echo(f"claude-tui: error: {redact(str(exc))}", err=True)
        raise typer.Exit(exc.exit_code) from None
    except KeyboardInterrupt:
        raise typer.Exit(130) from None


@app.callback(invoke_without_command=True)
def root(
    ctx: typer.Context,
    model: ModelOption = None,
    system: SystemOption = None,
    role: RoleOption = None,
    config: Annotated[
        Path | None, typer.Option("--config", "-C", help="Config file to use instead.")
    ] = None,
    continue_: Annotated[
        bool, typer.Option("--continue", "-c", help="Resume the most recent session.")
    ] = False,
    resume: Annotated[
        str | None,
        typer.Option(
            "--resume",
            "-r",
            help="Resume a session by id prefix or title; alone, pick one.",
            autocompletion=_session_ids,
        ),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show version.")
    ] = False,
) -> None:
    """Chat with Claude in your terminal; with no command, open the interactive chat."""
    ctx.obj = Options(config, model, system, role)
    if ctx.invoked_subcommand is not None:
        return
    raise typer.Exit(_chat(ctx.obj, continue_, resume))


def _chat(options: Options, continue_: bool = False, resume: str | None = None) -> int:
    """What claude-tui does without a command: the chat, or one answer to piped input."""
    with _friendly_errors():
        if not sys.stdin.isatty():
            return _ask(options, "", None, [])
        from claude_tui.ui.launch import Resume, run_repl

        how = Resume(
            latest=continue_,
            ref=None if resume in (None, PICK) else resume,
            pick=resume == PICK,
            model_flag=options.model,
        )
        return run_repl(options.load(), os.environ, how)


@app.command()
def ask(
    ctx: typer.Context,
    question: Annotated[list[str] | None, typer.Argument(help="The question; or pipe it.")] = None,
    model: ModelOption = None,
    system: SystemOption = None,
    role: RoleOption = None,
    attach: Annotated[
        list[str] | None,
        typer.Option(
            "--attach", "-a", help="A file to send with the question: image, PDF or text."
        ),
    ] = None,
    web: Annotated[
        bool, typer.Option("--web", help="Let the model search and fetch the web, with sources.")
    ] = False,
) -> None:
    """Ask one question and stream the answer to stdout (plain text when piped)."""
    with _friendly_errors():
        text = " ".join(question or [])
        files = attach or []
        raise typer.Exit(_ask(ctx.obj, text, role, files, web, model=model, system=system))


def _ask(
    options: Options,
    text: str,
    role: str | None,
    files: list[str],
    web: bool = False,
    **overrides: object,
) -> int:
    """A question from the arguments, from a pipe, or both (the piped text after it).

    A template role takes the question into its ``{{input}}``.
    """
    from claude_tui.ui.ask import run_ask

    config = options.load(role, **overrides)
    if web:
        config = replace(config, web=replace(config.web, enabled=True))
    piped = "" if sys.stdin.isatty() else _read_stdin()
    question = "\n\n".join(part for part in (text, piped) if part.strip())
    template = config.roles.get(role or options.role or "")
    if template is not None and template.template and question.strip():
        question = template.system.replace(INPUT_SLOT, question)  # type: ignore[union-attr]
    return run_ask(config, os.environ, question, files)


@roles_app.command("list")
def roles_list(ctx: typer.Context) -> None:
    """The saved prompts in the config: name, model, and the prompt's first line."""
    with _friendly_errors():
        roles = ctx.obj.load().roles
        if not roles:
            typer.echo("No roles yet: add [roles.NAME] with system (and model) to the config.")
        for name, role in sorted(roles.items()):
            first = inert((role.system or "").strip().split("\n", 1)[0])
            kind = "template for ask" if role.template else (role.model or "default model")
            typer.echo(f"{inert(name)}  ({inert(kind)})  {first}")


def _read_stdin() -> str:
    data = sys.stdin.buffer.read()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(f"standard input is not valid UTF-8 (byte {exc.start})") from None


@app.command()
def cost(
    ctx: typer.Context,
    by: Annotated[str, typer.Option("--by", "-b", help="day, model or session.")] = "model",
    since: Annotated[
        str | None, typer.Option("--since", help="First day: YYYY-MM-DD, today, or 7d.")
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", "-n", min=0, help="Sessions to show (0: all).")
    ] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """What your API calls cost, by model, day (with a chart) or session."""
    from datetime import date

    from claude_tui.app.wiring import price_table
    from claude_tui.ui import cost_command

    with _friendly_errors():
        today = date.today()
        query = cost_command.cost_query(by, since, limit, today)
        checked = price_table(ctx.obj.load()).checked
        cost_command.show_cost(_store(), _console(), query, checked, today, as_json)


@config_app.command("path")
def config_path(ctx: typer.Context) -> None:
    """Print the config file's path."""
    typer.echo(str(ctx.obj.config_file or paths.config_path(os.environ)))


@config_app.command("show")
def config_show(ctx: typer.Context) -> None:
    """Print the effective configuration (file, environment and flags applied)."""
    with _friendly_errors():
        typer.echo(config_to_toml(ctx.obj.load()), nl=False)


@config_app.command("init")
def config_init(
    ctx: typer.Context,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a commented config file with every key at its default."""
    with _friendly_errors():
        path = ctx.obj.config_file or paths.config_path(os.environ)
        if path.exists() and not force:
            raise UsageError(f"{path} already exists (use --force to overwrite it)")
        try:
            paths.make_private_dir(path.parent)
            paths.write_private(path, example_config_text())
        except OSError as exc:
            raise ConfigError(f"cannot write {path}: {exc.strerror or exc}") from None
        typer.echo(f"wrote {path}")


@sessions_app.command("list")
def sessions_list(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="How many.")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Recent sessions, newest first."""
    from claude_tui.ui import session_commands

    with _friendly_errors():
        session_commands.list_sessions(_store(), _console(), limit, as_json)


@sessions_app.command("show")
def sessions_show(
    ctx: typer.Context,
    ref: SessionRef,
    branch: Annotated[
        int | None, typer.Option("--branch", help="This branch, not the active one.")
    ] = None,
    all_branches: Annotated[bool, typer.Option("--all", help="Every branch.")] = False,
) -> None:
    """Print a session (its active branch), rendered."""
    from claude_tui.ui import session_commands
    from claude_tui.ui.look import look_for

    with _friendly_errors():
        config = ctx.obj.load()
        look = look_for(config)
        console = look.styled(_console())
        session_commands.show_session(_store(), console, ref, look, branch, all_branches)


@sessions_app.command("rename")
def sessions_rename(ref: SessionRef, title: str) -> None:
    """Give a session a new title."""
    with _friendly_errors():
        store = _store()
        session_id = store.resolve(ref).id
        store.rename(session_id, title)
        typer.echo(f"renamed {session_id} to “{inert(title)}”")


@sessions_app.command("delete")
def sessions_delete(
    ref: SessionRef, yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False
) -> None:
    """Delete a session and its messages (asks first)."""
    with _friendly_errors():
        store = _store()
        info = store.resolve(ref)
        if not yes:
            if not sys.stdin.isatty():
                raise UsageError("not deleting without confirmation: add --yes")
            if not typer.confirm(f"Delete {info.id} “{info.title}”?", default=False):
                raise typer.Exit(1)
        from claude_tui.app.attachments import delete_session
        from claude_tui.app.wiring import attachments_folder

        files = delete_session(store, attachments_folder(os.environ), info.id)
        kept = f" and {files} attached file{'s' if files != 1 else ''} no other session uses"
        typer.echo(f"deleted {info.id}{kept if files else ''}")


@sessions_app.command("export")
def sessions_export(
    ref: SessionRef,
    fmt: Annotated[
        str | None,
        typer.Option("--format", "-f", help="md, json or html (default: from -o's name)."),
    ] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File.")] = None,
    all_branches: Annotated[
        bool, typer.Option("--all", help="Every branch (JSON keeps their links for import).")
    ] = False,
) -> None:
    """Write a session's active branch as Markdown, JSON or HTML (stdout unless -o)."""
    from claude_tui.ui import session_commands

    with _friendly_errors():
        suffix = output.suffix.lower() if output is not None else ""
        fmt = fmt or session_commands.SUFFIX_FORMATS.get(suffix, "md")
        store = _store()
        session_commands.export_session(
            store, sys.stdout, ref, fmt, output, all_branches=all_branches
        )


@sessions_app.command("import")
def sessions_import(
    file: Annotated[Path, typer.Argument(help="A JSON export or recovery file.")],
) -> None:
    """Load a session exported as JSON, or a recovery file of writes that failed."""
    from claude_tui.ui import session_commands

    with _friendly_errors():
        typer.echo(session_commands.import_file(_store(), file))


@sessions_app.command("search")
def sessions_search(
    query: str, as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False
) -> None:
    """Full-text search over every message; matching sessions, newest first."""
    from claude_tui.ui import session_commands

    with _friendly_errors():
        session_commands.search_sessions(_store(), _console(), query, as_json)


def _store() -> Store:
    from claude_tui.app import open_store

    return open_store(os.environ)


def _console() -> Console:
    """The terminal, or for a pipe a file whose lines carry no padding to the width."""
    from rich.console import Console

    if sys.stdout.isatty():
        return Console(highlight=False)
    from claude_tui.ui.plain import Unpadded

    return Console(file=Unpadded(sys.stdout), highlight=False)


def main(argv: list[str] | None = None) -> None:
    """The ``claude-tui`` script."""
    restore_ctrl_c()
    args = sys.argv[1:] if argv is None else argv
    for number, arg in enumerate(args, start=1):
        if not is_utf8(arg):
            typer.echo(f"claude-tui: error: argument {number} is not valid UTF-8", err=True)
            raise SystemExit(UsageError.exit_code)
    args = _fill_optional_resume(args)
    if not args and COMPLETE_VARIABLE not in os.environ:
        sys.exit(_bare_chat())
    sys.exit(_run_app(args))


def _run_app(args: list[str]) -> int:
    """typer's commands; a usage error is one line, like every other error."""
    try:
        result = app(args=args, prog_name="claude-tui", standalone_mode=False)
    except typer.Abort:
        return 1
    except typer.TyperException as exc:  # click's usage errors: a missing argument, a typo
        message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
        context = getattr(exc, "ctx", None)
        where = context.command_path if context is not None else "claude-tui"
        typer.echo(f"claude-tui: error: {message} (see {where} -h)", err=True)
        return int(getattr(exc, "exit_code", UsageError.exit_code))
    return result if isinstance(result, int) else 0


def _bare_chat() -> int:
    """``claude-tui`` alone: the chat, without asking typer to parse no arguments.

    typer builds a pydantic TypeAdapter for every option before it looks at the value,
    even one left at its default: pydantic's import and the schemas cost more CPU
    before the prompt than anything of ours.
    """
    try:
        return _chat(Options(None, None, None))
    except typer.Exit as exc:
        return exc.exit_code


def _fill_optional_resume(argv: list[str]) -> list[str]:
    """Give a bare -r/--resume the picker marker, so it needs no value."""
    filled: list[str] = []
    for index, arg in enumerate(argv):
        filled.append(arg)
        following = argv[index + 1] if index + 1 < len(argv) else None
        bare = following is None or following.startswith("-") or following in SUBCOMMANDS
        if arg in ("-r", "--resume") and bare:
            filled.append(PICK)
    return filled
