"""The public site: load and validate project inputs, render pages, run mkdocs and
Pagefind into a temporary folder, leak-check, swap into site/. May import records,
privacy (for the leak gate) and speech.subtitles/redaction helpers; nothing imports it."""
