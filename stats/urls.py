from django.urls import path

from stats.apis import AssignmentImportApi, NeedReportApi
from stats.apis_export import FactExportManifestApi, FactsExportApi

urlpatterns = [
    path("need-report/", NeedReportApi.as_view(), name="stats-need-report"),
    path("imports/", AssignmentImportApi.as_view(), name="stats-imports"),
    path("facts/", FactsExportApi.as_view(), name="stats-facts"),
    path("facts/manifests/<uuid:export_id>/", FactExportManifestApi.as_view(),
         name="stats-facts-manifest"),
]
