"""`GET /api/transcripts/{id}/waveform`: the waveform overview beside a transcript.

Kept out of server.py (its routes and checks are another module's): this only reads
`waveform.json` from the folder the store resolves (the store refuses ids that are not
plain slugs or folders outside the transcripts folder), computing it once from the media
with ffmpeg for transcripts made before the file existed.
"""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..errors import InputError, MediaError
from ..speech.waveform import waveform_for_media


def waveform_route(store) -> Route:
    def waveform(request: Request) -> Response:
        tid = request.path_params["id"]
        try:
            folder = store.folder(tid)
            path = folder / "waveform.json"
            if not path.is_file():
                media, problem = store.media(tid)
                if media is None:
                    return JSONResponse({"error": f"没有波形：{problem}"}, status_code=404)
                path = waveform_for_media(folder, media)
        except FileNotFoundError:
            return JSONResponse({"error": f"没有这个转写稿 / no transcript '{tid}'"}, status_code=404)
        except (InputError, MediaError, OSError) as exc:
            return JSONResponse({"error": str(exc)}, status_code=422)
        return Response(path.read_bytes(), media_type="application/json", headers={"cache-control": "no-store"})

    return Route("/api/transcripts/{id}/waveform", waveform)
