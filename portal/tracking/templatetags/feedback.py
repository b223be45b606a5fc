from django import template

from ..views import widget_context

register = template.Library()


@register.inclusion_tag("feedback/widget.html", takes_context=True)
def feedback_widget(context, target: str):
    """The "was this helpful?" box for one page (target like "article:appeal" or "step:flow_id:node_id")."""
    request = context["request"]
    return {"feedback": widget_context(request, target, request.get_full_path())}
