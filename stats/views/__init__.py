"""The indicator pages, one module per audience: public.py (the key figures) and staff.py
(the dashboard, its CSV downloads and the recompute button)."""
