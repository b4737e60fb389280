"""Marks shared by the prompt and the replay of saved turns, so both look the same."""

PROMPT = "\N{HEAVY RIGHT-POINTING ANGLE QUOTATION MARK ORNAMENT} "
