"""Pure Python, no I/O: events, conversation, token estimates."""
