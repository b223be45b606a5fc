from django.urls import path

from . import views

app_name = "content"

urlpatterns = [
    path("articles/<slug:slug>/", views.article_detail, name="article"),
    path("search/", views.search, name="search"),
    path("topics/<slug:topic>/", views.topic, name="topic"),
]
