from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

urlpatterns = [
    path("admin/", admin.site.urls),
    # The website lands in its own issue; until then the root leads to the admin, where the data lives.
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
]
