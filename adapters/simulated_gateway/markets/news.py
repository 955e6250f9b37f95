"""The simulated news desk: a few providers, headlines per listed stock over recent days, and
their articles; all of it derived from the world's seed, the instrument and the day, so the
same world answers the same news every time.

Headlines carry IB's metadata prefix ``{A:<id>:L:<language>:K:<sentiment>:C:<confidence>}``
as IB's historical news does. Articles of the Dow Jones newsletters (DJNL) are PDFs (IB's
article type 1, base64); the others are text (type 0).
"""

from __future__ import annotations

import base64
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from adapters.simulated_gateway.model import Instrument

PROVIDERS: tuple[tuple[str, str], ...] = (
    ("BRFG", "Briefing.com General Market Columns"),
    ("BRFUPDN", "Briefing.com Analyst Actions"),
    ("BZ", "Benzinga Pro"),
    ("DJNL", "Dow Jones Newsletters"),
)
PROVIDER_CODES = frozenset(code for code, _ in PROVIDERS)
PDF_PROVIDERS = frozenset({"DJNL"})
MAX_RESULTS = 300  # IB's cap on totalResults
DAYS_OF_NEWS = 30

# IB's answers for news it cannot give (see tws-protocol.md: news).
NEWS_NOT_ALLOWED = (10276, "News feed is not allowed.")
ARTICLE_NOT_FOUND = 10172

_TEMPLATES: dict[str, tuple[str, ...]] = {
    "BRFG": (
        "{name} trades {move} as sector rotation continues",
        "Market movers: {symbol} {direction} {pct}% in active trading",
        "{symbol} in focus ahead of the open",
    ),
    "BRFUPDN": (
        "{symbol} upgraded to Buy at a large broker, target raised",
        "{symbol} downgraded to Neutral on valuation",
        "{symbol} initiated with Outperform at a regional bank",
    ),
    "BZ": (
        "{name} shares are trading {move}: what's going on",
        "Options activity: unusual call buying in {symbol}",
        "{symbol} insider files a Form 4",
    ),
    "DJNL": (
        "Weekly newsletter: {name} and its peers",
        "Income investor: {symbol} dividend outlook",
    ),
}


@dataclass(frozen=True, slots=True)
class Headline:
    time: datetime  # UTC
    provider: str
    article_id: str
    headline: str  # with IB's metadata prefix


class NewsDesk:
    """Headlines and articles of one world (``seed``), computed on demand."""

    def __init__(self, seed: int) -> None:
        self._seed = seed

    def headlines(
        self,
        inst: Instrument,
        providers: list[str],
        start: datetime | None,
        end: datetime,
        total: int,
    ) -> tuple[list[Headline], bool]:
        """Newest first, in (start, end], at most ``total`` (capped at 300); and whether
        there were more."""
        found: list[Headline] = []
        day = end.astimezone(UTC).date()
        for back in range(DAYS_OF_NEWS):
            for item in reversed(self._day(inst, day - timedelta(days=back))):
                if item.provider not in providers or item.time > end:
                    continue
                if start is not None and item.time <= start:
                    continue
                found.append(item)
        cap = max(1, min(total, MAX_RESULTS))
        return found[:cap], len(found) > cap

    def article(
        self, provider: str, article_id: str, instruments: list[Instrument]
    ) -> tuple[int, str] | None:
        """(article type, text) of an article id this desk issued, or None."""
        key = _parse_id(article_id)
        if key is None or key[0] != provider:
            return None
        _, con_id, day = key
        inst = next((i for i in instruments if i.con_id == con_id), None)
        if inst is None:
            return None
        for item in self._day(inst, day):
            if item.article_id == article_id:
                return self._body(inst, item)
        return None

    def _day(self, inst: Instrument, day: date) -> list[Headline]:
        """The day's headlines of one instrument, oldest first (2 to 4 a weekday, 0-1 weekends)."""
        rng = random.Random(f"news:{self._seed}:{inst.con_id}:{day.isoformat()}")
        count = rng.randint(2, 4) if day.weekday() < 5 else rng.randint(0, 1)
        out: list[Headline] = []
        minutes = sorted(rng.sample(range(11 * 60, 22 * 60), count))  # 07:00-18:00 New York
        for n, minute in enumerate(minutes):
            provider = PROVIDERS[rng.randrange(len(PROVIDERS))][0]
            text = rng.choice(_TEMPLATES[provider]).format(**_words(inst, rng))
            sentiment = round(rng.uniform(-1, 1), 2)
            prefix = f"{{A:{800000 + rng.randrange(99999)}:L:en:K:{sentiment}:C:{abs(sentiment)}}}"
            at = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(minutes=minute)
            article_id = f"{provider}${inst.con_id:x}{day.strftime('%Y%m%d')}{n}"
            out.append(Headline(at, provider, article_id, prefix + text))
        return out

    def _body(self, inst: Instrument, item: Headline) -> tuple[int, str]:
        rng = random.Random(f"article:{self._seed}:{item.article_id}")
        title = item.headline.split("}", 1)[-1]
        paragraphs = [
            title,
            f"{inst.long_name or inst.symbol} ({inst.symbol}, {inst.primary_exchange}) "
            f"{_words(inst, rng)['move']} on {item.time:%B %d, %Y}.",
            f"Analysts pointed to {rng.choice(_DRIVERS)} as the main driver; volume ran "
            f"{rng.randint(80, 180)}% of its 30-day average.",
            f"This article is simulated news for {inst.symbol}; it says nothing about the "
            "real company.",
        ]
        text = "\n\n".join(paragraphs)
        if item.provider in PDF_PROVIDERS:
            return 1, base64.b64encode(_pdf(text)).decode("ascii")
        return 0, text


_DRIVERS = (
    "guidance for the coming quarter",
    "a rotation out of growth names",
    "comments at an industry conference",
    "a broker's revised price target",
    "macro data released this morning",
)


def _words(inst: Instrument, rng: random.Random) -> dict[str, str]:
    pct = round(rng.uniform(0.3, 4.5), 1)
    up = rng.random() < 0.5
    return {
        "symbol": inst.symbol,
        "name": (inst.long_name or inst.symbol).title(),
        "pct": f"{pct}",
        "direction": "up" if up else "down",
        "move": f"{'higher' if up else 'lower'} by {pct}%",
    }


def _parse_id(article_id: str) -> tuple[str, int, date] | None:
    """(provider, con_id, day) of an id ``<provider>$<conid hex><YYYYMMDD><n>``."""
    provider, sep, rest = article_id.partition("$")
    if not sep or len(rest) < 10:
        return None
    try:
        day = datetime.strptime(rest[-9:-1], "%Y%m%d").date()
        return provider, int(rest[:-9], 16), day
    except ValueError:
        return None


def _pdf(text: str) -> bytes:
    """A minimal one-page PDF with the text's first line (enough for a reader to open)."""
    first = text.splitlines()[0].replace("\\", "").replace("(", "").replace(")", "")[:80]
    stream = f"BT /F1 12 Tf 72 720 Td ({first}) Tj ET".encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)
