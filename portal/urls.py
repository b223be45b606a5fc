from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from . import views
from .content import views as content_views
from .guide import views as guide_views

# The site's own error pages: localized, never re-reading a broken body (portal/errors.py).
handler400 = "portal.errors.bad_request"
handler403 = "portal.errors.permission_denied"
handler404 = "portal.errors.page_not_found"
handler500 = "portal.errors.server_error"

urlpatterns = [
    path("", views.root_redirect),
    path("healthz", views.healthz),
    path("readyz", views.readyz),
    path("robots.txt", content_views.robots_txt),
    path("sitemap.xml", content_views.sitemap),
    path("sitemap-<str:locale>-<int:page>.xml", content_views.sitemap_section, name="sitemap-section"),
    path("admin/", admin.site.urls),
]
urlpatterns += i18n_patterns(
    path("", guide_views.home, name="home"),
    path("guide/", include("portal.guide.urls")),
    path("template-check/", include("portal.precheck.urls")),
    path("", include("portal.content.urls")),
    path("", include("portal.tracking.urls")),
    path("staff/", include("portal.staff.urls")),
)
