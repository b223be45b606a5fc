"""The template pre-check: reads a message template and says what Meta is likely to object to, and how to fix it.

Pure functions, no Django. The rules, with their words and sources, live in one data file that staff can read
(kb/precheck/rules.toml); `load_rules` reads and validates it (the system check toolkit.E001 runs it at start),
`review` applies it to one text. Nothing here stores or logs the text.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Callable, Mapping

CATEGORIES = ("marketing", "utility", "authentication")
LEVELS = ("problem", "warning")
LOCALES = ("it", "en")
WORD_FIELDS = ("title", "why", "fix")
#: Findings show at most this many examples of what tripped them.
MAX_EXAMPLES = 5


class RulesError(Exception):
    """The rules file cannot be used; `problems` says why, each naming the rule."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class Source:
    url: str
    names: Mapping[str, str]  # locale -> link text

    def name(self, locale: str) -> str:
        return self.names.get(locale) or self.names["it"]


@dataclass(frozen=True)
class RuleWords:
    title: str
    why: str
    fix: str


@dataclass(frozen=True)
class Rule:
    id: str
    check: str
    level: str
    source: Source
    words_by_locale: Mapping[str, RuleWords]
    categories: tuple[str, ...] = CATEGORIES
    #: The check's own settings from the file (domains, phrases, thresholds).
    params: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    #: Compiled once at load: the phrases as whole-word patterns.
    patterns: tuple[re.Pattern, ...] = ()

    def words(self, locale: str) -> RuleWords:
        return self.words_by_locale.get(locale) or self.words_by_locale["it"]


@dataclass(frozen=True)
class Rules:
    rules: tuple[Rule, ...]
    path: Path


@dataclass(frozen=True)
class Finding:
    rule: Rule
    #: What tripped the rule, as found in the text (a link, a variable, a phrase); may be empty.
    examples: tuple[str, ...] = ()

    @property
    def is_problem(self) -> bool:
        return self.rule.level == "problem"


# Reading the rules ---------------------------------------------------------------------------------------------


def load_rules(path: Path) -> Rules:
    """The validated rules of `path`. Raises RulesError naming every problem."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_bytes().decode("utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise RulesError([f"{path}: cannot read the rules: {error}"]) from error
    problems: list[str] = []
    sources = _sources(data.get("sources"), path, problems)
    raw_rules = data.get("rules")
    if not isinstance(raw_rules, list) or not raw_rules:
        problems.append(f"{path}: needs a list of [[rules]]")
        raw_rules = []
    rules, seen = [], set()
    for raw in raw_rules:
        rule = _rule(raw, sources, path, problems)
        if rule is None:
            continue
        if rule.id in seen:
            problems.append(f"{path}, rule '{rule.id}': duplicate id")
        seen.add(rule.id)
        rules.append(rule)
    if problems:
        raise RulesError(problems)
    return Rules(rules=tuple(rules), path=path)


def _sources(raw: Any, path: Path, problems: list[str]) -> dict[str, Source]:
    if not isinstance(raw, dict) or not raw:
        problems.append(f"{path}: needs a [sources] table")
        return {}
    sources = {}
    for key, value in raw.items():
        url = value.get("url") if isinstance(value, dict) else None
        if not isinstance(url, str) or not url.startswith("https://"):
            problems.append(f"{path}, source '{key}': needs an https:// url")
            continue
        names = {locale: value.get(locale) for locale in LOCALES}
        if not all(isinstance(name, str) and name.strip() for name in names.values()):
            problems.append(f"{path}, source '{key}': needs a link text in {' and '.join(LOCALES)}")
            continue
        sources[key] = Source(url=url, names=MappingProxyType(names))
    return sources


def _rule(raw: Any, sources: Mapping[str, Source], path: Path, problems: list[str]) -> Rule | None:
    if not isinstance(raw, dict):
        problems.append(f"{path}: every [[rules]] entry must be a table")
        return None
    rule_id = raw.get("id")
    where = f"{path}, rule '{rule_id}'"
    before = len(problems)
    if not isinstance(rule_id, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", rule_id):
        problems.append(f"{where}: 'id' must be lower-case letters, digits and underscores")
    check = raw.get("check")
    if check not in CHECKS:
        problems.append(f"{where}: unknown check {check!r} (use one of: {', '.join(CHECKS)})")
    level = raw.get("level")
    if level not in LEVELS:
        problems.append(f"{where}: 'level' must be one of: {', '.join(LEVELS)}")
    source = sources.get(raw.get("source"))
    if source is None:
        problems.append(f"{where}: 'source' must name a table of [sources]")
    categories = raw.get("categories", list(CATEGORIES))
    if not (isinstance(categories, list) and categories and all(c in CATEGORIES for c in categories)):
        problems.append(f"{where}: 'categories' must list some of: {', '.join(CATEGORIES)}")
    words = {}
    for locale in LOCALES:
        table = raw.get(locale)
        if not isinstance(table, dict) or not all(isinstance(table.get(f), str) and table[f].strip()
                                                  for f in WORD_FIELDS):
            problems.append(f"{where}: [rules.{locale}] needs a {', '.join(WORD_FIELDS)}")
            continue
        words[locale] = RuleWords(**{f: " ".join(table[f].split()) for f in WORD_FIELDS})
    params = {key: value for key, value in raw.items()
              if key not in ("id", "check", "level", "source", "categories", *LOCALES)}
    if check in CHECKS:
        problems.extend(f"{where}: {message}" for message in CHECKS[check].param_problems(params))
    if len(problems) > before:
        return None
    patterns = tuple(_phrase_pattern(phrase) for phrase in params.get("phrases", ()))
    return Rule(id=rule_id, check=check, level=level, source=source, words_by_locale=MappingProxyType(words),
                categories=tuple(categories), params=MappingProxyType(params), patterns=patterns)


def _phrase_pattern(phrase: str) -> re.Pattern:
    """A phrase as a pattern: any case, any run of spaces between its words, whole words at its word edges."""
    text = _fold(phrase).strip()
    body = r"\s+".join(re.escape(part) for part in text.split())
    start = r"(?<!\w)" if re.match(r"\w", text) else ""
    end = r"(?!\w)" if re.search(r"\w$", text) else ""
    return re.compile(start + body + end)


# Reviewing a template ------------------------------------------------------------------------------------------


def review(text: str, category: str, rules: Rules, *, website: str = "") -> list[Finding]:
    """Every rule the template trips, problems first, in the order of the rules file. Never raises for any text.

    `category` is one of CATEGORIES; `website` (optional) is the business's own site, for the links check.
    """
    template = Template.read(text, website)
    findings = []
    for rule in rules.rules:
        if category not in rule.categories:
            continue
        examples = CHECKS[rule.check].run(template, rule)
        if examples is not None:
            findings.append(Finding(rule=rule, examples=tuple(dict.fromkeys(examples))[:MAX_EXAMPLES]))
    return sorted(findings, key=lambda finding: not finding.is_problem)


@dataclass(frozen=True)
class Template:
    """One pasted text, read once: its folded form, links and variables."""

    text: str
    folded: str
    links: tuple[tuple[str, str], ...]  # (as written, host)
    website: str  # the business's own registrable domain, or ""
    braces: "Braces"

    @classmethod
    def read(cls, text: str, website: str = "") -> "Template":
        text = unicodedata.normalize("NFC", (text or "").replace("\r\n", "\n").replace("\x00", ""))
        return cls(text=text, folded=_fold(text), links=tuple(_links(text)), website=_site_of(website),
                   braces=_braces(text))


def _fold(text: str) -> str:
    """Lower case, typographic apostrophes made plain: for matching phrases."""
    return unicodedata.normalize("NFKC", text).casefold().replace("\u2019", "'").replace("\u02bc", "'")


_URL = re.compile(r"(?i)\b(?:https?://|www\.)[^\s<>\"'()]+")
#: A bare address such as bit.ly/x or shop.example.com/y: a host followed by a path.
_BARE = re.compile(r"(?i)(?<![\w@./-])((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24})(/[^\s<>\"'()]*)")
#: A bare host without a path is read as a link only with a common ending (so "ecc.it" counts, "Sig.Rossi" not).
_BARE_HOST = re.compile(r"(?i)(?<![\w@./-])((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+"
                        r"(?:com|it|net|org|eu|ly|co|io|gl|me|info|biz|shop|store|app|cc|gd|to|link|site|online))"
                        r"(?![\w/-])")


def _links(text: str) -> list[tuple[str, str]]:
    found, taken = [], []
    for match in _URL.finditer(text):
        written = match.group(0).rstrip(".,;:!?")
        host = _host_of(written)
        if host:
            found.append((written, host))
        taken.append(match.span())

    def free(span: tuple[int, int]) -> bool:
        return all(span[1] <= start or span[0] >= end for start, end in taken)

    for pattern in (_BARE, _BARE_HOST):
        for match in pattern.finditer(text):
            if free(match.span()):
                written = match.group(0).rstrip(".,;:!?")
                found.append((written, match.group(1).lower()))
                taken.append(match.span())
    return found


def _host_of(address: str) -> str:
    rest = re.sub(r"(?i)^https?://", "", address.strip())
    host = re.split(r"[/?#]", rest, maxsplit=1)[0].rsplit("@", 1)[-1].split(":", 1)[0]
    return host.lower().strip(".")


_SECOND_LEVEL = {"co", "com", "org", "net", "gov", "ac", "edu"}


def _registrable(host: str) -> str:
    """The site a host belongs to: shop.example.com -> example.com, www.example.co.uk -> example.co.uk."""
    labels = [label for label in host.lower().split(".") if label]
    if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL and len(labels[-1]) == 2:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def _site_of(website: str) -> str:
    website = (website or "").strip()
    if not website or any(ch.isspace() for ch in website):
        return ""
    host = _host_of(website)
    return _registrable(host) if "." in host else ""


def _in_domains(host: str, domains) -> bool:
    return any(host == domain or host.endswith("." + domain) for domain in domains)


@dataclass(frozen=True)
class Braces:
    """The curly braces of a text: well-formed variables ({{1}}) and everything else written with braces."""

    variables: tuple[tuple[int, int, int], ...]  # (number, start, end)
    malformed: tuple[str, ...]


_SINGLE = re.compile(r"\{[^{}\n]{1,20}\}")


def _braces(text: str) -> Braces:
    """One pass over the text: {{n}} is a variable; {{ 1 }}, {{a}}, {{}}, {1}, an opening pair that never closes
    (or is followed by another opening before it closes), triple braces and a stray closing pair are malformed."""
    variables, malformed = [], []
    i, n = 0, len(text)
    while i < n:
        if text.startswith("{{", i):
            close = text.find("}}", i + 2)
            reopen = text.find("{{", i + 2)
            if close == -1 or (reopen != -1 and reopen < close):
                malformed.append(text[i:i + 12].split("\n", 1)[0])
                i += 2
                continue
            inner, end = text[i + 2:close], close + 2
            extra = end < n and text[end] == "}"
            if re.fullmatch(r"[1-9][0-9]*", inner) and not extra and not (i > 0 and text[i - 1] == "{"):
                variables.append((int(inner), i, end))
            else:
                malformed.append(text[i:end + (1 if extra else 0)][:30])
            i = end + (1 if extra else 0)
        elif text.startswith("}}", i):
            malformed.append("}}")
            i += 2
        elif text[i] == "{":
            single = _SINGLE.match(text, i)
            if single:
                malformed.append(single.group(0))
                i = single.end()
            else:
                i += 1
        else:
            i += 1
    return Braces(variables=tuple(variables), malformed=tuple(malformed))


# The checks ----------------------------------------------------------------------------------------------------
# Each returns None when the rule is not tripped, else the examples (possibly empty) to show.


@dataclass(frozen=True)
class Check:
    run: Callable[[Template, Rule], list[str] | None]
    param_problems: Callable[[Mapping[str, Any]], list[str]] = lambda params: []


def _string_list(key: str) -> Callable[[Mapping[str, Any]], list[str]]:
    def problems(params: Mapping[str, Any]) -> list[str]:
        value = params.get(key)
        if not (isinstance(value, list) and value and all(isinstance(v, str) and v.strip() for v in value)):
            return [f"needs '{key}', a list of words"]
        return []

    return problems


def _shortener(template: Template, rule: Rule) -> list[str] | None:
    found = [written for written, host in template.links if _in_domains(host, rule.params["domains"])]
    return found or None


def _other_domain(template: Template, rule: Rule) -> list[str] | None:
    own = set(rule.params.get("domains", ()))
    links = [(written, _registrable(host)) for written, host in template.links if not _in_domains(host, own)]
    if template.website:
        found = [written for written, site in links if site != template.website]
    else:
        sites = {site for _, site in links}
        found = [written for written, _ in links] if len(sites) > 1 else []
    return found or None


def _phrases(template: Template, rule: Rule) -> list[str] | None:
    found = []
    for pattern in rule.patterns:
        match = pattern.search(template.folded)
        if match:
            found.append(template.text[match.start():match.end()] if len(template.text) == len(template.folded)
                         else match.group(0))
    return found or None


def _missing_phrase(template: Template, rule: Rule) -> list[str] | None:
    return None if any(pattern.search(template.folded) for pattern in rule.patterns) else []


def _variable_format(template: Template, rule: Rule) -> list[str] | None:
    return list(template.braces.malformed) or None


def _variable_adjacent(template: Template, rule: Rule) -> list[str] | None:
    found, variables = [], template.braces.variables
    for (_n, start, end), (_m, next_start, next_end) in zip(variables, variables[1:]):
        if not template.text[end:next_start].strip():
            found.append(template.text[start:next_end])
    return found or None


def _variable_sequence(template: Template, rule: Rule) -> list[str] | None:
    numbers = sorted({number for number, _start, _end in template.braces.variables})
    if numbers == list(range(1, len(numbers) + 1)):
        return None
    return [f"{{{{{n}}}}}" for n in sorted(set(range(1, numbers[-1] + 1)) - set(numbers))]


def _variable_edge(template: Template, rule: Rule) -> list[str] | None:
    text = template.text
    head = len(text) - len(text.lstrip())
    tail = len(text.rstrip())
    found = [text[start:end] for _n, start, end in template.braces.variables if start == head or end == tail]
    return found or None


def _no_variable(template: Template, rule: Rule) -> list[str] | None:
    return None if template.braces.variables else []


def _capitals(template: Template, rule: Rule) -> list[str] | None:
    text = re.sub(r"\{\{[^{}]*\}\}|https?://\S+|www\.\S+", " ", template.text)
    letters = [ch for ch in text if ch.isalpha()]
    upper = sum(1 for ch in letters if ch.isupper())
    if len(letters) >= rule.params["min_letters"] and upper > rule.params["max_share"] * len(letters):
        return []
    run: list[str] = []
    for word in re.findall(r"[^\W\d_]{2,}", text):
        run = run + [word] if word.isupper() else []
        if len(run) >= rule.params["run"]:
            return [" ".join(run)]
    return None


def _number(key: str, low: float, high: float) -> Callable[[Mapping[str, Any]], list[str]]:
    def problems(params: Mapping[str, Any]) -> list[str]:
        value = params.get(key)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
            return [f"needs '{key}', a number from {low} to {high}"]
        return []

    return problems


def _all(*checks: Callable[[Mapping[str, Any]], list[str]]) -> Callable[[Mapping[str, Any]], list[str]]:
    return lambda params: [problem for check in checks for problem in check(params)]


CHECKS: Mapping[str, Check] = MappingProxyType({
    "shortener": Check(_shortener, _string_list("domains")),
    "other_domain": Check(_other_domain),
    "phrases": Check(_phrases, _string_list("phrases")),
    "missing_phrase": Check(_missing_phrase, _string_list("phrases")),
    "variable_format": Check(_variable_format),
    "variable_adjacent": Check(_variable_adjacent),
    "variable_sequence": Check(_variable_sequence),
    "variable_edge": Check(_variable_edge),
    "no_variable": Check(_no_variable),
    "capitals": Check(_capitals, _all(_number("min_letters", 1, 10_000), _number("max_share", 0, 1),
                                      _number("run", 2, 50))),
})
