from django import forms
from django.utils.translation import gettext_lazy as _

from portal.flows.model import CONTINUE, Node


class AnswerForm(forms.Form):
    """One node's answer: a radio choice for a question, a fixed "continue" for an info step, and for a checklist
    the ticked items (any number, none included), from which `cleaned_data["answer"]` is worked out."""

    answer = forms.ChoiceField(
        error_messages={
            "required": _("Choose an answer."),
            "invalid_choice": _("That answer is not one of the choices. Choose one of the answers below."),
        },
    )

    def __init__(self, node: Node, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.node = node
        if node.is_checklist:
            del self.fields["answer"]
            self.fields["items"] = forms.MultipleChoiceField(
                required=False,  # ticking nothing is an answer: "none of these"
                choices=[(item, item) for item in node.items],
                error_messages={
                    "invalid_choice": _("That is not one of the boxes on this page. Tick the ones that apply, "
                                        "or none."),
                    "invalid_list": _("That is not one of the boxes on this page. Tick the ones that apply, "
                                      "or none."),
                },
            )
            return
        ids = [CONTINUE] if node.is_info else [answer.id for answer in node.answers]
        # Labels are the template's job (they come from the step texts); validation only needs the ids.
        self.fields["answer"].choices = [(answer_id, answer_id) for answer_id in ids]

    def clean(self):
        cleaned = super().clean()
        if self.node.is_checklist and "items" in cleaned:
            cleaned["answer"] = self.node.answer_for(cleaned["items"])
        return cleaned

    @property
    def field_errors(self):
        """The errors of the one field this node's form has."""
        return self.errors.get("items" if self.node.is_checklist else "answer", [])
