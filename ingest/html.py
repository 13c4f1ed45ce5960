"""HTML to light Markdown: headings, paragraphs, list items, table rows. Parsed with selectolax (lexbor, an HTML5
parser, as ``councilqa fetch`` reads ModernGov pages), walked in document order."""
from __future__ import annotations

_BLOCK = {"p", "div", "section", "article", "br", "tr", "table", "ul", "ol", "dl", "dt", "dd", "blockquote", "pre",
          "main", "header", "aside", "body", "html", "li", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6",
          "thead", "tbody", "tfoot", "caption", "figure", "figcaption", "form", "fieldset", "address", "hr"}
_SKIP = {"script", "style", "noscript", "template", "head", "nav", "footer", "svg", "form", "button"}
_HEADINGS = {"h1": "# ", "h2": "## ", "h3": "### ", "h4": "#### ", "h5": "##### ", "h6": "###### "}


class _Blocks:
    def __init__(self) -> None:
        self.blocks: list[str] = []
        self.current: list[str] = []
        self.prefix = ""
        self.row: list[str] | None = None

    def flush(self) -> None:
        text = " ".join("".join(self.current).split())
        if text:
            if self.row is not None:
                self.row.append(text)
            else:
                self.blocks.append(self.prefix + text)
        self.current = []
        self.prefix = ""


def _walk(root, out: _Blocks) -> None:
    """The tree in document order, each element entered before its children and left after them. A stack of its
    own, not Python's: a page nested a thousand tags deep overflowed the interpreter's."""
    stack = [(root, False)]
    while stack:
        node, leaving = stack.pop()
        tag = node.tag
        if leaving:
            _leave(tag, out)
            continue
        if tag == "-text":
            out.current.append(node.text_content or "")
            continue
        if tag in _SKIP or tag in ("-comment", "!doctype"):
            continue
        _enter(tag, out)
        stack.append((node, True))
        children = []
        child = node.child
        while child is not None:
            children.append((child, False))
            child = child.next
        stack.extend(reversed(children))


def _enter(tag: str, out: _Blocks) -> None:
    if tag in _HEADINGS:
        out.flush()
        out.prefix = _HEADINGS[tag]
    elif tag == "li":
        out.flush()
        out.prefix = "- "
    elif tag == "tr":
        out.flush()
        out.row = []
    elif tag in _BLOCK:
        out.flush()


def _leave(tag: str, out: _Blocks) -> None:
    if tag == "tr" and out.row is not None:
        out.flush()
        row, out.row = out.row, None
        if row:
            out.blocks.append("\t".join(row))
    elif tag in _BLOCK:
        out.flush()


def html_to_markdown(html: str) -> str:
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(html)
    out = _Blocks()
    root = tree.root
    if root is not None:
        _walk(root, out)
    out.flush()
    return "\n\n".join(out.blocks)
