"""The dashboard's filters: a period (7, 30, 90 days or chosen dates), a language, a flow version, a step."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.flows.model import Flow

PERIODS = [("7", _("Last 7 days")), ("30", _("Last 30 days")), ("90", _("Last 90 days")), ("dates", _("Chosen dates"))]
DEFAULT_PERIOD = "30"
#: A longer range is allowed, but not an unbounded one: every figure must stay cheap to compute.
MAX_DAYS = 366


@dataclass(frozen=True)
class Filters:
    """What every dashboard figure is computed over. `start` and `end` are aware datetimes, end excluded."""

    flow: Flow
    version: str
    first_day: dt.date
    last_day: dt.date
    locale: str  # "" for every language
    step: str  # "" for every step

    @property
    def start(self) -> dt.datetime:
        return _local_midnight(self.first_day)

    @property
    def end(self) -> dt.datetime:
        return _local_midnight(self.last_day + dt.timedelta(days=1))

    @property
    def days(self) -> list[dt.date]:
        return [self.first_day + dt.timedelta(days=n) for n in range((self.last_day - self.first_day).days + 1)]


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


class DashboardFilterForm(forms.Form):
    period = forms.ChoiceField(label=_("Period"), choices=PERIODS, required=False)
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
                            error_messages={"invalid": _("Enter a date as YYYY-MM-DD.")})
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
                          error_messages={"invalid": _("Enter a date as YYYY-MM-DD.")})
    locale = forms.ChoiceField(label=_("Language"), required=False)
    #: Any version string: the select offers the versions that have walks in the period (see the view).
    version = forms.CharField(label=_("Flow version"), required=False, max_length=64)
    step = forms.ChoiceField(label=_("Step"), required=False)

    def __init__(self, data, *, flow: Flow, step_choices: list[tuple[str, str]]):
        super().__init__(data)
        self.flow = flow
        self.fields["locale"].choices = [("", _("All languages"))] + [(c, n) for c, n in settings.LANGUAGES]
        self.fields["step"].choices = [("", _("All steps"))] + step_choices
        self.fields["period"].choices = PERIODS

    def clean(self):
        cleaned = super().clean()
        period = cleaned.get("period") or DEFAULT_PERIOD
        cleaned["period"] = period
        today = timezone.localdate()
        if period == "dates":
            start, end = cleaned.get("start"), cleaned.get("end")
            if "start" in self.errors or "end" in self.errors:
                return cleaned
            if not start:
                self.add_error("start", _("Choose the first day."))
            if not end:
                self.add_error("end", _("Choose the last day."))
            if start and end:
                if start > end:
                    self.add_error("end", _("The last day must not be before the first day."))
                elif (end - start).days + 1 > MAX_DAYS:
                    self.add_error("end", _("Choose at most %(days)s days.") % {"days": MAX_DAYS})
                elif start > today:
                    self.add_error("start", _("The first day must not be in the future."))
        else:
            cleaned["end"] = today
            cleaned["start"] = today - dt.timedelta(days=int(period) - 1)
        return cleaned

    def _date_shown(self, name: str) -> str:
        """What a date field shows again: the typed value if it is a real date (a date input cannot show
        anything else), otherwise empty, with the error beside it."""
        raw = (self.data.get(name) or "").strip()
        try:
            return dt.date.fromisoformat(raw).isoformat()
        except ValueError:
            return ""

    @property
    def start_shown(self) -> str:
        return self._date_shown("start")

    @property
    def end_shown(self) -> str:
        return self._date_shown("end")

    def filters(self) -> Filters:
        """The cleaned filters; call only when the form is valid."""
        data = self.cleaned_data
        return Filters(
            flow=self.flow,
            version=data.get("version") or self.flow.version,
            first_day=data["start"],
            last_day=data["end"],
            locale=data.get("locale") or "",
            step=data.get("step") or "",
        )
