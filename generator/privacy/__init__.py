"""Personal-data detection and anonymisation. Imports only records/errors: the importer,
the leak gate and transcription all use these detectors."""
