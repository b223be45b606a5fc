"""Reference codes a customer can read aloud: no 0/O, 1/I/L, or U/V pairs to mix up."""

import re
import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTWXYZ"
GROUP = 4
PATTERN = re.compile(rf"^[{ALPHABET}]{{{GROUP}}}-[{ALPHABET}]{{{GROUP}}}$")


def new_ref_code() -> str:
    chars = "".join(secrets.choice(ALPHABET) for _ in range(GROUP * 2))
    return f"{chars[:GROUP]}-{chars[GROUP:]}"


def normalize_ref_code(text: str) -> str:
    """What a customer typed or dictated (any case, spaces, missing dash) in the stored form."""
    chars = re.sub(r"[^0-9A-Za-z]", "", text or "").upper()
    return f"{chars[:GROUP]}-{chars[GROUP:]}" if len(chars) == GROUP * 2 else chars
