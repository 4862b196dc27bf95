#!/usr/bin/env python3
"""Fill empty or fuzzy msgstr entries of a .po file from a JSON table {msgid: msgstr}.

Usage, after `make messages`: scripts/po_fill.py locale/vi/LC_MESSAGES/django.po table.json
Prints the msgids still without a translation. Plural entries get msgstr[0] (Vietnamese has one form).
"""

import json
import sys


def unquote(lines: list[str]) -> str:
    return "".join(json.loads(line) for line in lines)


def continuation_end(lines: list[str], start: int) -> int:
    end = start + 1
    while end < len(lines) and lines[end].startswith('"'):
        end += 1
    return end


def entry_fill(entry: str, table: dict[str, str], missing: list[str]) -> str:
    lines = entry.split("\n")
    starts = [k for k, line in enumerate(lines) if line.startswith("msgid ")]
    if not starts:
        return entry
    i = starts[0]
    j = continuation_end(lines, i)
    msgid = unquote([lines[i][6:], *lines[i + 1 : j]])
    if not msgid:
        return entry
    fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines[:i])
    head = [line for line in lines[:i] if not line.startswith("#|")]
    head = [line.replace(", fuzzy", "") for line in head]
    head = [line for line in head if line.strip() not in ("#", "#,")]
    rest = lines[j:]
    if rest and rest[0].startswith("msgstr "):
        k = continuation_end(lines, j)
        empty = rest[0] == 'msgstr ""' and k == j + 1
        if not (empty or fuzzy):
            return entry
        if msgid not in table:
            missing.append(msgid)
            return entry
        return "\n".join([*head, *lines[i:j], "msgstr " + json.dumps(table[msgid], ensure_ascii=False), *lines[k:]])
    first_form = next((k for k, line in enumerate(rest) if line.startswith("msgstr[0] ")), None)
    first_form_empty = (
        first_form is not None
        and rest[first_form] == 'msgstr[0] ""'
        and not (first_form + 1 < len(rest) and rest[first_form + 1].startswith('"'))
    )
    if rest and rest[0].startswith("msgid_plural") and (fuzzy or first_form_empty):
        if msgid not in table:
            missing.append(msgid)
            return entry
        translated = [line for line in rest if not line.startswith("msgstr[")]
        translated.append("msgstr[0] " + json.dumps(table[msgid], ensure_ascii=False))
        return "\n".join([*head, *lines[i:j], *translated])
    return entry


def main() -> None:
    po_path, table_path = sys.argv[1], sys.argv[2]
    with open(table_path, encoding="utf-8") as table_file:
        table = json.load(table_file)
    with open(po_path, encoding="utf-8") as po_file:
        entries = po_file.read().split("\n\n")
    missing: list[str] = []
    filled = [entry_fill(entry, table, missing) for entry in entries]
    with open(po_path, "w", encoding="utf-8") as po_file:
        po_file.write("\n\n".join(filled))
    print(json.dumps({"still missing": missing}, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
