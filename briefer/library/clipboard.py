"""What a paste or a drop brings, turned into a draft snippet.

No Qt here: the window copies the clipboard's (or the drop's) formats into
a `ClipContent`, and `draft_from_clip` makes the `Draft` the "New snippet"
dialog opens with: the text, and the source's address where the data
carries one (a browser's `<!--SourceURL:...-->`, `<base href>` or canonical
link in its HTML, a dragged link, or a text that is only an address, which
then goes to the address and not to the text). `validate` says, field by
field, what stops a draft from being saved, in words for the person, and
`Draft.cleaned()` is the draft as the library will store it.

Text is data: it is never read as markup, and a text that looks like a file
path or a `file:` address stays text; nothing here opens a file.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import enum
import html as html_lib
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urlsplit

from briefer.library import normalize
from briefer.library.model import Source

# A browser puts the page's address near the start of what it copies; only
# this much of the HTML is searched for it, so a huge paste stays quick.
HTML_HEAD_CHARS = 64 * 1024

# Addresses the library stores as links (the exports make only these clickable).
LINK_SCHEMES = ("http", "https", "mailto")


class Field(enum.Enum):
    """A field of the "New snippet" dialog (and of `Draft`)."""

    TEXT = "text"
    NOTE = "note"
    TAGS = "tags"
    COLLECTION = "collection"
    TITLE = "title"
    PUBLISHER = "publisher"
    AUTHOR = "author"
    URL = "url"
    PUBLISHED = "published"
    ACCESSED = "accessed"


@dataclass(frozen=True)
class Draft:
    """A snippet being written, field by field as the person typed it
    (`tags` as one line, separated by commas or semicolons)."""

    text: str = ""
    note: str = ""
    tags: str = ""
    collection: str = ""
    title: str = ""
    publisher: str = ""
    author: str = ""
    url: str = ""
    published: str = ""
    accessed: str = ""

    @classmethod
    def new(cls, today: dt.date | None = None, **fields: str) -> Draft:
        """An empty draft (or with `fields`), accessed today unless given."""
        fields.setdefault("accessed", (today or dt.date.today()).isoformat())
        return cls(**fields)

    def get(self, field: Field) -> str:
        return str(getattr(self, field.value))

    def with_field(self, field: Field, value: str) -> Draft:
        return dataclasses.replace(self, **{field.value: value})

    def tag_list(self) -> tuple[str, ...]:
        return normalize.split_tags(self.tags)

    def source(self) -> Source:
        return Source(
            title=self.title,
            publisher=self.publisher,
            author=self.author,
            url=self.url,
            published=self.published,
            accessed=self.accessed,
        )

    def cleaned(self) -> Draft:
        """The draft as it will be stored: the address made a link where it
        can be (`www.` and DOIs get their `https://`), dates in ISO form,
        text without surrounding blank lines. Call after `validate` found
        nothing; a field that does not validate is left as typed."""
        url = self.url
        with contextlib.suppress(ValueError):
            url = clean_url(self.url)
        dates = {}
        for name in ("published", "accessed"):
            try:
                dates[name] = normalize.parse_date(getattr(self, name))
            except ValueError:
                dates[name] = getattr(self, name)
        return dataclasses.replace(
            self, text=_plain_newlines(self.text).strip("\n"), url=url, **dates
        )


@dataclass(frozen=True)
class Problem:
    """Why a field stops the draft from being saved, said to the person."""

    field: Field
    message: str


def validate(draft: Draft) -> list[Problem]:
    """Everything that stops `draft` from being saved, in the dialog's order
    (empty when it can be saved)."""
    problems: list[Problem] = []
    if not normalize.clean(draft.text):
        problems.append(Problem(Field.TEXT, "A snippet needs its text: paste or type the quote."))
    try:
        clean_url(draft.url)
    except ValueError as exc:
        problems.append(Problem(Field.URL, str(exc)))
    for field in (Field.PUBLISHED, Field.ACCESSED):
        try:
            normalize.parse_date(draft.get(field))
        except ValueError:
            problems.append(
                Problem(
                    field,
                    f"{normalize.one_line(draft.get(field))!r} is not a date:"
                    " write 2026, 2026-11 or 2026-11-20.",
                )
            )
    return problems


# -- addresses -------------------------------------------------------------

_DOI = re.compile(r"^(?:doi:\s*|https?://(?:dx\.)?doi\.org/)?(10\.\d{4,9}/\S+)$", re.IGNORECASE)
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")


def clean_url(value: str) -> str:
    """The source address as the library should store it: "" for none, an
    http, https or mailto address as a link, `www.…` with `https://`, a
    DOI (`10.1234/x` or `doi:10.1234/x`) as `https://doi.org/…`. Raises
    ValueError, with a message for the person, for anything else."""
    text = value.strip()
    if not text:
        return ""
    if any(ch.isspace() for ch in text):
        raise ValueError("An address has no spaces in it: check that the whole address was pasted.")
    doi = _DOI.match(text)
    if doi:
        return "https://doi.org/" + doi.group(1)
    if text.lower().startswith("www."):
        text = "https://" + text
    scheme = _SCHEME.match(text)
    if scheme is None:
        raise ValueError(
            "Start the address with https:// (or http://, mailto:) so it can be a link."
        )
    name = scheme.group(1).lower()
    if name not in LINK_SCHEMES:
        raise ValueError(
            f"Only web (https://, http://) and mailto: addresses become links, not {name}:."
        )
    if name == "mailto":
        if "@" not in text[len("mailto:") :]:
            raise ValueError("A mailto: address needs an e-mail address after it.")
        return text
    try:
        host = urlsplit(text).hostname
    except ValueError:
        host = None
    if not host:
        raise ValueError(f"The address names no web site after {name}://.")
    return text


def is_bare_url(text: str) -> bool:
    """True when `text` is only a web or mail address (a link, not a quote):
    one line without spaces, `http(s)://site…`, `mailto:…@…` or `www.site.…`."""
    candidate = text.strip()
    if not candidate or any(ch.isspace() for ch in candidate):
        return False
    lower = candidate.lower()
    if lower.startswith("www.") and "." in lower[4:]:
        return True
    if not lower.startswith(("http://", "https://", "mailto:")):
        return False
    try:
        clean_url(candidate)
    except ValueError:
        return False
    return True


def _web_address(value: str) -> str:
    """`value` if it is an http or https address with a site, else ""."""
    text = html_lib.unescape(value).strip()
    if not text.lower().startswith(("http://", "https://")):
        return ""
    try:
        return clean_url(text)
    except ValueError:
        return ""


_SOURCE_URL = re.compile(r"\bSourceURL:\s*([^\s<>\"']+?)(?=-->|[\s<>\"']|$)", re.IGNORECASE)
_TAG = re.compile(r"<(base|link|meta)\b([^>]*)>", re.IGNORECASE)
_ATTRIBUTE = re.compile(r"""([\w:-]+)\s*=\s*("[^"]*"|'[^']*'|[^\s"'>]+)""")


def _attributes(text: str) -> dict[str, str]:
    return {
        name.lower(): value[1:-1] if value[:1] in "\"'" else value
        for name, value in _ATTRIBUTE.findall(text)
    }


def source_url_from_html(html: str) -> str:
    """The address of the page a browser copied `html` from, or "": the
    `SourceURL` it notes (Chromium on Windows, `<!--SourceURL:…-->` or a
    header line), else the page's canonical link or `og:url`, else its
    `<base href>`. Only http and https addresses count."""
    head = html[:HTML_HEAD_CHARS]
    for match in _SOURCE_URL.finditer(head):
        found = _web_address(match.group(1))
        if found:
            return found
    canonical = og_url = base = ""
    for tag, attributes in _TAG.findall(head):
        attrs = _attributes(attributes)
        tag = tag.lower()
        if tag == "link" and "canonical" in attrs.get("rel", "").lower().split():
            canonical = canonical or _web_address(attrs.get("href", ""))
        elif tag == "meta" and attrs.get("property", attrs.get("name", "")).lower() == "og:url":
            og_url = og_url or _web_address(attrs.get("content", ""))
        elif tag == "base":
            base = base or _web_address(attrs.get("href", ""))
    return canonical or og_url or base


def decode_moz_url(data: bytes) -> tuple[str, str]:
    """`text/x-moz-url` (the address, a newline, the link's title), which
    Firefox and Chromium write as UTF-16 and some programs as UTF-8:
    `(address, title)`, either "" when missing."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        text = data.decode("utf-16", errors="replace")
    elif len(data) >= 2 and data[1] == 0:
        text = data.decode("utf-16-le", errors="replace")
    elif len(data) >= 2 and data[0] == 0:
        text = data.decode("utf-16-be", errors="replace")
    else:
        text = data.decode("utf-8", errors="replace")
    lines = _plain_newlines(text.replace("\x00", "")).split("\n")
    address = lines[0].strip()
    title = lines[1].strip() if len(lines) > 1 else ""
    return address, title


# -- HTML to plain text ----------------------------------------------------

_SKIPPED = frozenset({"script", "style", "head", "title", "template", "noscript", "svg"})
_BLOCK = frozenset(
    {
        "p", "div", "li", "blockquote", "pre", "section", "article", "main", "tr",
        "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table", "dd", "dt", "figcaption",
    }
)  # fmt: skip


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self.skipping += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag in _BLOCK:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BLOCK:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(re.sub(r"\s+", " ", data))


def html_to_text(html: str) -> str:
    """The readable text of copied HTML, paragraphs separated by a blank
    line (for a clipboard that holds HTML and no plain text)."""
    parser = _TextParser()
    parser.feed(html)
    parser.close()
    lines = [line.strip() for line in "".join(parser.parts).split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _plain_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


# -- the draft -------------------------------------------------------------


@dataclass(frozen=True)
class ClipContent:
    """What a clipboard or a drop carries, format by format (empty when
    absent). `links` are the non-file addresses of `text/uri-list`;
    `moz_url` is `text/x-moz-url` decoded (`decode_moz_url`); `page_url`
    is the address of the page a selection was copied from, where the
    browser says it in a format of its own (`text/x-moz-url-priv`)."""

    text: str = ""
    html: str = ""
    links: tuple[str, ...] = ()
    moz_url: tuple[str, str] = ("", "")
    page_url: str = ""

    @property
    def empty(self) -> bool:
        return not (self.text.strip() or self.html.strip() or self.links or self.moz_url[0])


def draft_from_clip(content: ClipContent, today: dt.date | None = None) -> Draft:
    """The "New snippet" draft for a paste or a drop: the text, and the
    address (and a dragged link's title) where the data carries them. A
    text that is only an address fills the address, not the text."""
    text = _plain_newlines(content.text).strip()
    if not text and content.html.strip():
        text = html_to_text(content.html)
    moz_address, moz_title = content.moz_url
    links = [link for link in content.links if link.strip()]
    url = title = ""
    if text and is_bare_url(text):
        url, text = text, ""
    elif links:
        url = links[0].strip()
    elif moz_address:
        url = moz_address
    if url:
        if moz_address.strip() == url and moz_title != url:
            title = moz_title
        if text == url:
            text = ""
    else:
        url = _web_address(content.page_url) or source_url_from_html(content.html)
    return Draft.new(today, text=text, url=url, title=title)
