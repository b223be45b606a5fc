"""Editing articles and step texts without a deploy: live preview (htmx), history with a diff, restore."""

from __future__ import annotations

import difflib
import json

from django import forms
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Case, IntegerField, Value, When
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from portal.flows.registry import all_flows, step_ref

from .markdown import render_markdown
from . import admin_words  # noqa: F401  (the admin sentences we translate ourselves)
from . import revisions
from .models import Article, GuideText, Significance, StepText, article_link_base
from .words import SOURCE_LOCALE, NodeText, node_text_problems

LOCALE_CHOICES = [(code, name) for code, name in settings.LANGUAGES]


class MarkdownPreviewWidget(forms.Textarea):
    """A markdown textarea that asks the server for a sanitized preview as the admin types (htmx)."""

    #: The locale links resolve in, when the form has no "locale" field (step texts); else that field's value.
    locale = ""

    def __init__(self, attrs=None):
        super().__init__({"rows": 18, "class": "vLargeTextField markdown-source", **(attrs or {})})

    def render(self, name, value, attrs=None, renderer=None):
        preview_id = f"{(attrs or {}).get('id', name)}-preview"
        self.attrs.update({
            "data-hx-post": reverse("admin:content_markdown_preview"),
            "data-hx-trigger": "input changed delay:400ms, load",
            "data-hx-target": f"#{preview_id}",
            "data-hx-include": "[name='csrfmiddlewaretoken'], [name='locale']",
            "data-hx-vals": json.dumps({"field": name, **({"locale": self.locale} if self.locale else {})}),
        })
        textarea = super().render(name, value, attrs, renderer)
        # htmx puts the sanitized HTML in the hidden element; admin-preview.js shows it in a sandboxed frame
        # that uses the site's own stylesheet (srcdoc: no request, so no frame-src or X-Frame-Options to relax).
        return format_html(
            '{}<div class="markdown-preview"><p class="help">{}</p>'
            '<div id="{}" class="markdown-preview__source" hidden data-frame="{}-frame" data-stylesheet="{}" '
            'data-lang="{}"></div>'
            '<iframe id="{}-frame" class="markdown-preview__frame" sandbox="allow-same-origin" title="{}"></iframe></div>',
            textarea, _("Preview (rendered and sanitized exactly as on the site):"), preview_id, preview_id,
            static("css/site.css"), self.locale or "it", preview_id, _("Preview"),
        )


class TextDiffContextHelper(HistoricalRecordContextHelper):
    """The history list shows long texts as the lines that changed (removed → added), not as truncated copies."""

    LONG_TEXT_FIELDS = {"body", "summary", "hint"}

    def stringify_delta_change_values(self, change, old, new):
        if change.field not in self.LONG_TEXT_FIELDS or not isinstance(old, str) or not isinstance(new, str):
            return super().stringify_delta_change_values(change, old, new)
        removed, added = [], []
        for line in difflib.ndiff(old.splitlines(), new.splitlines()):
            if line.startswith("- "):
                removed.append(line[2:])
            elif line.startswith("+ "):
                added.append(line[2:])
        return (
            format_html("<del>{}</del>", mark_safe("<br>".join(escape(line) for line in removed))) if removed else "—",
            format_html("<ins>{}</ins>", mark_safe("<br>".join(escape(line) for line in added))) if added else "—",
        )


def version_diff(model, current, version) -> list[tuple[str, str, str]]:
    """(field label, current value, this version's value) for every field that differs; long texts show only the
    lines that differ, marked <del> (only in the current text) and <ins> (only in this version)."""
    rows = []
    for field in model._meta.fields:
        if field.primary_key or not field.editable:
            continue
        now, then = getattr(current, field.attname, None), getattr(version, field.attname, None)
        if now == then:
            continue
        if isinstance(now, str) and isinstance(then, str) and ("\n" in now or "\n" in then):
            only_now, only_then = [], []
            for line in difflib.ndiff(now.splitlines(), then.splitlines()):
                if line.startswith("- "):
                    only_now.append(line[2:])
                elif line.startswith("+ "):
                    only_then.append(line[2:])
            shown_now = format_html("<del>{}</del>", mark_safe("<br>".join(map(escape, only_now)))) if only_now else "—"
            shown_then = (
                format_html("<ins>{}</ins>", mark_safe("<br>".join(map(escape, only_then)))) if only_then else "—"
            )
        else:
            shown_now, shown_then = _shown(now), _shown(then)
        rows.append((str(field.verbose_name).capitalize(), shown_now, shown_then))
    return rows


def _shown(value) -> str:
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value)) or "—"
    return "—" if value in (None, "") else str(value)


class AdminEditMixin:
    """Marks rows edited in the admin, so that `import_kb` never overwrites them."""

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """The revert page also shows how that version differs from the current text."""
        current = self.model.objects.filter(pk=object_id).first()
        version = self.model.history.filter(pk=version_id).first()
        diff = version_diff(self.model, current, version) if current and version else []
        return super().history_form_view(request, object_id, version_id, {**(extra_context or {}),
                                                                          "version_diff": diff})

    def get_historical_record_context_helper(self, request, historical_record):
        return TextDiffContextHelper(self.model, historical_record)

    def save_model(self, request, obj, form, change):
        obj.edited_at = timezone.now()
        super().save_model(request, obj, form, change)
        if isinstance(obj, (Article, StepText)):
            # The source's words become a revision of the significance the editor chose; a new translation
            # follows the source's latest revision.
            revisions.record(obj, form.cleaned_data.get("significance") or Significance.CONTENT)
            revisions.follow_latest(obj)

    class Media:
        js = ("django_htmx/htmx-2.min.js", "js/admin-preview.js")
        css = {"all": ("css/admin.css",)}


class TranslationOutdatedFilter(admin.SimpleListFilter):
    title = _("translation")
    parameter_name = "translation"

    def lookups(self, request, model_admin):
        return [("outdated", _("Outdated (the Italian changed since)")), ("current", _("Up to date"))]

    def queryset(self, request, queryset):
        if self.value() in ("outdated", "current"):
            return queryset.exclude(locale=SOURCE_LOCALE).with_outdated().filter(outdated=self.value() == "outdated")
        return queryset


def significance_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("How big is this change?"), choices=Significance.choices, initial=Significance.CONTENT,
        required=False, widget=forms.RadioSelect,
        help_text=_("A typo or wording fix leaves the translations up to date; a content change or a major "
                    "rewrite marks them outdated."),
    )


class RevisionFieldsMixin:
    """The Italian text's form asks how significant the change is; a translation's form says which Italian
    revision it follows (checked against the revisions that exist)."""

    def source_revision_help(self):
        if self.instance.pk and self.instance.locale != SOURCE_LOCALE and "source_revision" in self.fields:
            latest = revisions.latest_number(revisions.kind_of(self.instance), revisions.key_of(self.instance))
            self.fields["source_revision"].help_text = _(
                "The Italian revision this translation follows. The latest is %(latest)s: set it when the "
                "translation says what the Italian says now.") % {"latest": latest}
            self.fields["source_revision"].widget.attrs["max"] = latest

    def clean_source_revision(self):
        value = self.cleaned_data.get("source_revision")
        if value is not None and self.instance.pk and self.instance.locale != SOURCE_LOCALE:
            latest = revisions.latest_number(revisions.kind_of(self.instance), revisions.key_of(self.instance))
            if value > latest:
                raise ValidationError(_("The Italian text has no revision %(number)s yet (the latest is %(latest)s)."),
                                      params={"number": value, "latest": latest})
        return value


class LinesField(forms.CharField):
    """A list kept as JSON, edited as text: one item per line (or separated by commas)."""

    def __init__(self, *, separator: str = "\n", item_field: forms.Field | None = None, **kwargs):
        self.separator = separator
        self.item_field = item_field
        widget = forms.Textarea(attrs={"rows": 6, "class": "vLargeTextField"}) if separator == "\n" else forms.TextInput(
            attrs={"class": "vTextField"})
        super().__init__(widget=widget, required=False, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, (list, tuple)):
            return (self.separator if self.separator == "\n" else ", ").join(str(item) for item in value)
        return value

    def to_python(self, value):
        text = super().to_python(value)
        parts = text.splitlines() if self.separator == "\n" else text.replace("\n", ",").split(",")
        items = [part.strip() for part in parts if part.strip()]
        if self.item_field is not None:
            items = [self.item_field.clean(item) for item in items]
        return list(dict.fromkeys(items))  # once each, in the order written


def step_choices() -> list[tuple[str, str]]:
    """Every step of every flow as "flow_id:node_id", named by its Italian title (one query)."""
    titles = {(flow_id, node_id): title for flow_id, node_id, title in
              StepText.objects.filter(locale="it").values_list("flow_id", "node_id", "title")}
    return [
        (f"{flow.id}:{node.id}", f"{titles.get((flow.id, node.id), node.id)} ({node.id})")
        for flow in all_flows().values()
        for node in flow.nodes.values()
    ]


class ArticleForm(RevisionFieldsMixin, forms.ModelForm):
    locale = forms.ChoiceField(label=_("language"), choices=LOCALE_CHOICES)
    significance = significance_field()
    tags = LinesField(label=_("tags"), separator=",", help_text=_("Words separated by commas."))
    sources = LinesField(
        label=_("sources"), item_field=forms.URLField(assume_scheme="https"),
        help_text=_("One address per line. The site shows each as the site's name and the page's title."),
    )
    steps = forms.MultipleChoiceField(
        label=_("guide steps"), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("The steps of the guide that link to this article."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = step_choices()
        known = {value for value, _label in choices}
        # A stored reference the flow no longer has stays visible, so that saving shows why it is refused.
        extra = [(value, value) for value in (self.initial.get("steps") or []) if value not in known]
        self.fields["steps"].choices = choices + extra
        self.fields["position"].required = False  # empty: the default place, by title
        self.source_revision_help()

    class Meta:
        model = Article
        fields = ["locale", "slug", "translation_key", "title", "summary", "body", "topic", "position", "tags",
                  "sources", "steps", "updated", "published", "source_revision"]
        widgets = {"body": MarkdownPreviewWidget(), "summary": forms.Textarea(attrs={"rows": 3})}


    def clean_position(self):
        position = self.cleaned_data.get("position")
        return Article._meta.get_field("position").default if position is None else position

    def clean_steps(self):
        steps = self.cleaned_data["steps"] or []
        unknown = [step for step in steps if not isinstance(step, str) or _current_node(step) is None]
        if unknown:
            raise ValidationError(_("Unknown guide steps: %(steps)s"), params={"steps": ", ".join(map(str, unknown))})
        return steps


@admin.register(Article)
class ArticleAdmin(AdminEditMixin, SimpleHistoryAdmin):
    form = ArticleForm
    list_display = ("title", "locale", "slug", "topic", "published", "updated", "is_outdated")
    list_filter = ("locale", "published", TranslationOutdatedFilter, "topic")
    search_fields = ("title", "summary", "body", "slug", "translation_key")
    ordering = ("locale", "topic", "title")
    readonly_fields = ("edited_at", "imported_at")
    history_list_display = ("published",)
    # At tens of thousands of rows: no second COUNT(*) over the whole table, no per-row query (the "outdated"
    # column reads an annotation of the same query), and the list does not read the bodies it never shows.
    show_full_result_count = False
    list_select_related = False  # no foreign keys to follow
    LIST_DEFERRED = ("body", "body_html", "body_text", "sources", "tags", "steps")

    def get_queryset(self, request):
        return super().get_queryset(request).with_outdated()

    def get_fields(self, request, obj=None):
        return revision_fields(super().get_fields(request, obj), obj)

    def get_changelist(self, request, **kwargs):
        changelist = super().get_changelist(request, **kwargs)
        deferred = self.LIST_DEFERRED

        class ArticleChangeList(changelist):
            def get_queryset(self, request, exclude_parameters=None):
                return super().get_queryset(request, exclude_parameters).defer(*deferred)

        return ArticleChangeList

    @admin.display(boolean=True, description=_("outdated"))
    def is_outdated(self, obj):
        return getattr(obj, "outdated", None) if hasattr(obj, "outdated") else revisions.is_outdated(obj)

    def get_urls(self):
        preview = path("preview/", self.admin_site.admin_view(self.preview_view), name="content_markdown_preview")
        return [preview, *super().get_urls()]

    def preview_view(self, request: HttpRequest) -> HttpResponse:
        """POST markdown → the sanitized HTML the site will show (the same function the site uses)."""
        if request.method != "POST":
            return HttpResponseBadRequest("POST only")
        field = request.POST.get("field", "body")
        locale = request.POST.get("locale") or "it"
        if locale not in dict(LOCALE_CHOICES):
            locale = "it"
        return HttpResponse(render_markdown(request.POST.get(field, ""), link_base=article_link_base(locale)))


#: The admin's words for the problems of content/words.py's validator (its own messages are for files and logs).
PROBLEM_MESSAGES = {
    "empty_title": _("The title cannot be empty."),
    "needs_body": _("Information and outcome steps need a body."),
    "no_label": _("Every answer needs a label: the guide would show an empty choice."),
}


def _current_node(step: str):
    """The node a "flow_id:node_id" names, if that id is a node now (an id in [moved] is not: save the new id)."""
    ref = step_ref(step)
    return ref[1] if ref and ref[1].id == step.partition(":")[2] else None


def revision_fields(fields, obj) -> list[str]:
    """An Italian text's form shows the significance question (not on creation: a new text is its first
    revision); a translation's shows the revision it follows."""
    drop = {"source_revision"} if obj is not None and obj.locale == SOURCE_LOCALE else {"significance"}
    kept = [name for name in fields if name not in drop and name != "significance"]
    return kept + (["significance"] if "significance" not in drop else [])


class StepTextForm(RevisionFieldsMixin, forms.ModelForm):
    """Step words; StepTextAdmin adds one field per answer of the node (see `form_for_node`). Checked by the same
    validator as the kb/ files (content/words.py)."""

    node = None  # set on the per-node subclass

    class Meta:
        model = StepText
        fields = ["title", "hint", "body", "source_revision"]
        widgets = {"body": MarkdownPreviewWidget()}

    significance = significance_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.source_revision_help()
        self.fields["body"].widget.locale = self.instance.locale
        for answer_id, label in (self.instance.answers or {}).items():
            self.initial.setdefault(f"answer_{answer_id}", label)

    def clean(self):
        cleaned = super().clean()
        if self.node is None:
            raise ValidationError(_("This step is no longer in the guide's structure (kb/flows/); it cannot be edited."))
        for problem in node_text_problems(self.node, self._text(cleaned), source=str(self.instance)):
            field = problem.field.replace("answer:", "answer_") if problem.field else None
            message = PROBLEM_MESSAGES.get(problem.code, problem.message)
            if field is None or field in self.fields:
                self.add_error(field, message)
        return cleaned

    def _text(self, cleaned) -> NodeText:
        return NodeText(
            title=(cleaned.get("title") or "").strip(),
            hint=cleaned.get("hint") or "",
            body=cleaned.get("body") or "",
            answers={answer.id: (cleaned.get(f"answer_{answer.id}") or "").strip() for answer in self.node.answers},
        )

    def save(self, commit=True):
        if self.node is not None:
            self.instance.title = self.cleaned_data["title"].strip()
            self.instance.answers = dict(self._text(self.cleaned_data).answers)
        return super().save(commit)


def form_for_node(obj: StepText | None) -> type[StepTextForm]:
    """A StepTextForm with one label field per answer of the row's node."""
    node = _current_node(f"{obj.flow_id}:{obj.node_id}") if obj is not None else None
    fields = {
        f"answer_{answer.id}": forms.CharField(
            label=_("Answer “%(answer)s”") % {"answer": answer.id}, max_length=200, strip=True, required=False,
        )
        for answer in (node.answers if node else ())
    }
    return type("StepTextNodeForm", (StepTextForm,), {"node": node, **fields})


def flow_order() -> Case:
    """Each step text's position in its flow (the order of kb/flows/, which is the order of the walk)."""
    whens = [When(flow_id=flow.id, node_id=node_id, then=Value(position))
             for flow in all_flows().values() for position, node_id in enumerate(flow.nodes)]
    return Case(*whens, default=Value(10_000), output_field=IntegerField())


@admin.register(StepText)
class StepTextAdmin(AdminEditMixin, SimpleHistoryAdmin):
    list_display = ("node_id", "locale", "title", "flow_id", "edited_at", "on_site")
    list_filter = ("locale", "flow_id")
    search_fields = ("node_id", "title", "hint", "body")
    readonly_fields = ("flow_id", "node_id", "locale", "edited_at", "imported_at")

    def get_ordering(self, request):
        return ["flow_id", flow_order().asc(), "locale"]  # steps in the order a visitor meets them

    @admin.display(description=_("on the site"))
    def on_site(self, obj):
        url = obj.get_absolute_url()
        return format_html('<a href="{}">{}</a>', url, _("View on site")) if url else "—"

    def view_on_site(self, obj):
        return obj.get_absolute_url()

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = form_for_node(obj)
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request, obj=None):
        editable = revision_fields(list(self._get_form_for_get_fields(request, obj).base_fields), obj)
        return ["flow_id", "node_id", "locale", *editable, "edited_at", "imported_at"]

    def has_add_permission(self, request):
        return False  # the structure (which steps exist) comes only from kb/flows/

    def has_delete_permission(self, request, obj=None):
        return False


class GuideTextForm(forms.ModelForm):
    class Meta:
        model = GuideText
        fields = ["title", "summary"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 3})}

    def clean_title(self):
        title = self.cleaned_data["title"].strip()
        if not title:
            raise ValidationError(PROBLEM_MESSAGES["empty_title"])
        return title


@admin.register(GuideText)
class GuideTextAdmin(AdminEditMixin, SimpleHistoryAdmin):
    """A guide's title and summary per language: the home page's guide card. Which guides exist comes from kb/flows/."""

    form = GuideTextForm
    list_display = ("title", "locale", "flow_id", "edited_at")
    list_filter = ("locale", "flow_id")
    search_fields = ("title", "summary")
    readonly_fields = ("flow_id", "locale", "edited_at", "imported_at")
    fields = ("flow_id", "locale", "title", "summary", "edited_at", "imported_at")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
