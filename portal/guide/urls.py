from django.urls import path

from . import views

app_name = "guide"

urlpatterns = [
    path("<slug:flow_slug>/", views.flow_start, name="flow"),
    path("<slug:flow_slug>/<slug:node_slug>/", views.step, name="step"),
    path("<slug:flow_slug>/<slug:node_slug>/code/", views.code_request, name="code"),
]
