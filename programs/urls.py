from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("programmes/<slug:slug>/", views.programme_detail, name="programme_detail"),
    path("appels/<slug:slug>/", views.call_detail, name="call_detail"),
]
