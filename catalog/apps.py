from django.apps import AppConfig
from django.db.backends.signals import connection_created


class CatalogConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "catalog"
    verbose_name = "Foundation-model catalog"

    def ready(self):
        from catalog.cache.data_version import install

        connection_created.connect(install, dispatch_uid="catalog-data-version")
