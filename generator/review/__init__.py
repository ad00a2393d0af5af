"""The review staff sign before a case is published (`pufa review`).

`approvals` owns the record of who approved which content (`cases_public/.review/
approvals.jsonl`, no personal data, committed with the cases) and `approved()`, the one
filter the build applies; `notes` keeps what the import changed and saw (private, under
`.pufa-private/review/`); `suspects` finds what the anonymiser left that still looks
personal; `server` is the local review page. Imports records/, privacy/, annotate/security
and the bottom modules of pufa only; the site build imports `approvals` alone.
"""
