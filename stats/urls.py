from django.urls import path

from .views import public, staff

app_name = "stats"

urlpatterns = [
    path("chiffres-cles/", public.key_figures, name="key_figures"),
    path("espace-adn/indicateurs/", staff.dashboard, name="dashboard"),
    path("espace-adn/indicateurs/<slug:chart>.csv", staff.dashboard_csv, name="dashboard_csv"),
    path("espace-adn/indicateurs/recalculer/", staff.recompute, name="recompute"),
]
