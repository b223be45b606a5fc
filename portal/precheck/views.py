"""The template pre-check page: a form; its POST shows the review. Nothing is stored, and the text is never logged
(it is a POST body, so it stays out of access logs; Django's error reports hide it too)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language
from django.views.decorators.debug import sensitive_post_parameters

from portal.crossorigin import cross_origin_protected
from portal.http import method_not_allowed
from portal.toolkit.precheck import review

from .forms import TemplateForm
from .rules import site_rules


@cross_origin_protected
@sensitive_post_parameters("text", "website")
def template_check(request: HttpRequest) -> HttpResponse:
    if request.method not in ("GET", "HEAD", "POST"):
        return method_not_allowed(request, ["GET", "HEAD", "POST"])
    locale = get_language()
    findings = None
    status = 200
    if request.method == "POST":
        form = TemplateForm(data=request.POST)
        if form.is_valid():
            findings = review(form.cleaned_data["text"], form.cleaned_data["category"], site_rules(),
                              website=form.cleaned_data["website"])
        else:
            status = 400
    else:
        form = TemplateForm()
    results = None
    if findings is not None:
        results = [
            {"finding": finding, "words": finding.rule.words(locale), "source_name": finding.rule.source.name(locale)}
            for finding in findings
        ]
    response = render(request, "precheck/check.html", {
        "form": form,
        "results": results,
        "problems": sum(1 for finding in findings or () if finding.is_problem),
        "warnings": sum(1 for finding in findings or () if not finding.is_problem),
    }, status=status)
    if request.method == "POST":
        patch_cache_control(response, private=True, no_store=True)  # the customer's own text
    return response
