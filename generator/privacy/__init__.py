"""Personal-data detection and anonymisation (the bottom of the privacy layer).

`detect.scan_text` finds personal data, `anonymise` applies the publication policy
(王某, [已隐去], 鲁A*****), `leaks.find_leaks` adds the project's private deny list for the
leak gate. Imports only errors/fsutil/records of pufa (plus python-stdnum and
pyahocorasick): the importer, the leak gate and transcription all build on it.
"""
