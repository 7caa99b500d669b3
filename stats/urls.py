from django.urls import path

from . import views

app_name = "stats"

urlpatterns = [
    path("chiffres-cles/", views.key_figures, name="key_figures"),
    path("espace-adn/indicateurs/", views.dashboard, name="dashboard"),
    path("espace-adn/indicateurs/<slug:chart>.csv", views.dashboard_csv, name="dashboard_csv"),
    path("espace-adn/indicateurs/recalculer/", views.recompute, name="recompute"),
]
