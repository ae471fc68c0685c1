# -*- coding: utf-8 -*-
# Copyright (c) mailops.nbdb contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The rollout chart of the fleet report: hosts per state per batch, as stacked bars in inline SVG (no script)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from html import escape

COLOURS = {
    "migrated": "#1a7f37", "unchanged": "#7cc48b", "restored": "#6f42c1", "nothing_to_restore": "#b7a3e0",
    "would_migrate": "#d4a72c", "nothing_to_do": "#e8d48b", "would_restore": "#d4a72c",
    "failed": "#b42318", "rolled_back": "#e5534b", "restore_failed": "#7a0e0e", "would_fail": "#f08c00",
    "not_reached": "#8c959f", "unreachable": "#424a53", "no_result": "#d0d7de",
}


def batch_label(batch):
    return "batch %s" % batch if batch is not None else "no batch"


def per_batch(rows):
    """[(batch label, {state: hosts})] in batch order, hosts without a batch last."""
    counts = {}
    for row in rows:
        counts.setdefault(row.get("batch"), {}).setdefault(row["state"], 0)
        counts[row.get("batch")][row["state"]] += 1
    order = sorted((batch for batch in counts if batch is not None), key=lambda value: (str(type(value)), value))
    order += [None] if None in counts else []
    return [(batch_label(batch), counts[batch]) for batch in order]


def svg(rows, labels):
    """Stacked bars (one per batch) with a legend; labels: {state: text}."""
    groups = per_batch(rows)
    states = [state for state in COLOURS if any(state in counts for dummy, counts in groups)]
    tallest = max([sum(counts.values()) for dummy, counts in groups] + [1])
    bar_width, gap, height, top, left = 46, 18, 150, 18, 34
    width = left + len(groups) * (bar_width + gap) + 210
    legend_height = 18 * len(states) + top
    total_height = max(height + top + 40, legend_height)
    parts = ['<svg xmlns="http://www.w3.org/2000/svg" role="img" width="%d" height="%d" viewBox="0 0 %d %d" '
             'font-family="system-ui,sans-serif" font-size="11"><title>Hosts per state per batch</title>'
             % (width, total_height, width, total_height),
             '<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#8c959f"/>' % (left - 4, top + height, left + len(groups) * (bar_width + gap), top + height),
             '<text x="%d" y="%d" text-anchor="end">%d</text>' % (left - 8, top + 4, tallest),
             '<text x="%d" y="%d" text-anchor="end">0</text>' % (left - 8, top + height)]
    for index, (label, counts) in enumerate(groups):
        x, y = left + index * (bar_width + gap), top + height
        for state in states:
            count = counts.get(state, 0)
            if not count:
                continue
            size = height * count / float(tallest)
            y -= size
            parts.append('<rect x="%d" y="%.1f" width="%d" height="%.1f" fill="%s"><title>%s: %d %s</title></rect>' % (
                x, y, bar_width, size, COLOURS[state], escape(label), count, escape(labels.get(state, state))))
            if size >= 13:
                parts.append('<text x="%d" y="%.1f" text-anchor="middle" fill="#fff">%d</text>' % (
                    x + bar_width // 2, y + size / 2 + 4, count))
        parts.append('<text x="%d" y="%d" text-anchor="middle">%s</text>' % (x + bar_width // 2, top + height + 14, escape(label)))
        parts.append('<text x="%d" y="%d" text-anchor="middle" fill="#5b6472">%d</text>' % (
            x + bar_width // 2, top + height + 27, sum(counts.values())))
    legend_x = left + len(groups) * (bar_width + gap) + 16
    for index, state in enumerate(states):
        y = top + index * 18
        parts.append('<rect x="%d" y="%d" width="12" height="12" fill="%s"/><text x="%d" y="%d">%s</text>' % (
            legend_x, y, COLOURS[state], legend_x + 18, y + 10, escape(labels.get(state, state))))
    parts.append("</svg>")
    return "".join(parts)
