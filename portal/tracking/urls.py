from django.urls import path

from . import search_views, views

app_name = "tracking"

urlpatterns = [
    path("feedback/", views.feedback, name="feedback"),
    path("privacy/", views.privacy, name="privacy"),
    path("search/open/<slug:slug>/", search_views.search_open, name="search_open"),
]
