from django.urls import path

from chiptown.registry import views

app_name = "registry"
urlpatterns = [
    path("", views.directory, name="directory"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation"),
    path("chain-map/", views.chain_map, name="chain_map"),
    path("import/", views.import_upload, name="import"),
    path("export/", views.export_download, name="export"),
]
