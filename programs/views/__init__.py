"""The pages of programmes and calls, one module per audience: public.py (everyone; staff also
preview unpublished calls there). Views decide HTTP: a selector's None is a 404 here."""
