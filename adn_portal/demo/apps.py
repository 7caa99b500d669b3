from django.apps import AppConfig


class DemoConfig(AppConfig):
    """`manage.py seed_demo`: calls every app's demo module.

    Sits above all apps: nothing imports it."""

    name = "adn_portal.demo"
    label = "demo"
    verbose_name = "Demo data"
