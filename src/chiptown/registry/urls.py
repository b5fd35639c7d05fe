from django.urls import path

from chiptown.registry import views, views_imports

app_name = "registry"
urlpatterns = [
    path("", views.directory, name="directory"),
    path("directory/export/", views.directory_export, name="directory_export"),
    path("organisations/new/", views.organisation_create, name="organisation_create"),
    path("organisations/suggest/", views.organisation_suggest, name="organisation_suggest"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation"),
    path("organisations/<int:pk>/edit/", views.organisation_edit, name="organisation_edit"),
    path("organisations/<int:pk>/delete/", views.organisation_delete, name="organisation_delete"),
    path("organisations/<int:pk>/logo/", views.organisation_logo, name="organisation_logo"),
    path("organisations/<int:pk>/products/new/", views.product_create, name="product_create"),
    path("organisations/<int:pk>/qualifications/new/", views.qualification_create, name="qualification_create"),
    path("organisations/<int:pk>/suppliers/new/", views.supply_link_create, name="supply_link_create"),
    path("organisations/<int:pk>/people/new/", views.person_create, name="person_create"),
    path("products/<int:pk>/edit/", views.product_edit, name="product_edit"),
    path("products/<int:pk>/delete/", views.product_delete, name="product_delete"),
    path("qualifications/<int:pk>/edit/", views.qualification_edit, name="qualification_edit"),
    path("qualifications/<int:pk>/delete/", views.qualification_delete, name="qualification_delete"),
    path("qualifications/<int:pk>/certificate.pdf", views.qualification_certificate, name="qualification_certificate"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:pk>/delete/", views.person_delete, name="person_delete"),
    path("supply-links/<int:pk>/edit/", views.supply_link_edit, name="supply_link_edit"),
    path("supply-links/<int:pk>/delete/", views.supply_link_delete, name="supply_link_delete"),
    path("chain-map/", views.chain_map, name="chain_map"),
    path("import/", views_imports.import_page, name="import"),
    path("import/<uuid:batch_id>/", views_imports.import_result, name="import_result"),
    path("import/template/<slug:kind>.<slug:fmt>", views_imports.import_template, name="import_template"),
    path("export/", views_imports.export_page, name="export"),
]
