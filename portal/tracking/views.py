"""The "was this helpful?" endpoint: works as a plain form post (303 back to the page) and as an htmx swap."""

from __future__ import annotations

import re

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from portal.content.models import Article
from portal.flows.registry import step_ref
from portal.crossorigin import cross_origin_protected
from portal.guide.walks import remember_walks, walk_session_for_vote
from portal.http import method_not_allowed, see_other

from . import services
from .feedback import vote_allowed, visitor_votes
from .models import Vote

TARGET = re.compile(r"^(?P<type>article|step|outcome):(?P<id>[a-z0-9][a-z0-9_:-]{0,150})$")


class VoteForm(forms.Form):
    target = forms.CharField(max_length=170)
    helpful = forms.ChoiceField(choices=[("yes", _("Yes")), ("no", _("No"))], required=False)
    reason = forms.ChoiceField(choices=Vote.Reason.choices, required=False,
                               error_messages={"invalid_choice": _("Choose one of the reasons.")})
    next = forms.CharField(max_length=500, required=False)

    def clean_target(self):
        match = TARGET.match(self.cleaned_data["target"])
        if not match or not _target_exists(match["type"], match["id"]):
            raise forms.ValidationError(_("We don't know this page: votes are only for the help centre's articles "
                                          "and the guide's steps."))
        return self.cleaned_data["target"]

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("helpful") and not cleaned.get("reason") and not self.errors:
            raise forms.ValidationError(_("Choose “Yes” or “No”, or a reason."))
        return cleaned


def _target_exists(target_type: str, target_id: str) -> bool:
    """Articles by translation key; steps and outcomes by flow node, of the right kind."""
    if target_type == "article":
        return Article.objects.published().filter(translation_key=target_id).exists()
    found = step_ref(target_id)
    return found is not None and found[1].is_outcome == (target_type == "outcome")


@cross_origin_protected
@remember_walks  # a vote on a guide step may start the visitor's tracked walk
def feedback(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return method_not_allowed(request, ["POST"])
    form = VoteForm(request.POST)
    if not form.is_valid():
        return _respond(request, form.cleaned_data.get("target", ""), status=400, errors=form.errors)
    target = form.cleaned_data["target"]
    votes = visitor_votes(request)
    state = votes.state(target)
    helpful, reason = form.cleaned_data["helpful"], form.cleaned_data["reason"]

    if reason and not helpful:
        if state.vote_id is None or not services.vote_change(vote_id=state.vote_id, reason=reason):
            return _respond(request, target, status=400, errors={"reason": [_("Answer “Yes” or “No” first.")]})
        votes.remember(target, vote_id=state.vote_id, helpful=state.helpful, reason=reason)
    else:
        is_helpful = helpful == "yes"
        if state.vote_id is not None and services.vote_change(vote_id=state.vote_id, helpful=is_helpful):
            vote_id = state.vote_id  # a second click changes the vote, it does not add one
        else:
            if not vote_allowed(votes.visitor):
                return _respond(request, target, status=429,
                                errors={"__all__": [_("Thank you! You have sent many answers: try again later.")]})
            target_type, _colon, target_id = target.partition(":")
            vote_id = services.vote_record(
                target_type=target_type, target_id=target_id, locale=get_language(), helpful=is_helpful,
                session_id=walk_session_for_vote(request, target, locale=get_language()),
            ).pk
        votes.remember(target, vote_id=vote_id, helpful=is_helpful)

    if request.htmx:
        return votes.write(_respond(request, target))
    return votes.write(see_other(_safe_next(request, form.cleaned_data.get("next")) + "#feedback"))


def _respond(request: HttpRequest, target: str, status: int = 200, errors=None) -> HttpResponse:
    """The widget alone for htmx; otherwise a small page with the message and a way back."""
    context = {"feedback": widget_context(request, target, request.POST.get("next", ""), errors)}
    if request.htmx:
        return render(request, "feedback/widget.html", context, status=status)
    context["back_url"] = _safe_next(request, request.POST.get("next"))
    return render(request, "feedback/result.html", context, status=status)


def widget_context(request: HttpRequest, target: str, next_url: str, errors=None) -> dict:
    state = visitor_votes(request).state(target)
    reasons = Vote.HELPFUL_REASONS if state.helpful else Vote.UNHELPFUL_REASONS
    return {
        "target": target,
        "state": state,
        "reasons": [(reason.value, reason.label) for reason in reasons],
        "next": next_url,
        "errors": errors or {},
    }


def _safe_next(request: HttpRequest, url: str | None) -> str:
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure()):
        return url
    return f"/{get_language()}/"


def privacy(request: HttpRequest) -> HttpResponse:
    """What the site records, why and for how long: in plain words, from the same settings the code uses."""
    if request.method not in ("GET", "HEAD"):
        return method_not_allowed(request, ["GET", "HEAD"])
    return render(request, "tracking/privacy.html", {"retention_days": settings.TRACKING_RETENTION_DAYS})
