"""Reference codes a customer can read aloud: no 0/O, 1/I/L, or U/V pairs to mix up."""

import itertools
import re
import secrets
import unicodedata

ALPHABET = "23456789ABCDEFGHJKMNPQRSTWXYZ"
GROUP = 4
PATTERN = re.compile(rf"^[{ALPHABET}]{{{GROUP}}}-[{ALPHABET}]{{{GROUP}}}$")

#: Characters a code never contains, and the code characters a customer most likely saw when typing or reading
#: them: a round letter read as O or zero (D, Q), an upright stroke read as one, I or L (7, J, T), and the V shapes
#: (W, Y). Each is tried; the look-up keeps the codes that exist.
LOOKALIKES = {
    "0": "DQ",
    "O": "DQ",
    "1": "7JT",
    "I": "7JT",
    "L": "7JT",
    "U": "WY",
    "V": "WY",
}
#: More unclear characters than this and the code is too damaged to guess (3^5 = 243 candidates).
MAX_CANDIDATES = 243


def new_ref_code() -> str:
    chars = "".join(secrets.choice(ALPHABET) for _ in range(GROUP * 2))
    return f"{chars[:GROUP]}-{chars[GROUP:]}"


def _code_chars(text: str) -> str:
    """Letters and digits only, upper case; full-width and other compatibility forms folded to ASCII."""
    folded = unicodedata.normalize("NFKC", text or "")
    return re.sub(r"[^0-9A-Za-z]", "", folded).upper()


def normalize_ref_code(text: str) -> str:
    """What a customer typed or dictated (any case, spaces, missing dash) in the stored form."""
    chars = _code_chars(text)
    return f"{chars[:GROUP]}-{chars[GROUP:]}" if len(chars) == GROUP * 2 else chars


def ref_code_candidates(text: str) -> list[str]:
    """Every well-formed code that what was typed may stand for, in the stored form.

    Case, spaces, dashes and other separators are ignored. A character that never appears in a code (0, O, 1, I, L,
    U, V) is replaced by each of its look-alikes in LOOKALIKES. Empty when the text cannot be a code (wrong length,
    or so many unclear characters that guessing would match strangers' codes).
    """
    chars = _code_chars(text)
    if len(chars) != GROUP * 2:
        return []
    options = [LOOKALIKES.get(char, char) for char in chars]
    if any(char not in ALPHABET for option in options for char in option):
        return []
    count = 1
    for option in options:
        count *= len(option)
    if count > MAX_CANDIDATES:
        return []
    return [f"{''.join(c[:GROUP])}-{''.join(c[GROUP:])}" for c in itertools.product(*options)]
