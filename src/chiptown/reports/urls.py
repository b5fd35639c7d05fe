"""Report and analytics URLs: each part's pages are listed in its own views module."""

from django.urls import URLPattern

from chiptown.reports.views import analyses, editions, scenarios

app_name = "reports"
urlpatterns: list[URLPattern] = [*analyses.urlpatterns, *scenarios.urlpatterns, *editions.urlpatterns]
