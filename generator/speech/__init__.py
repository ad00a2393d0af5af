"""Media, transcription and subtitles. May import records, errors, fsutil, yamlio, privacy.

media.py      ffmpeg (imageio-ffmpeg) via ffmpeg-python: probe, 16 kHz WAV, posters, muting
model.py      the bundled whisper base (assembled once, verified), named/local models, device
transcribe.py whisper over windows of audio → subtitle-sized Simplified, punctuated segments
textnorm.py   OpenCC t2s and Chinese sentence punctuation
glossary.py   data/glossary.yaml + project terms; decoding prompt; pinyin homophone correction
domainlm.py   character n-gram model and lexicon of the bureau's texts, to choose corrections
numbers.py    第三十四条 in citations, 55吨 in measurements
guards.py     long audio: repeated lines collapsed and marked for review, times kept sane
waveform.py   waveform.json (loudness per 0.2 s) for the annotation tool
publishcheck.py  what the build refuses: numbers released without a reason or published unhidden
pii.py        spoken personal data (digits read aloud, plates, names) → PiiFlag with time range
redact.py     what may be published: [已隐去] spans, speaker names, time ranges to silence
subtitles.py  SRT/WebVTT out and in; `pufa subtitles import/export`
store.py      writing a transcripts/<id>/ folder whole (temp folder, then swap)
run.py        `pufa transcribe`: validate all media, resumable per-window checkpoints, progress
cer.py        character error rate for the bench and tests
"""
