from django.urls import path

from stats.apis import AssignmentImportApi, NeedReportApi

urlpatterns = [
    path("need-report/", NeedReportApi.as_view(), name="stats-need-report"),
    path("imports/", AssignmentImportApi.as_view(), name="stats-imports"),
]
