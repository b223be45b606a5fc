"""Reading and writing the knowledge base files under kb/.

Articles are `kb/<locale>/articles/<slug>.md`: TOML front matter between `+++` lines, then markdown.
Every problem names the file and the line.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomli_w
import tomlkit
from tomlkit.items import Array, Item, String, Table

DELIMITER = "+++"
REQUIRED = ("title", "summary", "translation_key", "topic", "updated")
LISTS = ("tags", "sources", "steps")
#: Optional: an Italian article's `revision` (its latest source revision) and `change` (how significant that
#: revision was: typo, content, major); a translation's `source_revision` (the Italian revision it follows).
REVISION_KEYS = ("revision", "change", "source_revision")
CHANGES = ("typo", "content", "major")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
STEP = re.compile(r"^[a-z0-9_]+:[a-z0-9_]+$")
TOML_LINE = re.compile(r"\(at line (\d+), column (\d+)\)")


@dataclass(frozen=True)
class KbProblem:
    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class KbError(Exception):
    def __init__(self, problems: list[KbProblem]):
        self.problems = problems
        super().__init__("\n".join(map(str, problems)))


@dataclass(frozen=True)
class ArticleFile:
    path: Path
    locale: str
    slug: str
    title: str
    summary: str
    translation_key: str
    topic: str
    updated: datetime.date
    body: str
    tags: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)
    revision: int | None = None
    change: str | None = None
    source_revision: int | None = None
    #: sha256 of the file's bytes: the same digest at the next import means the same file (see `unchanged`).
    digest: str = ""
    #: A stand-in for a file whose bytes are those of its row's last import (article_files' `settled`): it carries
    #: the row's key, topic, steps and revision numbers, not the file's words (title, summary and body are empty).
    unchanged: bool = False

    @property
    def fields(self) -> dict[str, Any]:
        """The values an Article row stores, as the importer compares and writes them."""
        return {
            "title": self.title, "summary": self.summary, "translation_key": self.translation_key,
            "topic": self.topic, "updated": self.updated, "body": self.body, "tags": list(self.tags),
            "sources": list(self.sources), "steps": list(self.steps),
        }

    @property
    def content_hash(self) -> str:
        if self.unchanged:
            raise ValueError(f"{self.path}: a stand-in for an unchanged file holds no words to hash")
        return content_hash(self.fields)


def content_hash(values: dict[str, Any]) -> str:
    """The same for the same content, wherever it was read from: a dict's keys are sorted (PostgreSQL's jsonb gives
    them back in its own order, a file in the file's)."""
    canonical = repr(sorted((key, str(dict(sorted(value.items())) if isinstance(value, dict) else value))
                            for key, value in values.items()))
    return hashlib.sha256(canonical.encode()).hexdigest()


def file_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def parse_article(path: Path, locale: str, topics: set[str], data: bytes | None = None) -> ArticleFile:
    """One article file (`data`: its bytes, when already read)."""
    if data is None:
        data = path.read_bytes()
    try:
        text = data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")  # as read_text's universal newlines
    except UnicodeDecodeError as error:
        raise KbError([KbProblem(path, 1, f"the file is not UTF-8 text ({error.reason})")]) from None
    lines = text.splitlines()
    if not lines or lines[0].strip() != DELIMITER:
        raise KbError([KbProblem(path, 1, f"the file must start with a '{DELIMITER}' line (front matter)")])
    try:
        end = next(i for i, line in enumerate(lines[1:], start=1) if line.strip() == DELIMITER)
    except StopIteration:
        raise KbError([KbProblem(path, 1, f"the front matter is never closed with a '{DELIMITER}' line")]) from None
    front_text = "\n".join(lines[1:end])
    try:
        front = tomllib.loads(front_text)
    except tomllib.TOMLDecodeError as error:
        match = TOML_LINE.search(str(error))
        line = int(match[1]) + 1 if match else 1  # +1 for the opening delimiter
        raise KbError([KbProblem(path, line, f"front matter is not valid TOML: {TOML_LINE.sub('', str(error)).strip()}")]) from None

    def line_of(key: str) -> int:
        for number, line in enumerate(lines[1:end], start=2):
            if re.match(rf"\s*{re.escape(key)}\s*=", line):
                return number
        return 1

    problems: list[KbProblem] = []
    for key in REQUIRED:
        if key not in front or front[key] in ("", None):
            problems.append(KbProblem(path, 1, f"front matter is missing '{key}'"))
    for key in front:
        if key not in REQUIRED and key not in LISTS and key not in REVISION_KEYS:
            problems.append(KbProblem(path, line_of(key), f"unknown front matter key '{key}'"))
    for key in ("title", "summary", "translation_key", "topic"):
        if key in front and not isinstance(front[key], str):
            problems.append(KbProblem(path, line_of(key), f"'{key}' must be a string"))
    if "updated" in front and not isinstance(front["updated"], datetime.date):
        problems.append(KbProblem(path, line_of("updated"), "'updated' must be a date like 2026-11-29 (no quotes)"))
    for key in ("revision", "source_revision"):
        if key in front and (not isinstance(front[key], int) or isinstance(front[key], bool) or front[key] < 0):
            problems.append(KbProblem(path, line_of(key), f"'{key}' must be a whole number like 3 (no quotes)"))
    if "change" in front and front["change"] not in CHANGES:
        problems.append(KbProblem(path, line_of("change"), f"'change' must be one of: {', '.join(CHANGES)}"))
    for key in LISTS:
        value = front.get(key, [])
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            problems.append(KbProblem(path, line_of(key), f"'{key}' must be a list of strings"))
    if isinstance(front.get("translation_key"), str) and not SLUG.match(front["translation_key"]):
        problems.append(KbProblem(path, line_of("translation_key"), "'translation_key' must be lowercase-with-hyphens"))
    if isinstance(front.get("topic"), str) and front["topic"] not in topics:
        problems.append(KbProblem(path, line_of("topic"), f"unknown topic '{front['topic']}' (use one of: {', '.join(sorted(topics))})"))
    for step in front.get("steps", []) if isinstance(front.get("steps"), list) else []:
        if isinstance(step, str) and not STEP.match(step):
            problems.append(KbProblem(path, line_of("steps"), f"step '{step}' must look like 'flow_id:node_id'"))
    if not SLUG.match(path.stem):
        problems.append(KbProblem(path, 1, "the file name must be a lowercase-with-hyphens slug"))
    body = "\n".join(lines[end + 1:]).strip()
    if not body.strip():
        problems.append(KbProblem(path, end + 2, "the article has no body"))
    if problems:
        raise KbError(problems)
    return ArticleFile(
        path=path, locale=locale, slug=path.stem, title=front["title"].strip(), summary=front["summary"].strip(),
        translation_key=front["translation_key"], topic=front["topic"], updated=front["updated"], body=body,
        tags=list(front.get("tags", [])), sources=list(front.get("sources", [])), steps=list(front.get("steps", [])),
        revision=front.get("revision"), change=front.get("change"), source_revision=front.get("source_revision"),
        digest=file_digest(data),
    )


def article_files(kb_dir: Path, locales: list[str], topics: set[str],
                  settled: dict[tuple[str, str], ArticleFile] | None = None
                  ) -> tuple[list[ArticleFile], list[KbProblem]]:
    """Every article file of every locale; files with problems are left out and their problems returned.

    `settled`: (locale, slug) → a stand-in (`unchanged`) for a row whose last import read a file with the stand-in's
    digest. A file whose bytes still have that digest is not parsed: its stand-in is returned in its place."""
    articles, problems = [], []
    settled = settled or {}
    for locale in locales:
        for path in sorted((Path(kb_dir) / locale / "articles").glob("*.md")):
            data = path.read_bytes()
            stand_in = settled.get((locale, path.stem))
            if stand_in is not None and stand_in.digest == file_digest(data):
                articles.append(dataclasses.replace(stand_in, path=path))
                continue
            try:
                articles.append(parse_article(path, locale, topics, data))
            except KbError as error:
                problems.extend(error.problems)
    return articles, problems


def article_text(values: dict[str, Any]) -> str:
    """An article file's text: front matter in a fixed key order, then the body."""
    front = {key: values[key] for key in ("title", "summary", "translation_key", "topic", "tags", "sources",
                                          "updated", "steps")}
    front.update({key: values[key] for key in REVISION_KEYS if values.get(key) is not None})
    return f"{DELIMITER}\n{tomli_w.dumps(front)}{DELIMITER}\n\n{values['body'].strip()}\n"


def flow_words_text(flow_title: str, flow_summary: str, nodes: dict[str, dict[str, Any]]) -> str:
    """A kb/<locale>/flows/<flow>.toml words file, nodes in the given order."""
    document: dict[str, Any] = {"flow": {"title": flow_title, "summary": flow_summary}, "nodes": {}}
    for node_id, words in nodes.items():
        entry: dict[str, Any] = {"title": words["title"]}
        for key in ("hint", "body"):
            if words.get(key):
                entry[key] = words[key].strip() + ("\n" if key == "body" else "")
        if words.get("answers"):
            entry["answers"] = dict(words["answers"])
        document["nodes"][node_id] = entry
    return tomli_w.dumps(document, multiline_strings=True)


# Writing back into existing files (export_kb): only the values that changed are replaced, every comment, blank line,
# key order and string style of the file stays as it was, so an admin's one-line edit is a one-line diff.

ARTICLE_KEYS = ("title", "summary", "translation_key", "topic", "tags", "sources", "updated", "steps")


def split_article(text: str) -> tuple[str, str, str, str]:
    """An article file's (opening line, front matter, closing line, rest), each with its line ends."""
    lines = text.splitlines(keepends=True)
    end = next(i for i, line in enumerate(lines[1:], start=1) if line.strip() == DELIMITER)
    return lines[0], "".join(lines[1:end]), lines[end], "".join(lines[end + 1:])


def update_article_text(text: str, values: dict[str, Any]) -> str:
    """`text` (a valid article file) with the front matter and body of `values` where they differ."""
    opening, front, closing, rest = split_article(text)
    document = tomlkit.parse(front)
    for key in ARTICLE_KEYS:
        set_value(document, key, values[key])
    for key in REVISION_KEYS:
        if key in values:
            set_value(document, key, values[key])
    body = values["body"].strip()
    if rest.strip() != body:
        rest = rest[: len(rest) - len(rest.lstrip())] + body + "\n"  # keep the blank lines after the front matter
    return opening + tomlkit.dumps(document) + closing + rest


def flow_words_values(text: str) -> dict[str, dict[str, Any]]:
    """The words of each node of a words file, as StepText stores them (see importer.step_values)."""
    nodes = tomllib.loads(text).get("nodes", {})
    return {
        node_id: {"title": str(raw.get("title", "")), "hint": str(raw.get("hint", "")), "body": str(raw.get("body", "")),
                  "answers": {str(k): str(v) for k, v in raw.get("answers", {}).items()}}
        for node_id, raw in nodes.items() if isinstance(raw, dict)
    }


def flow_table_values(text: str) -> dict[str, str] | None:
    """The [flow] table's title and summary of a words file, or None if it has none."""
    table = tomllib.loads(text).get("flow")
    if not isinstance(table, dict):
        return None
    return {"title": str(table.get("title", "")), "summary": str(table.get("summary", ""))}


def update_flow_words_text(text: str, nodes: dict[str, dict[str, Any]],
                           flow_table: dict[str, str] | None = None) -> str:
    """`text` (a valid words file) with the words of `nodes` (and the guide's `flow_table`: title, summary) where
    they differ; nodes it lacks are appended."""
    document = tomlkit.parse(text)
    if flow_table is not None:
        if "flow" not in document:
            document["flow"] = tomlkit.table()
        set_value(document["flow"], "title", flow_table["title"])
        set_value(document["flow"], "summary", flow_table["summary"])
    if "nodes" not in document:
        document["nodes"] = tomlkit.table(is_super_table=True)
    table = document["nodes"]
    for node_id, words in nodes.items():
        if node_id not in table:
            table[node_id] = tomlkit.table()
        entry = table[node_id]
        set_value(entry, "title", words["title"])
        set_value(entry, "hint", words.get("hint") or "")
        body = (words.get("body") or "").strip()
        set_value(entry, "body", body + "\n" if body else "")
        answers = words.get("answers") or {}
        if answers:
            if "answers" not in entry:
                entry["answers"] = tomlkit.table()
            for answer_id, label in answers.items():
                set_value(entry["answers"], answer_id, label)
    return tomlkit.dumps(document)


def set_value(container: Table | tomlkit.TOMLDocument, key: str, value: Any) -> None:
    """Sets `key` only if its value differs, in the style of the value it replaces; an empty value removes the key."""
    old = container.get(key)
    if isinstance(old, Item) and _same(old.unwrap(), value):
        return
    if value in ("", [], None):
        if key in container:
            del container[key]
        return
    container[key] = _styled(value, old)


def _same(old: Any, new: Any) -> bool:
    if isinstance(old, str) and isinstance(new, str) and "\n" in old + new:
        return old.strip() == new.strip()  # a multi-line body: outer blank lines are layout
    return old == new


def _styled(value: Any, old: Any) -> Any:
    if isinstance(value, str):
        multiline = "\n" in value or (isinstance(old, String) and old.type.is_multiline())
        literal = isinstance(old, String) and old.type.is_literal() and "'" not in value
        if not multiline:
            return tomlkit.string(value, literal=literal)
        if not value.endswith("\n"):
            value += "\n"  # closing quotes on their own line
        raw = tomlkit.string(value, literal=literal, multiline=True).as_string()
        if not raw.startswith(('"""\n', "'''\n")):
            raw = raw[:3] + "\n" + raw[3:]  # the text starts on the line after the quotes (TOML drops that newline)
        return tomlkit.parse(f"v = {raw}\n")["v"]
    if isinstance(value, list) and isinstance(old, Array) and "\n" in old.as_string():
        indent = re.search(r"\n([ \t]*)\S", old.as_string())
        pad = indent[1] if indent else "  "
        items = "".join(f"{pad}{tomlkit.item(item).as_string()},\n" for item in value)
        return tomlkit.parse(f"v = [\n{items}]\n")["v"]
    return value
