"""The pages of files, one module per audience: applicant.py (the organisation's members) and
staff.py (the AdN's staff). Views decide HTTP: a selector's None is a 404 here."""
