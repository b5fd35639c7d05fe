from django.urls import path

from chiptown.core import views

app_name = "core"
urlpatterns = [
    path("audit/", views.audit_log, name="audit_log"),
    path("jobs/<uuid:job_id>/", views.job_detail, name="job_detail"),
]
