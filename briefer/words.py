"""Counting the words a reader sees.

A section's budget, the window's word meter and the brief's reading time all
count the same thing: the words of the exported text, not of the Markdown
behind it. Markup (`- `, `**`, backticks, `#`), citations `[@key]` and link
addresses are not words; link text, code and table cells are. Scripts
written without spaces (Chinese, Japanese, Thai, ...) count each character as
a word, as word processors do.
"""

from __future__ import annotations

import functools
import math
import re

from briefer.document import (
    Block,
    BulletList,
    Code,
    CodeBlock,
    Emphasis,
    Heading,
    Link,
    ListItem,
    OrderedList,
    Paragraph,
    Quote,
    Span,
    Strong,
    Table,
    Text,
)
from briefer.markup import MarkdownParser

READING_WORDS_PER_MINUTE = 238  # silent reading of non-fiction by adults

# Scripts without spaces between words: each character counts as a word.
_UNSPACED = (
    "\u0e00-\u0e7f\u0e80-\u0eff\u1000-\u109f\u1780-\u17ff"  # Thai, Lao, Myanmar, Khmer
    "\u3040-\u30ff\u3100-\u312f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # kana, CJK
    "\U00020000-\U0003ffff"
)


@functools.cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The two patterns over the unspaced scripts, compiled on first use:
    their large character class costs 3 ms, which every export would pay at
    start-up, most of them never counting a word."""
    return re.compile(f"[{_UNSPACED}]"), re.compile(f"[^\\W_]|[{_UNSPACED}]")


# Markdown characters that can only be markup when nothing else is on the
# line: a fast path for text with no markup at all.
_MARKUP = re.compile(r"[*_`#>\[\]|<!\\~=-]|^\s*\d+[.)]\s|^ {4}|\t", re.MULTILINE)


def count_words(markdown: str, parser: MarkdownParser | None = None) -> int:
    """The number of words a reader sees in section text written in Markdown.

    `- one [@a]\\n- two\\n\\n**bold** `code`` is 4 words. Pass a `parser` to
    reuse one (a parser must stay on one thread)."""
    if not markdown.strip():
        return 0
    if not _MARKUP.search(markdown):
        return count_text_words(markdown)
    return count_block_words((parser or MarkdownParser()).parse(markdown))


def count_block_words(blocks: list[Block] | tuple[Block, ...]) -> int:
    """The words a reader sees in parsed section text."""
    return sum(count_text_words(text) for text in _block_texts(blocks))


def count_text_words(text: str) -> int:
    """Words in plain text: runs between spaces holding a letter or digit,
    plus one per character of a script written without spaces."""
    if text.isascii():  # the usual case, without the Unicode patterns
        return sum(1 for token in text.split() if any(c.isalnum() for c in token))
    unspaced_char, wordish = _patterns()
    count = 0
    for token in text.split():
        unspaced = len(unspaced_char.findall(token))
        if unspaced:
            rest = unspaced_char.sub(" ", token).split()
            count += unspaced + sum(1 for part in rest if wordish.search(part))
        elif wordish.search(token):
            count += 1
    return count


def reading_minutes(words: int) -> int:
    """Minutes a reader needs for `words` words (at least 1 when there are any)."""
    return math.ceil(words / READING_WORDS_PER_MINUTE) if words > 0 else 0


def _block_texts(blocks: list[Block] | tuple[Block, ...]) -> list[str]:
    out: list[str] = []
    for block in blocks:
        if isinstance(block, (Paragraph, Heading)):
            out.append(_span_text(block.spans))
        elif isinstance(block, (BulletList, OrderedList)):
            for item in block.items:
                out.extend(_block_texts(item.blocks))
        elif isinstance(block, (ListItem, Quote)):
            out.extend(_block_texts(block.blocks))
        elif isinstance(block, CodeBlock):
            out.append(block.text)
        elif isinstance(block, Table):
            for row in (block.header, *block.rows):
                out.extend(_span_text(cell) for cell in row)
    return out


def _span_text(spans: tuple[Span, ...]) -> str:
    """Visible words of spans; citations are markers, not words."""
    parts: list[str] = []
    for span in spans:
        if isinstance(span, (Text, Code)):
            parts.append(span.text)
        elif isinstance(span, (Strong, Emphasis, Link)):
            parts.append(_span_text(span.children))
        else:
            parts.append(" ")  # a citation or line break separates words
    return "".join(parts)
