"""Media, transcription and subtitles: ffmpeg probing/extraction, whisper, Simplified
Chinese + punctuation + glossary correction, spoken PII flags, SRT/WebVTT.
May import records and privacy."""
