"""The ready-to-send message for Meta's support, assembled from the walk and from words the caller passes in.

The toolkit owns the order of the parts, never their words: `ReadyTextWords` comes from the content layer (the
interface translations) in the language wanted, and the reason is the customer's own answer, as the guide showed it.
The result is plain text: the template escapes it where it is shown.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from typing import Iterable, Mapping


class Fix(enum.StrEnum):
    """What the customer says they have fixed (ticked on the outcome page)."""

    WEBSITE = "website"  # the full https:// website in the business portfolio
    POLICIES = "policies"  # privacy policy and terms published on the website
    OPT_IN = "opt_in"  # messages only to contacts who opted in
    TEMPLATES = "templates"  # message templates changed


@dataclass(frozen=True)
class ReadyTextWords:
    """Every sentence of the message, in one language. `{reason}`, `{website}`, `{business}`, `{waba}` and
    `{phone}` mark where the values go."""

    greeting: str
    reason: str  # has {reason}
    reason_unknown: str  # no reason in the walk: has {reason} for the placeholder
    reason_placeholder: str  # e.g. [REASON META SHOWED]
    fixes_intro: str
    fixes: Mapping[str, str] = field(default_factory=dict)  # Fix value → sentence
    no_fixes: str = ""
    website: str = ""  # has {website}
    request: str = ""  # what we ask: a review, or help
    details: str = ""  # has {business}, {waba}, {phone}
    business_placeholder: str = "[BUSINESS NAME]"
    waba_placeholder: str = "[WABA ID]"
    phone_placeholder: str = "[PHONE NUMBER]"
    closing: str = ""


def build_ready_text(words: ReadyTextWords, *, reason: str | None, fixes: Iterable[str] = (),
                     website: str = "") -> str:
    """The message: greeting, the reason Meta showed, the fixes (in `Fix` order), the request, the account details
    with placeholders for what only the customer knows, and the closing. Unknown fix keys are ignored."""
    chosen = {str(fix) for fix in fixes}
    fix_lines = [f"- {words.fixes[fix.value]}" for fix in Fix if fix.value in chosen and words.fixes.get(fix.value)]
    if website and Fix.WEBSITE.value in chosen and words.website:
        fix_lines.append(f"- {_fill(words.website, website=website)}")
    if reason:
        reason_line = _fill(words.reason, reason=reason)
    else:
        reason_line = _fill(words.reason_unknown, reason=words.reason_placeholder)
    parts = [words.greeting, reason_line]
    parts.append("\n".join([words.fixes_intro, *fix_lines]) if fix_lines else words.no_fixes)
    parts.append(words.request)
    parts.append(_fill(words.details, business=words.business_placeholder, waba=words.waba_placeholder,
                       phone=words.phone_placeholder))
    parts.append(words.closing)
    return "\n\n".join(part.strip() for part in parts if part and part.strip()) + "\n"


def _fill(sentence: str, **values: str) -> str:
    """Put each value in its `{name}` in one pass: a value is inserted as it is, never read as a marker."""
    pattern = re.compile(r"\{(" + "|".join(map(re.escape, values)) + r")\}")
    return pattern.sub(lambda match: values[match.group(1)], sentence)
