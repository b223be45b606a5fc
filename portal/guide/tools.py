"""The per-walk part of a step: the website check, when to check again (with its .ics reminder), the end date of a
dated restriction, and the ready-to-send text.

Built from the step's declared tools (kb/flows: `tools = [...]`), the walk's answers and the query string of one GET
form: nothing is stored, nothing is written. The words come from the interface translations (locale/) and the
step texts (the reason is the customer's own answer, as the guide showed it); the toolkit does the arithmetic and
assembles. A step page with a tool's input in its query, or with a date counted from now (`counts_from_now`), is
never stored; without them, the tools show what the walk's answers give, which the stored page's key holds.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from django import forms
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.content.steps import StepTexts
from portal.flows.model import Channel, Flow, Node, Outcome, Tool
from portal.toolkit.readytext import Fix, ReadyTextWords, build_ready_text
from portal.toolkit.website import Fix as WebsiteFix
from portal.toolkit.website import Problem, Status, WebsiteCheck, check_website
from portal.toolkit.workhours import ROME, add_working_hours

#: The outcomes that get a ready-to-send text: they end with writing to Meta.
READY_TEXT_OUTCOMES = (Outcome.APPEAL, Outcome.CONTACT_META)
REVIEW_HOURS = 48
#: A dated restriction's reminder rings at this time of its end date (Meta shows a day, not an hour).
END_DATE_REMINDER = time(9, 0)
#: How far back a review request, and how far ahead an end date, can be (Meta's longest restriction is 30 days).
REQUESTED_LIMIT = timedelta(days=90)
END_DATE_LIMIT = timedelta(days=366)
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"  # <input type="datetime-local">, in Europe/Rome
DATE_FORMAT = "%Y-%m-%d"  # <input type="date">


#: The fixes the phone app has (see fix_choices).
APP_FIXES = (Fix.POLICIES.value, Fix.OPT_IN.value)


def fix_choices(channel: Channel = Channel.PLATFORM):
    """What the customer can tick as fixed. The phone app has no business portfolio and no message templates."""
    choices = [
        (Fix.WEBSITE.value, gettext_lazy("The business portfolio has the full website address, with https://")),
        (Fix.POLICIES.value, gettext_lazy("The website publishes a privacy policy and terms of service")),
        (Fix.OPT_IN.value, gettext_lazy("We only message people who agreed to receive our messages")),
        (Fix.TEMPLATES.value, gettext_lazy("We changed our message templates")),
    ]
    if channel is Channel.APP:
        return [choice for choice in choices if choice[0] in APP_FIXES]
    return choices


def ready_text_words(channel: Channel = Channel.PLATFORM) -> ReadyTextWords:
    """Every sentence of the ready text, in the active language, for the platform or the phone app."""
    words = _platform_words()
    if channel is Channel.APP:
        # The app's walk never asks for the reason; the request follows a review already refused in the app, and
        # an app account has no WABA ID.
        return replace(
            words,
            reason_unknown=_("WhatsApp banned the phone number below from WhatsApp Business. The app says: {reason}."),
            reason_placeholder=_("[WHAT THE APP SAYS]"),
            request_contact=_("We asked for a review in the app and the ban was confirmed. Please check the account "
                              "again, or tell us how to restore it."),
            details=_("Business name: {business}\nPhone number, with the country code: {phone}"),
        )
    return words


def _platform_words() -> ReadyTextWords:
    return ReadyTextWords(
        greeting=_("Hello, WhatsApp Business support team,"),
        reason=_("Meta restricted the WhatsApp Business account below. The reason shown is: “{reason}”."),
        reason_none=_("Meta restricted the WhatsApp Business account below and did not show a clear reason."),
        reason_unknown=_("Meta restricted the WhatsApp Business account below. The reason shown is: {reason}."),
        reason_placeholder=_("[REASON META SHOWED]"),
        fixes_intro=_("Since then we have fixed the following:"),
        fixes={
            Fix.WEBSITE.value: _("the business portfolio now has our full website address, starting with https://;"),
            Fix.POLICIES.value: _("our website now publishes a privacy policy and terms of service;"),
            Fix.OPT_IN.value: _("we now message only people who agreed to receive our messages;"),
            Fix.TEMPLATES.value: _("we changed our message templates to follow WhatsApp's policies."),
        },
        no_fixes=_("We have checked our account and we follow WhatsApp's Business and Commerce policies."),
        website=_("our website address is {website}"),
        request_appeal=_("Please review the restriction and lift it. We can give any further detail you need."),
        request_contact=_("We cannot find a way to request a review. Please review the restriction or tell us "
                          "how to restore the account."),
        details=_("Business name: {business}\nPhone number: {phone}\n"
                  "WhatsApp Business Account ID (WABA ID, only if you use the platform): {waba}"),
        business_placeholder=_("[BUSINESS NAME]"),
        waba_placeholder=_("[WABA ID]"),
        phone_placeholder=_("[PHONE NUMBER]"),
        closing=_("Thank you."),
    )


WEBSITE_PROBLEMS = {
    Problem.EMPTY: gettext_lazy("Write the address of your website."),
    Problem.TOO_LONG: gettext_lazy("That address is too long. Write only the address of your website."),
    Problem.SPACES: gettext_lazy("An address has no spaces. Remove the spaces and try again."),
    Problem.SCHEME: gettext_lazy("Write a website address that starts with https://, not an e-mail or another "
                                 "kind of link."),
    Problem.CREDENTIALS: gettext_lazy("Remove the name and password before the @: write only the website address."),
    Problem.NO_HOST: gettext_lazy("After https:// write the name of your website, e.g. https://example.com."),
    Problem.NO_DOT: gettext_lazy("The name needs a dot and an ending, e.g. example.com or example.it."),
    Problem.IP_ADDRESS: gettext_lazy("Write the name of your website, not a number (IP address)."),
    Problem.BAD_HOST: gettext_lazy("The name has characters a website name cannot have. Copy it from your "
                                   "browser's address bar."),
    Problem.BAD_PORT: gettext_lazy("The number after the colon is not valid. Usually you can remove it."),
}


WEBSITE_FIXES = {
    WebsiteFix.ADDED_SCHEME: gettext_lazy("We added https:// at the start: Meta wants the full address."),
    WebsiteFix.HTTPS: gettext_lazy("We changed http:// to https://, the secure address."),
    WebsiteFix.LOWERCASE: gettext_lazy("We wrote it in small letters."),
    WebsiteFix.TRAILING_DOT: gettext_lazy("We removed the dot at the end."),
}


class ToolsForm(forms.Form):
    """The one GET form of a step's tools. Only the fields of the step's tools are kept."""

    website = forms.CharField(required=False, max_length=4000, strip=True)
    requested = forms.CharField(required=False, max_length=40, strip=True)
    end = forms.CharField(required=False, max_length=40, strip=True)
    fix = forms.MultipleChoiceField(required=False, choices=fix_choices)

    def __init__(self, node: Node, *args, now: datetime, **kwargs):
        super().__init__(*args, **kwargs)
        self.now = now
        keep = set()
        if Tool.WEBSITE_CHECK in node.tools:
            keep.add("website")
        if Tool.REVIEW_DATE in node.tools:
            keep.add("requested")
        if Tool.END_DATE in node.tools:
            keep.add("end")
        if node.outcome in READY_TEXT_OUTCOMES:
            keep.add("fix")
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        if "fix" in self.fields:
            self.fields["fix"].choices = fix_choices(node.channel)
        self.website_check: WebsiteCheck | None = None

    def clean_website(self) -> str:
        value = self.cleaned_data["website"]
        if not value:
            return ""
        self.website_check = check_website(value)
        if self.website_check.status is Status.INVALID:
            raise forms.ValidationError([WEBSITE_PROBLEMS[p] for p in self.website_check.problems])
        return self.website_check.url

    def clean_requested(self) -> datetime | None:
        value = self.cleaned_data["requested"]
        if not value:
            return None
        moment = parse_requested(value)
        if moment is None:
            raise forms.ValidationError(_("Write the date and time you requested the review, e.g. 27/03/2026 10:30."))
        if moment > self.now + timedelta(minutes=5):
            raise forms.ValidationError(_("That moment is in the future. Write when you requested the review."))
        if moment < self.now - REQUESTED_LIMIT:
            raise forms.ValidationError(_("That is more than 90 days ago. If you have heard nothing since, "
                                          "contact Meta's support."))
        return moment

    def clean_end(self) -> date | None:
        value = self.cleaned_data["end"]
        if not value:
            return None
        day = parse_end_date(value)
        if day is None:
            raise forms.ValidationError(_("Write the end date you read in Business Support Home, e.g. 27/03/2026."))
        today = self.now.astimezone(ROME).date()
        if day < today:
            raise forms.ValidationError(_("That date has passed. Check the date in Business Support Home again."))
        if day > today + END_DATE_LIMIT:
            raise forms.ValidationError(_("That date is more than a year away. Check the date in Business "
                                          "Support Home again."))
        return day


#: The query parameters of the tools form.
TOOL_PARAMETERS = ("website", "requested", "end", "fix")


def uses_tools(node: Node, query) -> bool:
    """The request carries a tool's input (the page shows what the visitor typed)."""
    return any(name in query for name in TOOL_PARAMETERS) and (bool(node.tools) or node.outcome in
                                                                READY_TEXT_OUTCOMES)


def counts_from_now(node: Node) -> bool:
    """The step's page, without a tool's input, shows a date counted from now (the review date's default)."""
    return Tool.REVIEW_DATE in node.tools


def offers_reminder(node: Node) -> bool:
    return node.is_outcome and bool({Tool.REVIEW_DATE, Tool.END_DATE} & set(node.tools))


def carried_query(next_node: Node, posted) -> str:
    """The checked website posted with an answer, for the next step when it has the website check too."""
    website = posted.get("website", "")
    if Tool.WEBSITE_CHECK not in next_node.tools or not website:
        return ""
    checked = check_website(website)
    return urlencode({"website": checked.url}) if checked.status is not Status.INVALID else ""


def parse_requested(value: str) -> datetime | None:
    """A `datetime-local` value (Europe/Rome wall clock) as an aware datetime, or None."""
    try:
        naive = datetime.strptime(value, DATETIME_FORMAT)
    except ValueError:
        return None
    return naive.replace(tzinfo=ROME)


def parse_end_date(value: str) -> date | None:
    try:
        return datetime.strptime(value, DATE_FORMAT).date()
    except ValueError:
        return None


def review_due(requested: datetime) -> datetime:
    return add_working_hours(requested, REVIEW_HOURS)


def end_reminder(day: date) -> datetime:
    return datetime.combine(day, END_DATE_REMINDER, tzinfo=ROME)


@dataclass(frozen=True)
class ReadyText:
    locale: str
    text: str
    field_id: str


@dataclass(frozen=True)
class ReviewDate:
    requested: datetime
    due: datetime
    from_now: bool  # no moment given: counted from now
    ics_query: str


@dataclass(frozen=True)
class EndDate:
    day: date
    reminder: datetime
    ics_query: str


@dataclass(frozen=True)
class StepTools:
    """What the step's tools show, for one request."""

    form: ToolsForm
    website: WebsiteCheck | None
    review: ReviewDate | None
    end: EndDate | None
    ready: tuple[ReadyText, ...]  # in the page's language first, then in English
    fixes: tuple[tuple[str, str, bool], ...]  # (value, label, ticked)
    reminder_url: str  # the .ics endpoint of this step (query added by the template)

    @property
    def time_dependent(self) -> bool:
        """The page shows a date counted from now: no cache may keep it."""
        return self.review is not None and self.review.from_now

    @property
    def requested_value(self) -> str:
        """What the date-time field shows again: the typed value when it is a real date and time (HTML refuses
        anything else in a datetime-local value), else empty."""
        value = self.form["requested"].value() if self.review_tool else ""
        return value if value and parse_requested(value) else ""

    @property
    def end_value(self) -> str:
        value = self.form["end"].value() if self.end_tool else ""
        return value if value and parse_end_date(value) else ""

    @property
    def website_valid(self) -> bool:
        return self.website is not None and self.website.status is Status.VALID

    @property
    def website_corrected(self) -> bool:
        return self.website is not None and self.website.status is Status.CORRECTED

    @property
    def website_fixes(self) -> list[str]:
        """What the correction changed, in words."""
        return [str(WEBSITE_FIXES[fix]) for fix in self.website.fixes] if self.website_corrected else []

    @property
    def carried_website(self) -> str:
        """A checked address, to carry to the next step when the visitor answers."""
        return self.website.url if self.website_valid or self.website_corrected else ""

    @property
    def any(self) -> bool:
        return bool(self.form.fields)

    @property
    def has_errors(self) -> bool:
        return bool(self.form.errors)

    @property
    def website_tool(self) -> bool:
        return "website" in self.form.fields

    @property
    def review_tool(self) -> bool:
        return "requested" in self.form.fields

    @property
    def end_tool(self) -> bool:
        return "end" in self.form.fields

    @property
    def ready_tool(self) -> bool:
        return "fix" in self.form.fields

    @property
    def errors(self) -> list[tuple[str, str]]:
        """(field id, message) for the error summary, in the order of the page."""
        ids = {"website": "tool-website", "requested": "tool-requested", "end": "tool-end",
               "fix": f"tool-fix-{Fix.WEBSITE.value}"}
        return [(ids[name], message) for name in ids for message in self.form.errors.get(name, [])]


def walk_reason(flow: Flow, answers, texts: StepTexts) -> tuple[str | None, bool]:
    """The reason Meta showed, as the customer chose it (the last answer to a question marked `reason`):
    (label, True). (None, True): no question asked it; (None, False): the customer said Meta showed none."""
    label, shown = None, True
    for node_id, answer_id in answers:
        node = flow.nodes.get(node_id)
        if node is None or not node.names_reason:
            continue
        answer = next((a for a in node.answers if a.id == answer_id), None)
        if answer is None:
            continue
        if answer.no_reason:
            label, shown = None, False
        else:
            label, shown = texts[node_id].answers.get(answer_id) or None, True
    return label, shown


def step_tools(*, flow: Flow, node: Node, query, answers, texts_for, locale: str, reminder_url: str,
               now: datetime | None = None) -> StepTools | None:
    """The tools of `node` for this request, or None when it has none. `answers` are the walk's answers before
    `node`; `texts_for(locale)` gives the StepTexts of a language."""
    now = now or timezone.now()
    form = ToolsForm(node, data=query, now=now)
    if not form.fields:
        return None
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    website = form.website_check if "website" in form.fields else None
    review = end = None
    if "requested" in form.fields and "requested" not in form.errors:
        requested = data.get("requested")
        from_now = requested is None
        requested = requested or now.astimezone(ROME).replace(second=0, microsecond=0)
        review = ReviewDate(requested=requested, due=review_due(requested), from_now=from_now,
                            ics_query=urlencode({"requested": requested.astimezone(ROME).strftime(DATETIME_FORMAT)}))
    if data.get("end"):
        day = data["end"]
        end = EndDate(day=day, reminder=end_reminder(day), ics_query=urlencode({"end": day.strftime(DATE_FORMAT)}))
    ready: tuple[ReadyText, ...] = ()
    fixes: tuple[tuple[str, str, bool], ...] = ()
    if "fix" in form.fields:
        ticked = set(data.get("fix") or ())
        fixes = tuple((value, str(label), value in ticked) for value, label in form.fields["fix"].choices)
        checked_site = website.url if website is not None and website.status is not Status.INVALID else ""
        ready = tuple(
            _ready_text(flow, node, answers, texts_for(code), code, ticked, checked_site)
            for code in dict.fromkeys([locale, "en"])
        )
    return StepTools(form=form, website=website, review=review, end=end, ready=ready, fixes=fixes,
                     reminder_url=reminder_url)


def _ready_text(flow, node, answers, texts, code, ticked, website) -> ReadyText:
    with translation.override(code):
        reason, shown = walk_reason(flow, answers, texts)
        words = ready_text_words(node.channel)
        text = build_ready_text(words, reason=reason, reason_shown=shown, fixes=ticked, website=website,
                                outcome=node.outcome.value)
    return ReadyText(locale=code, text=text, field_id=f"ready-text-{code}")


@dataclass(frozen=True)
class Reminder:
    """What a step's .ics link asks for."""

    start: datetime
    summary: str
    description: str
    query: str  # the parameters that give the same page again


def step_reminder(node: Node, query, now: datetime | None = None) -> Reminder | None:
    """The reminder of a step's .ics link (`requested=` for the review date, `end=` for a dated restriction), in the
    active language; None when the step offers none or the parameters are missing or wrong."""
    now = now or timezone.now()
    form = ToolsForm(node, data=query, now=now)
    if not (form.is_valid() and ({"requested", "end"} & set(form.fields))):
        return None
    data = form.cleaned_data
    if data.get("requested"):
        requested = data["requested"]
        return Reminder(
            start=review_due(requested),
            summary=_("Check the review of your WhatsApp Business account"),
            description=_("48 working hours have passed since you requested the review. Open Business Support "
                          "Home and check the result. The guide's step:"),
            query=urlencode({"requested": requested.strftime(DATETIME_FORMAT)}),
        )
    if data.get("end"):
        day = data["end"]
        return Reminder(
            start=end_reminder(day),
            summary=_("Your WhatsApp Business restriction should end today"),
            description=_("Check in Business Support Home that the restriction has ended and that you can send "
                          "messages again. The guide's step:"),
            query=urlencode({"end": day.strftime(DATE_FORMAT)}),
        )
    return None
