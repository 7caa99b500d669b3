from django.urls import path

from .views import public

app_name = "programs"

urlpatterns = [
    path("", public.home, name="home"),
    path("programmes/<slug:slug>/", public.programme_detail, name="programme_detail"),
    path("appels/<slug:slug>/", public.call_detail, name="call_detail"),
]
