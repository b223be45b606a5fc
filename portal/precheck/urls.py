from django.urls import path

from . import views

app_name = "precheck"

urlpatterns = [
    path("", views.template_check, name="check"),
]
