"""The local annotation tool (`pufa annotate`): a Starlette server bound to 127.0.0.1 and
our own static page (`static/`: vanilla JS/CSS, nothing from elsewhere).

- `security.Guard`: Host/Origin/Sec-Fetch-Site checks, the per-run token, the body limit;
- `store.Store`: every file access (transcripts only, inside the project), versioned saves,
  the two-file commit, the redaction log;
- `server`: routes, `create_app` (for tests) and `run_annotation_tool` (for the CLI);
- `sample`: synthetic transcripts for tests and `bench/annotate.py`.

May import records, privacy and speech (redaction and subtitles for export) and, lazily,
the site's law book and URL helpers, so citations are checked and linked exactly as
`pufa build` does.
"""
