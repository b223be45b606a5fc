"""The guides as the help centre offers them (home page, articles, search without results)."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from portal.flows.registry import all_flows

from .steps import step_texts


@dataclass(frozen=True)
class GuideCard:
    title: str
    summary: str
    start_url: str  # GET shows the first step; POST starts a new tracked walk there
    fallback: bool  # the title and summary are in Italian: the visitor's language has none yet


def guide_cards(locale: str) -> list[GuideCard]:
    """Every guide with its title and summary from the database (GuideText rows), as the step pages read words."""
    cards = []
    for flow in all_flows().values():
        words = step_texts(flow, locale).guide
        cards.append(GuideCard(
            title=words.title,
            summary=words.summary,
            start_url=reverse("guide:flow", args=[flow.slug]),
            fallback=words.locale != locale,
        ))
    return cards
