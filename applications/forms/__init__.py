"""The forms of files, one module per audience: applicant.py and staff.py; conversation.py, the
message any side writes in a file's conversation. The step forms of a
call's application form live with the steps (applications/steps.py)."""
