"""HTML to light Markdown with the standard library's parser: headings, paragraphs, list items, tables."""
from __future__ import annotations

from html.parser import HTMLParser

_BLOCK = {"p", "div", "section", "article", "br", "tr", "table", "ul", "ol", "dl", "dt", "dd", "blockquote", "pre"}
_SKIP = {"script", "style", "noscript", "template", "head", "nav", "footer", "svg", "form", "button"}
_HEADINGS = {"h1": "# ", "h2": "## ", "h3": "### ", "h4": "#### ", "h5": "##### ", "h6": "###### "}


class _Converter(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.current: list[str] = []
        self.prefix = ""
        self.skip_depth = 0
        self.row: list[str] | None = None

    def _flush(self) -> None:
        text = " ".join("".join(self.current).split())
        if text:
            if self.row is not None:
                self.row.append(text)
            else:
                self.blocks.append(self.prefix + text)
        self.current = []
        self.prefix = ""

    def handle_starttag(self, tag, attrs):  # noqa: D401 - HTMLParser API
        if tag in _SKIP:
            self.skip_depth += 1
            return
        if tag in _HEADINGS:
            self._flush()
            self.prefix = _HEADINGS[tag]
        elif tag == "li":
            self._flush()
            self.prefix = "- "
        elif tag == "tr":
            self._flush()
            self.row = []
        elif tag in ("td", "th"):
            self._flush()
        elif tag in _BLOCK:
            self._flush()

    def handle_endtag(self, tag):
        if tag in _SKIP:
            self.skip_depth = max(0, self.skip_depth - 1)
            return
        if tag == "tr" and self.row is not None:
            self._flush()
            row, self.row = self.row, None
            if row:
                self.blocks.append("\t".join(row))
        elif tag in _HEADINGS or tag in _BLOCK or tag in ("li", "td", "th"):
            self._flush()

    def handle_data(self, data):
        if not self.skip_depth:
            self.current.append(data)


def html_to_markdown(html: str) -> str:
    conv = _Converter()
    conv.feed(html)
    conv.close()
    conv._flush()
    return "\n\n".join(conv.blocks)
