from django.urls import path

from . import views

app_name = "tracking"

urlpatterns = [
    path("feedback/", views.feedback, name="feedback"),
    path("privacy/", views.privacy, name="privacy"),
]
