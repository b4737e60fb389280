"""The baseline for the end-to-end figures: the SDK's own streaming example, nothing more.

It reads ANTHROPIC_API_KEY and ANTHROPIC_BASE_URL like the SDK always does and
asks with claude-tui's default model and max_tokens, so both sides send the same
request.

    python benchmarks/bare_sdk.py "question"
"""

from __future__ import annotations

import sys

import anthropic


def main() -> None:
    client = anthropic.Anthropic()
    question = {"role": "user", "content": sys.argv[1]}
    with client.messages.stream(
        model="claude-sonnet-5-5", max_tokens=8192, messages=[question]
    ) as stream:
        for text in stream.text_stream:
            print(text, end="", flush=True)
    print()


if __name__ == "__main__":
    main()
