"""The top layer, beside adn_portal.wiring: the demo seeder (`manage.py seed_demo`), its demo
accounts and history. It may import every layer below it; nothing imports it."""
