from django.urls import path, re_path

from . import views

app_name = "errorcodes"

urlpatterns = [
    path("", views.directory, name="directory"),
    re_path(r"^codes/(?P<slug>[-.\w]+)/$", views.code_detail, name="code_detail"),
    path("decode/", views.decode_page, name="decode"),
    path("decode/csv/", views.decode_csv, name="decode_csv"),
    path("api/decode", views.api_decode, name="api_decode"),
]
