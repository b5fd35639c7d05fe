"""Competition URLs; each part adds its own lines."""

from django.urls import URLPattern, URLResolver

app_name = "competitions"
urlpatterns: list[URLPattern | URLResolver] = []
