from django.urls import path

from . import views

app_name = "guide"

urlpatterns = [
    path("<slug:flow_slug>/", views.flow_start, name="flow"),
    # Before the step pattern, which would read "restart" as a step.
    path("<slug:flow_slug>/restart/", views.restart_confirm, name="restart"),
    path("<slug:flow_slug>/<slug:node_slug>/", views.step, name="step"),
    path("<slug:flow_slug>/<slug:node_slug>/code/", views.code_request, name="code"),
    path("<slug:flow_slug>/<slug:node_slug>/reminder.ics", views.reminder, name="reminder"),
]
