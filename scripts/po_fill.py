#!/usr/bin/env python3
"""Fill empty or fuzzy msgstr entries of a .po file from a JSON table {msgid: msgstr}.

Usage: scripts/po_fill.py locale/vi/LC_MESSAGES/django.po table.json (after `make messages`).
"""

import json, re, sys

po, table = sys.argv[1], json.load(open(sys.argv[2]))
text = open(po).read()
entries = text.split("\n\n")


def unq(lines):
    return "".join(json.loads(l) for l in lines)


out = []
missing = []
for e in entries:
    lines = e.split("\n")
    try:
        i = next(k for k, l in enumerate(lines) if l.startswith("msgid "))
    except StopIteration:
        out.append(e)
        continue
    j = i + 1
    while j < len(lines) and lines[j].startswith('"'):
        j += 1
    msgid = unq([lines[i][6:]] + lines[i + 1 : j])
    rest = lines[j:]
    if (
        any(l.startswith("#,") and "fuzzy" in l for l in lines)
        and msgid in table
        and rest
        and rest[0].startswith("msgstr ")
    ):
        k = j + 1
        while k < len(lines) and lines[k].startswith('"'):
            k += 1
        head = [l for l in lines[:i] if not l.startswith("#|")]
        head = [l.replace(", fuzzy", "") for l in head]
        head = [l for l in head if l.strip() not in ("#", "#,")]
        lines = head + lines[i:j] + ["msgstr " + json.dumps(table[msgid], ensure_ascii=False)] + lines[k:]
        out.append("\n".join(lines))
        continue
    if msgid and rest and rest[0] == 'msgstr ""' and (len(rest) == 1 or not rest[1].startswith('"')):
        if msgid in table:
            lines = lines[:j] + ["msgstr " + json.dumps(table[msgid], ensure_ascii=False)] + rest[1:]
        else:
            missing.append(msgid)
    elif msgid and rest and rest[0].startswith("msgid_plural"):
        if any(l == 'msgstr[0] ""' for l in rest):
            if msgid in table:
                rest = [
                    ("msgstr[0] " + json.dumps(table[msgid], ensure_ascii=False)) if l == 'msgstr[0] ""' else l
                    for l in rest
                ]
                lines = lines[:j] + rest
            else:
                missing.append(msgid)
    out.append("\n".join(lines))
open(po, "w").write("\n\n".join(out))
print("missing:", json.dumps(missing, ensure_ascii=False, indent=0))
