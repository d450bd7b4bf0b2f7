"""The text of a file to import: plain text, Markdown, or a web page saved from a
delegation's or the UN's site, whose main text trafilatura finds among the menus.

A file that cannot be read gets an `ImportProblem` naming the file and the problem:
empty, binary, not UTF-8, too large, or a web page with no main text.
"""

from __future__ import annotations

import re
from pathlib import PurePath

from markdown_it import MarkdownIt

from tracker.text import normalize_newlines

# A statement of 10,000 words is about 65,000 characters; a million leaves room for
# the longest records and stops a wrong file (a book, a data dump) at once.
MAX_TEXT_CHARACTERS = 1_000_000
# A saved web page carries markup and scripts besides its text.
MAX_FILE_BYTES = 5_000_000

# Fewer words than this on a web page are a menu or a notice, not a statement.
MIN_PAGE_WORDS = 15

TEXT, MARKDOWN, HTML = "text", "markdown", "html"


class ImportProblem(Exception):
    """A file or text that cannot be imported, and why, in words for the person importing."""

    def __init__(self, source: str, problem: str):
        self.source = source
        self.problem = problem
        super().__init__(f"{source}: {problem}")


def kind_of(name: str, data: bytes = b"") -> str:
    suffix = PurePath(name).suffix.casefold()
    if suffix in (".html", ".htm", ".xhtml"):
        return HTML
    if suffix in (".md", ".markdown"):
        return MARKDOWN
    if re.match(rb"\s*(?:<!doctype\s+html|<html)", data[:1024], re.IGNORECASE):
        return HTML
    return TEXT


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


def decode(name: str, data: bytes) -> str:
    """The file's bytes as text, or an ImportProblem saying why they are not."""
    if not data.strip():
        raise ImportProblem(name, "the file is empty.")
    if len(data) > MAX_FILE_BYTES:
        raise ImportProblem(
            name, f"the file is {_megabytes(len(data))}; the limit is {_megabytes(MAX_FILE_BYTES)}."
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportProblem(
            name,
            "the file is UTF-16 text (what Notepad calls “Unicode”), not UTF-8: "
            "save it as UTF-8 and import it again.",
        )
    if b"\x00" in data[:65536]:
        raise ImportProblem(name, "the file is binary (a PDF, a Word file, an image?), not text.")
    if (nul := data.find(b"\x00")) != -1:
        raise ImportProblem(name, f"the file holds a null character at byte {nul:,}: it is not plain text.")
    try:
        return normalize_newlines(data.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        raise ImportProblem(
            name,
            f"the file is not UTF-8 text (byte 0x{data[error.start]:02x} at position {error.start}): "
            "save it as UTF-8 and import it again.",
        ) from None


def main_text(name: str, text: str, kind: str) -> str:
    """The statement's text in the file: as it is, Markdown without its markup, or the
    main text of a web page."""
    if kind == MARKDOWN:
        text = markdown_to_text(text)
    elif kind == HTML:
        text = html_to_text(name, text)
    text = text.strip()
    if not text:
        raise ImportProblem(name, "the file has no text.")
    if len(text) > MAX_TEXT_CHARACTERS:
        raise ImportProblem(
            name, f"the text has {len(text):,} characters; the limit is {MAX_TEXT_CHARACTERS:,} (about 1 MB)."
        )
    return text


def markdown_to_text(markdown: str) -> str:
    """Each block (heading, paragraph, list item) as a paragraph of plain text."""
    blocks = []
    for token in MarkdownIt("commonmark").parse(markdown):
        if token.type == "inline":
            blocks.append(_inline_text(token))
        elif token.type in ("code_block", "fence"):
            blocks.append(token.content.rstrip("\n"))
        elif token.type == "html_block":
            # A paragraph written as HTML (<div>…</div>) is text too; a comment is not.
            blocks.append(_html_block_text(token.content))
    return "\n\n".join(block for block in blocks if block.strip())


def _html_block_text(html: str) -> str:
    import lxml.html

    if not html.strip() or html.lstrip().startswith("<!--"):
        return ""
    try:
        return " ".join(lxml.html.fragment_fromstring(html, create_parent="div").text_content().split())
    except (ValueError, lxml.etree.ParserError):
        return ""


def _inline_text(token) -> str:
    parts = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append("\n")
        elif child.type == "image":
            parts.append(child.content)
    return "".join(parts)


def html_to_text(name: str, html: str) -> str:
    import trafilatura  # imported here: it takes a fifth of a second, and only pages need it

    text = trafilatura.extract(
        html, output_format="txt", include_comments=False, include_tables=False, include_links=False
    )
    # Without an article, trafilatura falls back to what there is: a menu's few words.
    if not text or len(text.split()) < MIN_PAGE_WORDS:
        raise ImportProblem(name, "no main text was found in the web page.")
    # trafilatura gives one line per paragraph; a blank line between them reads as in the original.
    body = "\n\n".join(line.strip() for line in text.split("\n") if line.strip())
    heading = _heading_above(html, body)
    return f"{heading}\n\n{body}" if heading else body


_HEADING_BLOCKS = {"h1", "h2", "h3", "h4", "h5", "h6", "p", "dt", "dd", "li", "time", "address"}


def _heading_above(html: str, body: str) -> str:
    """The page's title and the lines under it that come before the main text: a mission's
    site puts the speaker, the place and the date there, outside the article that
    trafilatura keeps. Empty when the main text already starts with the title."""
    from lxml import html as lxml_html

    try:
        tree = lxml_html.fromstring(html)
    except (ValueError, lxml_html.etree.ParserError):
        return ""
    titles = tree.xpath("//main//h1 | //article//h1") or tree.xpath("//h1")
    if not titles:
        return ""
    first_body_line = body.split("\n", 1)[0][:60]
    lines: list[str] = []
    started = False
    for element in tree.iter():
        if element is titles[0]:
            started = True
        if not started or not isinstance(element.tag, str) or element.tag not in _HEADING_BLOCKS:
            continue
        words = " ".join(element.text_content().split())
        if not words or any(words in line for line in lines[-1:]):
            continue
        if first_body_line and words.startswith(first_body_line):
            break
        if element.tag == "dd" and lines and lines[-1].endswith(":"):
            lines[-1] = f"{lines[-1]} {words}"
        elif len(lines) < 15:
            lines.append(words)
        else:
            break
    if lines and body.startswith(lines[0]):
        return ""
    return "\n".join(lines)


def read_source(name: str, data: bytes) -> str:
    """The main text of a file, from its bytes."""
    return main_text(name, decode(name, data), kind_of(name, data))
