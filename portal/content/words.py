"""The words of the guides, and the one validator that checks them wherever they come from.

The flow engine (portal/flows/) knows only structure. Every word a guide shows is written in
`kb/<locale>/flows/<flow>.toml` (a `[flow]` table with the guide's title and summary, then `[nodes.<id>]` tables),
seeded into the database by `import_kb` (GuideText and StepText rows), edited in the admin and read at run time
from the database only (content/steps.py). `node_text_problems` is the single rule set: `import_kb` applies it to
the files, the admin form to an edit, and the system checks to the files and to the rows.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Iterable, Mapping

from portal.flows.model import Flow, Node

#: The locale every node must have words in; any other locale falls back to it node by node.
SOURCE_LOCALE = "it"


@dataclass(frozen=True)
class NodeText:
    """The words of one node in one locale: as written in a file, or as stored in a StepText row."""

    title: str
    hint: str = ""
    body: str = ""
    answers: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class WordsFile:
    """One kb/<locale>/flows/<flow>.toml file."""

    path: Path
    locale: str
    title: str
    summary: str
    nodes: Mapping[str, NodeText]


@dataclass(frozen=True)
class WordsProblem:
    #: Where the words are: a file path, or a database row ("step text it blocked_number:reason").
    source: str
    message: str
    node: str | None = None
    #: What is wrong, for the admin form's own (translated) message: see StepTextForm.
    code: str = "invalid"
    #: The field it concerns: "title", "body", "answer:<answer id>", or None for the whole text.
    field: str | None = None

    def __str__(self) -> str:
        where = self.source + (f", node '{self.node}'" if self.node else "")
        return f"{where}: {self.message}"


def node_text_problems(node: Node, text: NodeText, *, source: str) -> list[WordsProblem]:
    """Everything that would make this node show badly: an empty title, an info or outcome step without a body,
    an answer without a label, a label for an answer the node does not have."""
    problems: list[WordsProblem] = []

    def problem(message: str, code: str, field_name: str | None = None) -> None:
        problems.append(WordsProblem(source, message, node.id, code, field_name))

    if not text.title.strip():
        problem("empty title", "empty_title", "title")
    if (node.is_info or node.is_outcome) and not text.body.strip():
        problem(f"{node.type} node needs a body", "needs_body", "body")
    answer_ids = node.label_ids  # a checklist's items are labelled in the same table as its answers
    for answer_id in text.answers:
        if answer_id not in answer_ids:
            problem(f"label for unknown answer '{answer_id}'", "unknown_answer")
    for answer_id in answer_ids:
        if not str(text.answers.get(answer_id, "")).strip():
            kind = "item" if answer_id in node.items else "answer"
            problem(f"{kind} '{answer_id}' has no label", "no_label", f"answer:{answer_id}")
    return problems


def words_file_problems(flow: Flow, words: WordsFile) -> list[WordsProblem]:
    """A words file: no words for unknown nodes; in the source locale, a title and every node; every node that is
    there, complete."""
    source = str(words.path)
    problems: list[WordsProblem] = []
    required = words.locale == SOURCE_LOCALE
    if required and not words.title.strip():
        problems.append(WordsProblem(source, "the [flow] table needs a title", code="empty_title", field="title"))
    for node_id in words.nodes:
        if node_id not in flow.nodes:
            problems.append(WordsProblem(source, "words for a node that is not in the flow", node_id,
                                         "unknown_node"))
    for node in flow.nodes.values():
        text = words.nodes.get(node.id)
        if text is None:
            if required:
                problems.append(WordsProblem(source, f"no {words.locale} text for this node", node.id, "missing"))
            continue
        problems.extend(node_text_problems(node, text, source=source))
    return problems


def words_path(kb_dir: Path, flow: Flow, locale: str) -> Path:
    """Where a flow's words in one locale are written: the structure file's name under kb/<locale>/flows/."""
    return Path(kb_dir) / locale / "flows" / flow.source.name


def read_words(path: Path, locale: str) -> tuple[WordsFile | None, list[WordsProblem]]:
    """Parse one words file; (None, problems) when it is not a usable TOML file."""
    try:
        data = tomllib.loads(Path(path).read_bytes().decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        return None, [WordsProblem(str(path), f"not valid TOML: {error}", code="toml")]
    problems: list[WordsProblem] = []
    flow_table = data.get("flow", {})
    if not isinstance(flow_table, dict):
        problems.append(WordsProblem(str(path), "[flow] must be a table with a title and a summary", code="toml"))
        flow_table = {}
    node_tables = data.get("nodes", {})
    if not isinstance(node_tables, dict):
        return None, [*problems, WordsProblem(str(path), "[nodes] must be a table of node ids", code="toml")]
    nodes: dict[str, NodeText] = {}
    for node_id, raw in node_tables.items():
        answers = raw.get("answers", {}) if isinstance(raw, dict) else None
        if not isinstance(raw, dict) or not isinstance(answers, dict):
            problems.append(WordsProblem(str(path), "node words must be a table (answers a table too)", node_id,
                                         "toml"))
            continue
        nodes[node_id] = NodeText(
            title=str(raw.get("title", "")),
            hint=str(raw.get("hint", "")),
            body=str(raw.get("body", "")),
            answers=MappingProxyType({str(key): str(value) for key, value in answers.items()}),
        )
    words = WordsFile(
        path=Path(path), locale=locale, title=str(flow_table.get("title", "")),
        summary=str(flow_table.get("summary", "")), nodes=MappingProxyType(nodes),
    )
    return words, problems


def flow_words(kb_dir: Path, flow: Flow, locales: Iterable[str]) -> tuple[list[WordsFile], list[WordsProblem]]:
    """The valid words files of one flow (Italian first) and the problems of the others, each naming file and node.

    A file with any problem is left out whole: importing half a file would mix two versions of a step.
    """
    files: list[WordsFile] = []
    problems: list[WordsProblem] = []
    for locale in dict.fromkeys([SOURCE_LOCALE, *locales]):
        path = words_path(kb_dir, flow, locale)
        if not path.exists():
            if locale == SOURCE_LOCALE:
                problems.append(WordsProblem(str(path), f"missing: every node of '{flow.id}' needs Italian text",
                                             code="missing"))
            continue
        words, file_problems = read_words(path, locale)
        if words is not None:
            file_problems += words_file_problems(flow, words)
        if file_problems:
            problems.extend(file_problems)
        else:
            files.append(words)
    return files, problems
