from django import forms
from django.utils.translation import gettext_lazy as _

from portal.toolkit.precheck import CATEGORIES

#: Far more than a template body may hold; a longer paste is refused with a form error before any rule runs.
MAX_TEXT = 4000

CATEGORY_LABELS = {
    "marketing": _("Marketing: offers, news, reminders to buy"),
    "utility": _("Utility: orders, deliveries, appointments, account updates"),
    "authentication": _("Authentication: a login or verification code"),
}


class TemplateForm(forms.Form):
    text = forms.CharField(
        label=_("Your message template"),
        help_text=_("Paste the text as you will submit it to Meta, with its variables such as {{1}}."),
        max_length=MAX_TEXT,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "true"}),
        error_messages={
            "required": _("Paste the text of your template."),
            "max_length": _("This text is too long to be a template (%(limit_value)d characters at most; it has "
                            "%(show_value)d). Paste only the body of one template."),
        },
    )
    category = forms.ChoiceField(
        label=_("Its category"),
        choices=[(category, CATEGORY_LABELS[category]) for category in CATEGORIES],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose the category you will pick in WhatsApp Manager."),
            "invalid_choice": _("Choose one of the three categories."),
        },
    )
    website = forms.CharField(
        label=_("Your website (optional)"),
        help_text=_("The site in your business profile, for example www.yourshop.it. We use it only to check "
                    "the links."),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "url", "inputmode": "url"}),
        error_messages={"max_length": _("This address is too long (%(limit_value)d characters at most).")},
    )

    def clean_text(self):
        text = self.cleaned_data["text"]
        if not text.strip():
            raise forms.ValidationError(self.fields["text"].error_messages["required"], code="required")
        return text
