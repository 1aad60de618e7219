"""Server-side SVG charts: stacked bars and lines, no JavaScript, no CDN.

Only presentation attributes (fill, stroke), never style attributes: the
CSP forbids inline styles. Every label is escaped.
"""

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 12, 56
PALETTE = ["#b42318", "#dc6803", "#1570ef", "#667085", "#12b76a", "#7a5af8"]


def _frame(title: str, body: list[str], legend: list[str], top: float) -> SafeString:
    grid = []
    for i in range(5):
        y = TOP + (HEIGHT - TOP - BOTTOM) * i / 4
        value = top * (4 - i) / 4
        grid.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#eaecf0"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="#475467">{value:g}</text>'
        )
    items = []
    x = LEFT
    for i, name in enumerate(legend):
        # "SEV-1 · Critical: full outage" -> "SEV-1": the table below has the rest.
        label = name.split(" · ")[0]
        items.append(
            f'<rect x="{x}" y="{HEIGHT - 16}" width="10" height="10" fill="{PALETTE[i % 6]}"/>'
            f'<text x="{x + 14}" y="{HEIGHT - 7}" font-size="11" fill="#344054">'
            f"{escape(label)}</text>"
        )
        x += 14 + 7 * len(label) + 16  # about 7 px a character at 11 px
    svg = (
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(title)}</title>{''.join(grid)}{''.join(body)}{''.join(items)}</svg>"
    )
    return mark_safe(svg)


def _nice(top: float) -> float:
    if top <= 0:
        return 1
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if top <= step * 4:
            return step * 4
    return top


def _x_labels(categories: list[str], band: float) -> list[str]:
    every = max(1, len(categories) // 12)
    return [
        f'<text x="{LEFT + band * (i + 0.5):.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" '
        f'font-size="11" fill="#475467">{escape(c)}</text>'
        for i, c in enumerate(categories)
        if i % every == 0
    ]


def stacked_bars(title: str, categories: list[str], series: dict[str, list[float]]) -> SafeString:
    totals = [sum(values[i] for values in series.values()) for i in range(len(categories))]
    top = _nice(max(totals, default=0))
    plot_h = HEIGHT - TOP - BOTTOM
    band = (WIDTH - LEFT - RIGHT) / max(1, len(categories))
    body = []
    for i in range(len(categories)):
        y = HEIGHT - BOTTOM
        for s, (name, values) in enumerate(series.items()):
            h = plot_h * values[i] / top
            if h:
                y -= h
                body.append(
                    f'<rect x="{LEFT + band * i + band * 0.15:.1f}" y="{y:.1f}" '
                    f'width="{band * 0.7:.1f}" height="{h:.1f}" fill="{PALETTE[s % 6]}">'
                    f"<title>{escape(categories[i])} · {escape(name)}: {values[i]:g}</title></rect>"
                )
    return _frame(title, body + _x_labels(categories, band), list(series), top)


def lines(title: str, categories: list[str], series: dict[str, list[float | None]]) -> SafeString:
    values = [v for vs in series.values() for v in vs if v is not None]
    top = _nice(max(values, default=0))
    plot_h = HEIGHT - TOP - BOTTOM
    band = (WIDTH - LEFT - RIGHT) / max(1, len(categories))
    body = []
    for s, (name, points) in enumerate(series.items()):
        coords = [
            (LEFT + band * (i + 0.5), HEIGHT - BOTTOM - plot_h * v / top)
            for i, v in enumerate(points)
            if v is not None
        ]
        colour = PALETTE[s % 6]
        if len(coords) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
            body.append(
                f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>'
            )
        body += [
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}">'
            f"<title>{escape(name)}</title></circle>"
            for x, y in coords
        ]
    return _frame(title, body + _x_labels(categories, band), list(series), top)
