"""The tiny sample flow (one question, two outcomes) that the structure tests (flows/test_validator.py) and the words
tests (content/test_words.py) write into a kb/ of their own."""

import textwrap
from pathlib import Path

TINY_FLOW = """
id = "tiny"
start = "ask"

[[nodes]]
id = "ask"
type = "question"
answers = [{ id = "yes", next = "done" }, { id = "no", next = "later" }]

[[nodes]]
id = "done"
type = "outcome"
outcome = "appeal"

[[nodes]]
id = "later"
type = "outcome"
outcome = "wait"
"""


def write_flow(kb: Path, structure: str = TINY_FLOW) -> Path:
    """Writes `structure` as kb/flows/tiny.toml; returns its path."""
    (kb / "flows").mkdir(exist_ok=True)
    path = kb / "flows" / "tiny.toml"
    path.write_text(textwrap.dedent(structure))
    return path
