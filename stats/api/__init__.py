"""The indicators in the /api/v1/ API: the public key figures and, for staff, every value of
the latest snapshot (routed by adn_portal/wiring/api.py)."""
