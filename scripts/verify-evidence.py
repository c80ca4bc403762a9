#!/usr/bin/env python3
"""Checks the catalog's evidence against local clones of the repositories
it cites: every `owner/repo:path@rev` reference names a file that exists at
that revision, and every text quoted in the item's note ("...") occurs in
that file or in the message of that commit (Go verbs such as %s, %d, %v, %w, %q may stand for anything).

    scripts/verify-evidence.py MIRRORS DATA_DIR_OR_FILE...

MIRRORS holds one bare or working clone per repository as `owner+repo/repo`
(the layout the team's mirror tool writes) or `owner/repo`. References to
repositories without a clone, threads (`owner/repo#N`) and web pages are
counted, not checked. Needs PyYAML. Exit 1 when a checked reference fails.
"""
import re, subprocess, sys, os, glob
import yaml

mirrors, args = sys.argv[1], sys.argv[2:]
files = sorted(f for a in args for f in (glob.glob(f'{a}/*.yaml') if os.path.isdir(a) else [a]))
REF = re.compile(r'^([\w.-]+)/([\w.-]+):([^@\s]+)@(\S+)$')
cache = {}

def clone(owner, repo):
    for cand in (f'{mirrors}/{owner}+{repo}/repo', f'{mirrors}/{owner}/{repo}'):
        if os.path.isdir(cand):
            return cand
    return None

def show(git, rev, path):
    key = (git, rev, path)
    if key not in cache:
        p = subprocess.run(['git', '-C', git, 'show', f'{rev}:{path}'], capture_output=True)
        cache[key] = p.stdout.decode('utf-8', 'replace') if p.returncode == 0 else None
    return cache[key]

def show_subject(git, rev):
    p = subprocess.run(['git', '-C', git, 'log', '-1', '--format=%B', rev], capture_output=True)
    return p.stdout.decode('utf-8', 'replace')

def occurs(quote, text):
    # Go verbs and an ellipsis match anything; whitespace runs match any
    # whitespace.
    parts = re.split(r'%[-+# 0-9.]*[a-zA-Z]|…', quote)
    pat = '.*?'.join(r'\s+'.join(map(re.escape, p.split())) for p in parts)
    return re.search(pat, text, re.S) is not None or quote in text

checked = failed = unchecked = 0
other = {'thread': 0, 'web': 0}
for f in files:
    if True:
        for e in yaml.safe_load(open(f)) or []:
            for item in e.get('evidence', []):
                ref, _, note = item.partition(' ')
                m = REF.match(ref)
                if not m:
                    other['thread' if '#' in ref else 'web'] += 1
                    continue
                owner, repo, path, rev = m.groups()
                git = clone(owner, repo)
                if not git:
                    unchecked += 1
                    continue
                checked += 1
                text = show(git, rev, path)
                if text is None:
                    failed += 1
                    print(f'{f}: {e["id"]}: {ref}: no such file at that revision')
                    continue
                # `<path>`-style placeholders mark a rendered shape, not code;
                # a quote may also be the commit's own subject.
                subject = show_subject(git, rev)
                for q in re.findall(r'"([^"<>]{6,})"', note):
                    if not occurs(q, text) and q not in subject:
                        failed += 1
                        print(f'{f}: {e["id"]}: {ref}: quoted text not found: "{q}"')
print(f'{checked} file references checked, {failed} failures; {unchecked} in repositories '
      f'without a clone; {other["thread"]} threads and {other["web"]} pages not checked here')
sys.exit(1 if failed else 0)
