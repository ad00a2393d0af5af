"""泉小慧 videos: the episode index, browse by topic and by audience, one page per
episode (self-hosted `<video>` with poster, subtitles and transcript where they exist,
links to laws, cases and lessons) and the in-vehicle playlist page.

Media never leaves the project's own files: the video is copied into the site (with the
redacted time ranges muted where the episode has a reviewed transcript), the poster is
the given image, a frame taken from the video, or the default poster.
Derived files (frames, muted copies) come from the shared transcript machinery
(`site/transcripts.py`, also used by livestream recaps): cached under `.pufa-cache/media/`,
keyed by the source's content fingerprint and what was asked, so a rebuild does no ffmpeg work.
"""
from __future__ import annotations

import json
import mimetypes
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from ...errors import InputError, MediaError
from ...records.content import Episode
from ...records.transcript import Segment
from ...speech.redact import published_segments, redacted_ranges
from ...speech.subtitles import to_srt, to_vtt
from ...yamlio import load_yaml
from ..content import (AUDIENCE_LABELS, AUDIENCE_SLUGS, SHORT_EPISODE_SECONDS, content_index, duration_text,
                       root_of)
from ..pages import Asset, Page
from ..transcripts import MediaCache
from ..render import episode_url, render, slugify

# Copied with every file of assets/img/ by the build.
DEFAULT_POSTER = "assets/pufa/img/episode-poster.svg"
POSTER_AT_SECONDS = 3.0
# Sound-only episodes play in the same <video> element, under the default poster.
AUDIO_SUFFIXES = (".m4a", ".mp3", ".wav", ".ogg", ".aac", ".opus")


@dataclass(frozen=True)
class Video:
    src: str           # site-root-relative URL of the copied file
    type: str          # MIME type for <source type>


@dataclass(frozen=True)
class Subtitles:
    vtt: str
    srt: str


@dataclass(frozen=True)
class Group:
    slug: str
    label: str
    episodes: tuple[Episode, ...]


def clock(seconds: float) -> str:
    total = int(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def video_url(episode: Episode) -> str:
    """Where an episode's video is in the site ('' when it has none); lessons use it too."""
    return f"videos/media/{episode.id}{Path(episode.media).suffix.lower()}" if episode.media else ""


def poster_url(episode: Episode) -> str:
    """The given poster, else a frame of the video, else the default poster."""
    if episode.poster:
        return f"videos/posters/{episode.id}{Path(episode.poster).suffix.lower()}"
    if episode.media and Path(episode.media).suffix.lower() not in AUDIO_SUFFIXES:
        return f"videos/posters/{episode.id}.jpg"
    return DEFAULT_POSTER


def video_type(episode: Episode) -> str:
    return mimetypes.guess_type(Path(episode.media).name)[0] or "video/mp4"


class _EpisodeMedia:
    """Works out each episode's video, poster and subtitles, turning a media failure into
    an input error that names the episode's line in data/episodes.yaml."""

    def __init__(self, model: Any):
        self.model = model
        self.config = model.config
        self.media = MediaCache(self.config.cache_dir)
        self.file = self.config.data_dir / "episodes.yaml"
        self._lines = None
        self.transcripts = {t.id: t for t in model.transcripts}

    def _error(self, index: int, name: str, message: str) -> InputError:
        if self._lines is None:
            self._lines = load_yaml(self.file)[1]
        where = f"episodes[{index}].{name}"
        return InputError.at(self.file, message, line=self._lines(where), field=where)

    def published(self, episode: Episode) -> tuple[list[Segment], list[tuple[float, float]]]:
        folder = self.transcripts.get(episode.transcript) if episode.transcript else None
        if folder is None or not folder.has_transcript:
            return [], []
        return (published_segments(folder.transcript, folder.annotations),
                redacted_ranges(folder.transcript, folder.annotations))

    def video(self, index: int, episode: Episode, ranges: list[tuple[float, float]]) -> tuple[Video | None, Asset | None]:
        if not episode.media:
            return None, None
        source = self.config.root / episode.media
        url = video_url(episode)
        if ranges:
            # Spoken personal data is muted in the published copy, as in the transcript.
            try:
                source = self.media.muted(source, ranges, f"episode-{episode.id}")
            except MediaError as exc:
                raise self._error(index, "media", f"cannot mute the redacted parts: {exc}") from None
        return Video(url, video_type(episode)), Asset(url, source=source)

    def poster(self, index: int, episode: Episode) -> tuple[str, Asset | None]:
        url = poster_url(episode)
        if episode.poster:
            return url, Asset(url, source=self.config.root / episode.poster)
        if url == DEFAULT_POSTER:
            return url, None
        source = self.config.root / episode.media
        try:
            frame = self.media.frame(source, POSTER_AT_SECONDS, f"episode-{episode.id}-poster", width=640)
        except MediaError as exc:
            raise self._error(index, "media", f"cannot take a poster frame: {exc}") from None
        return url, Asset(url, source=frame)


def _by_number(episodes: Iterable[Episode]) -> list[Episode]:
    return sorted(episodes, key=lambda e: (e.number, e.id))


def topic_groups(episodes: Iterable[Episode]) -> list[Group]:
    topics: dict[str, list[Episode]] = {}
    for episode in _by_number(episodes):
        topics.setdefault(episode.topic, []).append(episode)
    return [Group(slugify(t), t, tuple(v)) for t, v in sorted(topics.items(), key=lambda kv: (-len(kv[1]), kv[0]))]


def audience_groups(episodes: Iterable[Episode]) -> list[Group]:
    episodes = _by_number(episodes)
    groups = []
    for audience, label in AUDIENCE_LABELS.items():
        members = tuple(e for e in episodes if audience in e.audience)
        if members:
            groups.append(Group(AUDIENCE_SLUGS[audience], label, members))
    return groups


def _common(model: Any) -> dict[str, Any]:
    return {"audience_labels": AUDIENCE_LABELS, "audience_slugs": AUDIENCE_SLUGS, "duration": duration_text}


def pages(model: Any) -> Iterable[Page | Asset]:
    media = _EpisodeMedia(model)
    index = content_index(model)
    episodes = _by_number(model.episodes)
    posters: dict[str, str] = {}
    videos: dict[str, Video] = {}
    out: list[Page | Asset] = []
    position = {e.id: i for i, e in enumerate(model.episodes)}
    common = _common(model)

    for episode in episodes:
        at = position[episode.id]
        segments, ranges = media.published(episode)
        video, video_asset = media.video(at, episode, ranges)
        poster, poster_asset = media.poster(at, episode)
        posters[episode.id] = poster
        out += [a for a in (video_asset, poster_asset) if a is not None]
        subtitles = None
        if segments:
            subtitles = Subtitles(f"videos/subtitles/{episode.id}.vtt", f"videos/subtitles/{episode.id}.srt")
            out.append(Asset(subtitles.vtt, data=to_vtt(segments).encode("utf-8")))
            out.append(Asset(subtitles.srt, data=to_srt(segments).encode("utf-8")))
        if video is not None:
            videos[episode.id] = video
        cases = index.cases_by_episode.get(episode.id, [])
        path = f"{episode_url(episode.id).rstrip('/')}.md"
        body = render("episodes/episode.html", episode=episode, video=video, poster=poster, subtitles=subtitles,
                      segments=segments, cases=cases, lessons=index.lessons_by_episode.get(episode.id, []),
                      topic_slug=slugify(episode.topic), clock=clock, root=root_of(episode_url(episode.id)),
                      **common)
        audiences = [AUDIENCE_LABELS[a] for a in episode.audience]
        out.append(Page(path, f"泉小慧第{episode.number}集：{episode.title}", body,
                        description=_description(episode), filters={"type": ["视频"], "category": [episode.topic],
                                                                     "audience": audiences},
                        meta={"image": poster}))

    root = root_of("videos/")
    with_video = sum(1 for e in episodes if e.id in videos)
    out.append(Page("videos/index.md", "泉小慧普法视频", render(
        "episodes/index.html", episodes=episodes, posters=posters, with_video=with_video, root=root, **common),
        description=f"济南交通运输执法“泉小慧”普法视频栏目，共{len(episodes)}集，可按主题和适用对象浏览。",
        in_nav=True, filters={"type": ["视频"]}))
    for slug, title, groups in (("topics", "泉小慧视频 · 按主题", topic_groups(episodes)),
                                ("audiences", "泉小慧视频 · 按适用对象", audience_groups(episodes))):
        out.append(Page(f"videos/{slug}.md", title, render(
            "episodes/groups.html", groups=groups, posters=posters, root=root_of(f"videos/{slug}/"), **common),
            description=f"{title}：" + "、".join(f"{g.label}{len(g.episodes)}集" for g in groups), search=False))
    out.append(playlist_page(episodes, videos, posters))
    return out


def _description(episode: Episode) -> str:
    summary = " ".join(episode.summary.split())
    return summary if len(summary) <= 110 else summary[:109] + "…"


def playlist_page(episodes: list[Episode], videos: dict[str, Video], posters: dict[str, str]) -> Page:
    """车载播放: the short episodes that have a video, one after another, in a loop."""
    root = root_of("videos/playlist/")
    items = [{"id": e.id, "title": f"泉小慧第{e.number}集 · {e.title}", "src": root + videos[e.id].src,
              "poster": root + posters[e.id]}
             for e in episodes if e.id in videos and e.duration <= SHORT_EPISODE_SECONDS]
    body = render("episodes/playlist.html", items=items,
                  playlist_json=json.dumps(items, ensure_ascii=False, separators=(",", ":")))
    return Page("videos/playlist.md", "泉小慧车载循环播放", body,
                description="出租车、公交车载屏使用：泉小慧短视频全屏循环播放，无需操作。",
                search=False, meta={"hide": ["navigation", "toc", "footer"]})
