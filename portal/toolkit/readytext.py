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
    reason_none: str  # the customer said Meta showed no reason
    reason_unknown: str  # the walk never asked: has {reason} for the placeholder
    reason_placeholder: str  # e.g. [REASON META SHOWED]
    fixes_intro: str
    fixes: Mapping[str, str] = field(default_factory=dict)  # Fix value → sentence
    no_fixes: str = ""
    website: str = ""  # has {website}
    request_appeal: str = ""  # what we ask at an appeal outcome: a review
    request_contact: str = ""  # at a contact-Meta outcome: a review, or how to restore the account
    details: str = ""  # has {business}, {waba}, {phone}
    business_placeholder: str = "[BUSINESS NAME]"
    waba_placeholder: str = "[WABA ID]"
    phone_placeholder: str = "[PHONE NUMBER]"
    closing: str = ""


def build_ready_text(words: ReadyTextWords, *, reason: str | None, reason_shown: bool = True,
                     fixes: Iterable[str] = (), website: str = "", outcome: str = "appeal") -> str:
    """The message: greeting, the reason Meta showed, the fixes (in `Fix` order), the request (for the outcome
    kind: "appeal" or "contact-meta"), the account details with placeholders for what only the customer knows, and
    the closing. `reason` None with `reason_shown` False: Meta showed none; None otherwise: a placeholder to fill
    in. Unknown fix keys are ignored."""
    chosen = {str(fix) for fix in fixes}
    fix_lines = [f"- {words.fixes[fix.value]}" for fix in Fix if fix.value in chosen and words.fixes.get(fix.value)]
    if website and Fix.WEBSITE.value in chosen and words.website:
        fix_lines.append(f"- {_fill(words.website, website=website)}")
    if reason:
        reason_line = _fill(words.reason, reason=reason)
    elif not reason_shown:
        reason_line = words.reason_none
    else:
        reason_line = _fill(words.reason_unknown, reason=words.reason_placeholder)
    parts = [words.greeting, reason_line]
    parts.append("\n".join([words.fixes_intro, *fix_lines]) if fix_lines else words.no_fixes)
    parts.append(words.request_contact if outcome == "contact-meta" else words.request_appeal)
    parts.append(_fill(words.details, business=words.business_placeholder, waba=words.waba_placeholder,
                       phone=words.phone_placeholder))
    parts.append(words.closing)
    return "\n\n".join(part.strip() for part in parts if part and part.strip()) + "\n"


def _fill(sentence: str, **values: str) -> str:
    """Put each value in its `{name}` in one pass: a value is inserted as it is, never read as a marker."""
    pattern = re.compile(r"\{(" + "|".join(map(re.escape, values)) + r")\}")
    return pattern.sub(lambda match: values[match.group(1)], sentence)
