from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from . import views
from .guide import views as guide_views

urlpatterns = [
    path("", views.root_redirect),
    path("healthz", views.healthz),
    path("admin/", admin.site.urls),
]
urlpatterns += i18n_patterns(
    path("", guide_views.home, name="home"),
    path("guide/", include("portal.guide.urls")),
)
