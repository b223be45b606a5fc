from django.urls import path

from . import editorial_views, views

app_name = "staff"

urlpatterns = [
    path("", views.home, name="home"),
    path("lookup/", views.lookup, name="lookup"),
    path("links/", views.links, name="links"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/<slug:table>.csv", views.dashboard_csv, name="dashboard_csv"),
    path("flow-map/", views.flow_map, name="flow_map"),
    # The editorial readouts (issue 12).
    path("translations/", editorial_views.translations, name="translations"),
    path("translations.csv", editorial_views.translations_csv, name="translations_csv"),
    path("translations/<slug:kind>/<str:key>/<slug:locale>/", editorial_views.translation_changes,
         name="translation_changes"),
    path("unhelpful/", editorial_views.unhelpful, name="unhelpful"),
    path("unhelpful.csv", editorial_views.unhelpful_csv, name="unhelpful_csv"),
    path("searches/", editorial_views.searches, name="searches"),
    path("searches/<slug:table>.csv", editorial_views.searches_csv, name="searches_csv"),
]
