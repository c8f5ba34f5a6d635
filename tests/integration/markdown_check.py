#!/usr/bin/python3
# markdown_check.py FILE EXPR: render FILE with Python-Markdown (the `tables` extension, as
# Debian's python3-markdown ships it), parse the HTML with html.parser, and exit 0 if EXPR holds.
# Whatever EXPR says, every table row must have as many cells as its header and the HTML must
# hold no <script> tag. EXPR sees: text (the markdown), html_out, tables ({"A|B": [[cell, ...],
# ...]}, by header), tags (every start tag, in order) and re.
import html.parser, re, sys
import markdown
text = open(sys.argv[1], encoding="utf-8").read()
html_out = markdown.markdown(text, extensions=["tables"])
class Tables(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.tables, self.tags, self.row, self.cell, self.header = {}, [], None, None, None
    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "table": self.header, self.body = None, []
        elif tag == "tr": self.row = []
        elif tag in ("td", "th"): self.cell = ""
    def handle_endtag(self, tag):
        if tag in ("td", "th"): self.row.append(self.cell.strip()); self.cell = None
        elif tag == "tr":
            if self.header is None: self.header = self.row
            else: self.body.append(self.row)
        elif tag == "table": self.tables["|".join(self.header)] = self.body
    def handle_data(self, data):
        if self.cell is not None: self.cell += data
p = Tables(); p.feed(html_out)
tables, tags = p.tables, p.tags
for name, rows in tables.items():
    width = len(name.split("|"))
    for r in rows:
        if len(r) != width:
            sys.exit(f"table {name}: a row of {len(r)} cells, not {width}: {r}")
if "script" in tags:
    sys.exit("a <script> tag in the HTML")
ok = eval(sys.argv[2])
if not ok:
    print(f"not: {sys.argv[2]}\ntables: { {k: len(v) for k, v in tables.items()} }", file=sys.stderr)
sys.exit(0 if ok else 1)
