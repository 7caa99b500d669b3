"""The forms of files, one module per audience: applicant.py and staff.py. The step forms of a
call's application form live with the steps (applications/steps.py)."""
