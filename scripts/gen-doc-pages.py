#!/usr/bin/env python3
"""Writes tests/fixtures/doc-pages.txt: every page and heading anchor that
AList's docs site (https://alistgo.com) and OpenList's
(https://doc.oplist.org) publish, for tests/it/doclinks.rs, which checks the
catalog's `docs:` links against it without network.

Reads the two docs repositories at HEAD from local clones (bare is fine) and
turns each markdown file into its published URL and anchors with the rules
of each site's framework (see RULES below and the header of the output).
When a clone also holds the site's built output (branch `gh-pages`, deployed
from exactly that HEAD), the result is checked against the built HTML: every
page file and every heading id must agree, or the script fails.

    scripts/gen-doc-pages.py [--alist DIR] [--openlist DIR] [-o FILE]

Python 3 standard library only.
"""
import argparse
import html
import posixpath
import re
import subprocess
import sys
import unicodedata

ALIST = {
    'name': 'AlistGo/docs',
    'host': 'alistgo.com',
    'clone': '/work/.mirror/AlistGo+docs/repo',
    'root': 'docs/',
    'framework': 'vuepress',
}
OPENLIST = {
    'name': 'OpenListTeam/OpenList-Docs',
    'host': 'doc.oplist.org',
    'clone': '/work/.mirror/OpenListTeam+OpenList-Docs/repo',
    'root': 'pages/',
    'framework': 'valaxy',
}

RULES = """\
# Rules, read from each repository's config and confirmed by its built site: the
# branch gh-pages of each clone is the deploy of exactly this HEAD, and its HTML
# files and heading ids are the same set as the lines below.
#
# alistgo.com: VuePress 2 with vuepress-theme-hope (package.json).
#   docs/.vuepress/config.ts: base "/"; locales "/" (en-US) and "/zh/" (zh-CN).
#   docs/.vuepress/theme.ts: hostname https://alistgo.com; .github/workflows/
#   deploy-docs.yml publishes docs/.vuepress/dist to gh-pages with cname
#   alistgo.com (gh-pages:CNAME).
#   * docs/P.md -> /P.html; docs/D/README.md -> /D/ and /D/index.html. English
#     at the root, Chinese under /zh/. No clean URLs: the build writes P.html and
#     the site's links use it, so /P without .html is not listed.
#   * A folder with pages and no README gets a generated index /D/ (theme.ts
#     plugins.catalog); it has no markdown anchors.
#   * <!-- @include: FILE{a-b} --> is expanded first (theme.ts markdown.include).
#   * Anchors: markdown-it-anchor on headings h1-h6; the slug is made from the
#     heading's text and inline code (HTML tags, images, emoji left out). No
#     {#id} syntax: markdown.attrs is not enabled in theme.ts.
# doc.oplist.org: Valaxy 0.25.4 with valaxy-theme-press (package.json,
#   valaxy.config.ts). The host is the one OpenList links to (OpenListTeam/
#   OpenList README.md: https://doc.oplist.org); the site's own links (gh-pages
#   HTML) are /P, without .html or a trailing slash.
#   * pages/P.md -> /P, and /P.html (the file the build writes: gh-pages has
#     P.html, no P/index.html, so /P/ is not listed); pages/D/index.md -> /D
#     (file D.html); pages/index.md -> /.
#   * <!--@include: FILE--> is expanded first, without the file's front matter.
#   * Both languages share one page (::: en / ::: zh-CN blocks): English and
#     Chinese headings are anchors of the same page.
#   * Anchors: markdown-it-anchor on headings h1-h6 (Valaxy's markdown setup);
#     the slug is made from the heading's tokens except HTML and emoji (image
#     alt text counts). markdown-it-attrs is on: { lang="en" } is not part of
#     the text, {#id} sets the id.
# Both: slugify is @mdit-vue/shared's: NFKD; drop U+0300-U+036F and U+0000-
#   U+001F; each run of whitespace or ~`!@#$%^&*()-_+=[]{}|\\;:"'“”‘’<>,.?/ becomes -;
#   trim -; put _ before a leading digit; lower case. A slug already used on the
#   page gets -1, -2, ... in order.
#
# Lines: URLs percent-decoded (the test decodes a link before looking it up),
# sorted; each page, and PAGE#ANCHOR for each of its anchors."""


def git(clone, *args):
    return subprocess.run(['git', '-C', clone, *args], check=True,
                          capture_output=True).stdout


class Tree:
    """The files of one commit of a clone."""

    def __init__(self, clone, rev):
        self.clone = clone
        self.rev = rev
        raw = git(clone, 'ls-tree', '-r', '-z', '--name-only', rev)
        self.files = sorted(p.decode() for p in raw.split(b'\0') if p)
        self.cache = {}

    def text(self, path):
        if path not in self.cache:
            data = git(self.clone, 'cat-file', 'blob', f'{self.rev}:{path}')
            self.cache[path] = data.decode('utf-8', 'replace').replace('\r\n', '\n')
        return self.cache[path]


# ---------------------------------------------------------------- slugify

WS = '\t\n\x0b\x0c\r \xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff'
SPECIAL = re.compile('[' + WS + r'~`!@#$%^&*()\-_+=\[\]{}|\\;:"\'\u201c\u201d\u2018\u2019<>,.?/]+')


def slugify(s):
    s = unicodedata.normalize('NFKD', s)
    s = re.sub('[\u0300-\u036f]', '', s)
    s = re.sub('[\x00-\x1f]', '', s)
    s = SPECIAL.sub('-', s)
    s = re.sub('-{2,}', '-', s)
    s = s.strip('-')
    s = re.sub(r'^(\d)', r'_\1', s)
    return s.lower()


# ---------------------------------------------------------------- inline text

ASCII_PUNCT = set('!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~')
HTML_TAG = re.compile(r'</?[A-Za-z][A-Za-z0-9-]*(?:\s+(?:[^<>"\']|"[^"]*"|\'[^\']*\')*?)?/?>|<!--.*?-->', re.S)
AUTOLINK = re.compile(r'<([A-Za-z][A-Za-z0-9+.-]{1,31}:[^<>\s]*)>')
EMOJI = re.compile(r':([a-z0-9_+-]+):')


def inline_text(src, framework, emoji_names):
    """The text markdown-it-anchor slugifies for a heading's inline source."""
    out = []
    i, n = 0, len(src)
    buf = []

    def flush():
        if buf:
            out.append(text_segment(''.join(buf), framework, emoji_names))
            buf.clear()

    while i < n:
        c = src[i]
        if c == '\\' and i + 1 < n and src[i + 1] in ASCII_PUNCT:
            flush()
            out.append(src[i + 1])
            i += 2
            continue
        if c == '`':
            run = len(src[i:]) - len(src[i:].lstrip('`'))
            close = src.find('`' * run, i + run)
            while close != -1 and (src[close + run:close + run + 1] == '`'):
                close = src.find('`' * run, close + run + 1)
            if close != -1:
                flush()
                code = src[i + run:close].replace('\n', ' ')
                if len(code) > 2 and code[0] == ' ' and code[-1] == ' ' and code.strip():
                    code = code[1:-1]
                out.append(code)
                i = close + run
                continue
            buf.append('`' * run)
            i += run
            continue
        if c == '<':
            m = AUTOLINK.match(src, i)
            if m:
                flush()
                out.append(m.group(1))
                i = m.end()
                continue
            m = HTML_TAG.match(src, i)
            if m:
                flush()
                i = m.end()
                continue
        if c == '!' and src.startswith('![', i):
            end, label = bracket(src, i + 1)
            if end is not None:
                flush()
                if framework == 'valaxy':
                    out.append(label)
                i = end
                continue
        if c == '[':
            end, label = bracket(src, i)
            if end is not None:
                flush()
                out.append(inline_text(label, framework, emoji_names))
                i = end
                continue
        buf.append(c)
        i += 1
    flush()
    return ''.join(out)


def bracket(src, i):
    """`[label](dest)` at src[i]: (end, label) or (None, None)."""
    depth, j = 0, i
    while j < len(src):
        if src[j] == '\\':
            j += 2
            continue
        if src[j] == '[':
            depth += 1
        elif src[j] == ']':
            depth -= 1
            if depth == 0:
                break
        j += 1
    else:
        return None, None
    if not src.startswith('(', j + 1):
        return None, None
    depth, k = 0, j + 1
    while k < len(src):
        if src[k] == '\\':
            k += 2
            continue
        if src[k] == '(':
            depth += 1
        elif src[k] == ')':
            depth -= 1
            if depth == 0:
                return k + 1, src[i + 1:j]
        k += 1
    return None, None


def text_segment(s, framework, emoji_names):
    """Plain text between inline code, links and tags: emphasis delimiters,
    entities and emoji shortcodes resolved as markdown-it does."""
    s = strip_emphasis(s)
    s = html.unescape(s)
    s = EMOJI.sub(lambda m: '' if m.group(1) in emoji_names else m.group(0), s)
    return s


def strip_emphasis(s):
    # `**x**`, `__x__`, `*x*`, `_x_` (not inside a word), `~~x~~`, `==x==`:
    # the delimiters are not text tokens.
    for pat in (r'\*\*(?=\S)(.+?)(?<=\S)\*\*', r'(?<![A-Za-z0-9])__(?=\S)(.+?)(?<=\S)__(?![A-Za-z0-9])',
                r'\*(?=[^\s*])(.+?)(?<=[^\s*])\*', r'(?<![A-Za-z0-9_])_(?=[^\s_])(.+?)(?<=[^\s_])_(?![A-Za-z0-9_])',
                r'~~(?=\S)(.+?)(?<=\S)~~', r'==(?=\S)(.+?)(?<=\S)=='):
        s = re.sub(pat, r'\1', s)
    return s


# ---------------------------------------------------------------- blocks

FENCE = re.compile(r'^ {0,3}(`{3,}|~{3,})(.*)$')
ATX = re.compile(r'^ {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t]*$')
SETEXT = re.compile(r'^ {0,3}(=+|-+)[ \t]*$')
HR = re.compile(r'^ {0,3}(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})$')
LIST = re.compile(r'^ {0,3}(?:[-+*]|\d{1,9}[.)])(?:[ \t]|$)')
HTML_BLOCK_6 = re.compile(
    r'^ {0,3}</?(?:address|article|aside|base|basefont|blockquote|body|caption|center|col|colgroup|dd|'
    r'details|dialog|dir|div|dl|dt|fieldset|figcaption|figure|footer|form|frame|frameset|h[1-6]|head|'
    r'header|hr|html|iframe|legend|li|link|main|menu|menuitem|nav|noframes|ol|optgroup|option|p|param|'
    r'search|section|summary|table|tbody|td|tfoot|th|thead|title|tr|track|ul)(?:\s|/?>|$)', re.I)
HTML_BLOCK_1 = re.compile(r'^ {0,3}<(script|pre|style|textarea)(?:\s|>|$)', re.I)
HTML_BLOCK_7 = re.compile(r'^ {0,3}(?:<[A-Za-z][A-Za-z0-9-]*(?:\s+[^<>]*?)?/?>|</[A-Za-z][A-Za-z0-9-]*\s*>)[ \t]*$')
QUOTE = re.compile(r'^ {0,3}> ?')
LIST_MARKER = re.compile(r'^ {0,3}(?:[-+*]|\d{1,9}[.)])[ \t]+(?=\S)')


def headings(lines, framework, emoji_names):
    """(level, text, explicit id or None) of each heading, in order."""
    out = []
    fence = None           # (char, length) of the open fence
    html_end = None        # what ends the open HTML block: 'blank', '-->' or a tag
    para = []              # lines of the open paragraph
    for raw in lines:
        line = raw.rstrip('\n')
        if fence:
            m = FENCE.match(QUOTE.sub('', line))
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= fence[1] and not m.group(2).strip():
                fence = None
            continue
        if html_end:
            if html_end == 'blank':
                if not line.strip():
                    html_end = None
            elif html_end in line.lower():
                html_end = None
            continue
        body, item = line, False
        while True:  # block quotes and list items can hold a heading
            m = QUOTE.match(body) or LIST_MARKER.match(body)
            if not m or m.end() == len(body):
                break
            item = item or not m.group(0).lstrip().startswith('>')
            body = body[m.end():]
        if not body.strip():
            para = []
            continue
        m = FENCE.match(body)
        if m and not (m.group(1)[0] == '`' and '`' in m.group(2)):
            fence = (m.group(1)[0], len(m.group(1)))
            para = []
            continue
        if re.match(r'^ {0,3}<!--', body):
            if '-->' not in body[body.index('<!--') + 4:]:
                html_end = '-->'
            para = []
            continue
        m = HTML_BLOCK_1.match(body)
        if m:
            if f'</{m.group(1).lower()}>' not in body.lower():
                html_end = f'</{m.group(1).lower()}>'
            para = []
            continue
        if HTML_BLOCK_6.match(body) or (not para and HTML_BLOCK_7.match(body)):
            html_end = 'blank'
            para = []
            continue
        m = SETEXT.match(body)
        if m and para:
            level = 1 if m.group(1)[0] == '=' else 2
            out.append(heading(level, '\n'.join(para), framework, emoji_names))
            para = []
            continue
        m = ATX.match(body)
        if m:
            text = m.group(2) or ''
            text = re.sub(r'(?:^|[ \t]+)#+[ \t]*$', '', text)
            out.append(heading(len(m.group(1)), text, framework, emoji_names))
            para = []
            continue
        if HR.match(body) or LIST.match(body) or body.lstrip().startswith(':::') \
                or body.lstrip().startswith('|'):
            para = []
            continue
        # a list item's first line is no paragraph a setext underline could follow
        para = [] if item else para + [body.strip()]
    return out


ATTRS = re.compile(r'[ \t]*\{([^{}]*)\}[ \t]*$')
ATTR_ITEM = re.compile(r'\s*(?:#([^\s}]+)|\.[^\s}=]+|[^\s=}]+(?:=(?:"[^"]*"|\'[^\']*\'|[^\s}]*))?)')


def heading(level, src, framework, emoji_names):
    explicit = None
    if framework == 'valaxy':
        m = ATTRS.search(src)
        if m and attrs_ok(m.group(1)):
            for item in ATTR_ITEM.finditer(m.group(1)):
                if item.group(1):
                    explicit = item.group(1)
            src = src[:m.start()]
    return level, inline_text(src, framework, emoji_names), explicit


def attrs_ok(body):
    pos, body = 0, body.strip()
    if not body:
        return False
    while pos < len(body):
        m = ATTR_ITEM.match(body, pos)
        if not m or m.end() == pos:
            return False
        pos = m.end()
    return True


def anchors(heads):
    seen, ids = set(), []
    for _, text, explicit in heads:
        base = explicit if explicit is not None else slugify(text)
        slug, k = base, 1
        while slug in seen:
            slug = f'{base}-{k}'
            k += 1
        seen.add(slug)
        if slug:
            ids.append(slug)
    return ids


# ---------------------------------------------------------------- includes

INCLUDE = re.compile(r'^[ \t]*<!--[ \t]*@include:[ \t]*([^{}\s]+?)(?:\{(\d*)-(\d*)\})?[ \t]*-->[ \t]*$', re.M)


def expand(tree, path, depth=0):
    text = tree.text(path)
    if depth > 5:
        return text

    def sub(m):
        target = posixpath.normpath(posixpath.join(posixpath.dirname(path), m.group(1)))
        if target not in tree.files:
            return m.group(0)
        text = expand(tree, target, depth + 1)
        if not m.group(2) and not m.group(3):
            text = strip_frontmatter(text)
        lines = text.split('\n')
        start = int(m.group(2)) if m.group(2) else 1
        end = int(m.group(3)) if m.group(3) else len(lines)
        return '\n'.join(lines[start - 1:end])

    return INCLUDE.sub(sub, text)


def strip_frontmatter(text):
    if text.startswith('---\n'):
        end = re.search(r'^---[ \t]*$', text[4:], re.M)
        if end:
            return text[4 + end.end():]
    return text


# ---------------------------------------------------------------- pages

def pages_of(site, tree):
    """{page URL path: [anchor, ...]} and the extra URL paths that serve the same page."""
    root, fw = site['root'], site['framework']
    md = [p for p in tree.files if p.startswith(root) and p.endswith('.md')
          and not p[len(root):].startswith('.')]
    emoji_names = EMOJI_NAMES
    pages, aliases = {}, {}
    for p in md:
        rel = p[len(root):-3]
        head, _, base = rel.rpartition('/')
        if fw == 'vuepress':
            if base in ('README', 'index'):
                url = f'/{head}/' if head else '/'
                aliases[url] = [url + 'index.html']
            else:
                url = f'/{rel}.html'
                aliases[url] = []
        else:
            if base == 'index':
                url = f'/{head}' if head else '/'
                aliases[url] = [f'/{head}.html'] if head else ['/index.html']
            else:
                url = f'/{rel}'
                aliases[url] = [f'/{rel}.html']
        text = strip_frontmatter(expand(tree, p))
        pages[url] = anchors(headings(text.split('\n'), fw, emoji_names))
    if fw == 'vuepress':
        # the catalog plugin's generated index of each folder without README
        dirs = set()
        for p in md:
            parts = p[len(root):].split('/')[:-1]
            for k in range(1, len(parts) + 1):
                dirs.add('/' + '/'.join(parts[:k]) + '/')
        for d in sorted(dirs):
            if d not in pages:
                pages[d] = []
                aliases[d] = [d + 'index.html']
    return pages, aliases


def built(site, tree):
    """{page URL path: set of heading ids} from the built HTML."""
    out = {}
    for f in tree.files:
        if not f.endswith('.html') or f == '404.html':
            continue
        if site['framework'] == 'vuepress':
            url = '/' + (f[:-len('index.html')] if f.endswith('index.html') else f)
        else:
            url = '/' + (f[:-5] if f != 'index.html' else '')
        ids = set()
        for m in re.finditer(r'<h[1-6]\b([^>]*)>', tree.text(f)):
            # markdown-it-anchor's headings; not the layout's or a component's
            # (page title, <Catalog />, contributors): those carry a class or
            # a Vue scope attribute
            tag = m.group(1)
            if 'tabindex="-1"' not in tag or 'data-v-' in tag or 'class=' in tag:
                continue
            a = re.search(r'\sid="([^"]*)"', tag)
            if a:
                ids.add(html.unescape(a.group(1)))
        out[url] = ids
    return out


def check_build(site, pages, clone, head):
    """Compares with branch gh-pages if it is the build of `head`; returns problems."""
    try:
        subject = git(clone, 'log', '-1', '--format=%s', 'gh-pages').decode().strip()
    except subprocess.CalledProcessError:
        return None, 'no gh-pages branch'
    if subject != f'deploy: {head}':
        return None, f'gh-pages is "{subject}", not the build of {head}'
    tree = Tree(clone, 'gh-pages')
    have = built(site, tree)
    problems = []
    for url in sorted(set(pages) | set(have)):
        if url not in have:
            problems.append(f'{site["host"]}{url}: not built')
        elif url not in pages:
            problems.append(f'{site["host"]}{url}: built, no source')
        else:
            mine = set(pages[url])
            for i in sorted(mine - have[url]):
                problems.append(f'{site["host"]}{url}#{i}: not in the built page')
            for i in sorted(have[url] - mine):
                problems.append(f'{site["host"]}{url}#{i}: built, not derived')
    commit = git(clone, 'rev-parse', 'gh-pages').decode().strip()
    return problems, f'gh-pages {commit}'


# markdown-it-emoji's shortcodes that occur in these docs' headings
EMOJI_NAMES = {'tada', 'warning', 'bulb', 'star', 'rocket', 'memo', 'sparkles', 'fire', 'heart',
               'x', 'white_check_mark', 'heavy_check_mark', 'question', 'exclamation', 'zap'}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--alist', default=ALIST['clone'], help='clone of AlistGo/docs')
    ap.add_argument('--openlist', default=OPENLIST['clone'], help='clone of OpenListTeam/OpenList-Docs')
    ap.add_argument('-o', '--output', default='tests/fixtures/doc-pages.txt', help="'-' for standard output")
    ap.add_argument('--no-build-check', action='store_true', help='skip the comparison with gh-pages')
    args = ap.parse_args()
    header = ['# Published pages and heading anchors of the AList and OpenList docs sites,',
              '# for tests/it/doclinks.rs. Generated by scripts/gen-doc-pages.py: do not edit.',
              '#']
    lines = set()
    failed = False
    for site, clone in ((ALIST, args.alist), (OPENLIST, args.openlist)):
        head = git(clone, 'rev-parse', 'HEAD').decode().strip()
        date = git(clone, 'log', '-1', '--format=%cI', head).decode().strip()
        tree = Tree(clone, head)
        pages, aliases = pages_of(site, tree)
        check = 'not checked against a build'
        if not args.no_build_check:
            problems, what = check_build(site, pages, clone, head)
            if problems is None:
                check = f'not checked against a build ({what})'
            elif problems:
                failed = True
                print(f'{site["name"]}: {len(problems)} differences from {what}:', file=sys.stderr)
                for p in problems:
                    print('  ' + p, file=sys.stderr)
                check = f'DIFFERS from {what}'
            else:
                check = f'identical to the build on {what}'
        n_anchors = sum(len(a) for a in pages.values())
        header.append(f'# https://{site["host"]}/  {site["name"]} {head} ({date})')
        header.append(f'#   {len(pages)} pages, {n_anchors} anchors; {check}')
        for url, ids in pages.items():
            for form in [url] + aliases.get(url, []):
                page = f'https://{site["host"]}{form}'
                lines.add(page)
                for i in ids:
                    lines.add(f'{page}#{i}')
    text = '\n'.join(header) + '\n#\n' + RULES + '\n' + '\n'.join(sorted(lines)) + '\n'
    if args.output == '-':
        sys.stdout.write(text)
    else:
        with open(args.output, 'w', encoding='utf-8', newline='\n') as f:
            f.write(text)
    if failed:
        sys.exit('the derived pages differ from the build: fix the rules (see above)')


if __name__ == '__main__':
    main()
