from django.urls import path

from . import views

app_name = "errorcodes"

urlpatterns = [
    path("", views.directory, name="directory"),
    path("codes/<slug:slug>/", views.code_detail, name="code_detail"),
    path("decode/", views.decode_page, name="decode"),
    path("api/decode", views.api_decode, name="api_decode"),
]
