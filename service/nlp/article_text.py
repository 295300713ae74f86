"""Turn a posted article body, HTML or plain text, into the one text that analysis spans refer to.

Every character offset the article analysis returns (sentence spans, attribution spans) indexes the
string `article_text()` returns, never the posted body: the response carries that text beside the
spans, so a caller reproduces any span as `text[start:end]`. The text is NFC-normalised, uses "\\n"
as its only line break, and for HTML keeps one paragraph per block element ("\\n\\n" between blocks,
"\\n" for <br>).

HTML is read with the standard library's `html.parser`: it tolerates broken markup, decodes every
named and numeric entity, and adds no dependency for what is a walk over start tags, end tags and text.
"""

import re
import unicodedata
from html.parser import HTMLParser

HTML_TYPES = {"text/html", "application/xhtml+xml"}

# Elements whose content is never article prose; head and svg are included because a CMS may post a
# whole document or inline icons.
SKIPPED = {"script", "style", "noscript", "template", "iframe", "head", "svg", "math", "object"}

BLOCKS = {
    "address",
    "article",
    "aside",
    "blockquote",
    "body",
    "caption",
    "dd",
    "details",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "html",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "td",
    "th",
    "tr",
    "ul",
}

WHITESPACE_RUN = re.compile(r"[^\S\n]+")
LINE_BREAKS = re.compile(r"\r\n|[\r\u2028\u2029\x85]")


def article_text(body, content_type):
    """Return the analysable text of an article body posted as HTML or plain text."""
    media_type = (content_type or "").split(";")[0].strip().lower()
    if media_type in HTML_TYPES:
        reader = _BlockReader()
        reader.feed(body)
        reader.close()
        text = reader.text()
    else:
        text = LINE_BREAKS.sub("\n", body)
    return unicodedata.normalize("NFC", text.removeprefix("\ufeff"))


class _BlockReader(HTMLParser):
    """Collect text per block element, leaving out skipped elements and comments."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks = []
        self.current = []
        self.skipping = []

    def handle_starttag(self, tag, attrs):
        if self.skipping or tag in SKIPPED:
            if tag in SKIPPED:
                self.skipping.append(tag)
            return
        if tag in BLOCKS:
            self._end_block()
        elif tag == "br":
            self.current.append("\n")

    def handle_endtag(self, tag):
        if tag in self.skipping:
            # An unclosed element nested inside the skipped one must not keep the reader skipping.
            while self.skipping.pop() != tag:
                pass
            return
        if not self.skipping and tag in BLOCKS:
            self._end_block()

    def handle_data(self, data):
        if not self.skipping:
            # Line breaks in HTML source are spaces; only <br> breaks a line.
            self.current.append(data.replace("\n", " "))

    def _end_block(self):
        lines = "".join(self.current).split("\n")
        block = "\n".join(line for line in (WHITESPACE_RUN.sub(" ", line).strip() for line in lines) if line)
        if block:
            self.blocks.append(block)
        self.current = []

    def text(self):
        """Return the blocks read so far, one paragraph each."""
        self._end_block()
        return "\n\n".join(self.blocks)
