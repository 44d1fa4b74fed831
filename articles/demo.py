"""Demo content for `manage.py seed_demo`: articles written for this site, and featured images drawn
with Pillow (no downloads)."""

import io
import math
import random
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

CONTENT_DIR = Path(__file__).resolve().parent / "demo_content"
FAQ_MARKER = "=== FAQ ==="

CATEGORIES = [
    {
        "slug": "roles",
        "name": "Roles & Careers",
        "description": (
            "What the jobs in AI and machine learning are, and what the people in them do."
        ),
        "palette": ((31, 58, 95), (63, 114, 175), (255, 209, 102)),
    },
    {
        "slug": "skills",
        "name": "Skills & Learning",
        "description": (
            "The maths, programming and engineering skills that get you hired, "
            "and how to learn them."
        ),
        "palette": ((20, 83, 75), (42, 157, 143), (233, 196, 106)),
    },
    {
        "slug": "salaries",
        "name": "Salaries & Hiring",
        "description": "Pay, offers, negotiation and how hiring in AI teams really works.",
        "palette": ((92, 36, 22), (179, 84, 30), (244, 211, 94)),
    },
    {
        "slug": "industries",
        "name": "Industries",
        "description": (
            "Where AI and ML people work: healthcare, finance, retail, manufacturing and more."
        ),
        "palette": ((52, 33, 91), (111, 76, 168), (130, 221, 240)),
    },
]

AUTHORS = [
    {
        "slug": "maya-chen",
        "name": "Maya Chen",
        "role": "Senior Machine Learning Engineer",
        "bio": (
            "Maya has built recommendation and forecasting systems for ten years, first as a "
            "backend developer and then as a machine learning engineer. She mentors career "
            "changers moving from software and analytics into ML.\n\n"
            "She writes about the day-to-day reality of ML work and the skills that matter "
            "on the job."
        ),
    },
    {
        "slug": "daniel-okafor",
        "name": "Daniel Okafor",
        "role": "Hiring Manager, Data & AI",
        "bio": (
            "Daniel leads data and AI teams and has read thousands of applications and run "
            "hundreds of interviews for data scientists and ML engineers.\n\n"
            "He writes about hiring, pay and how to present your work so that it gets noticed."
        ),
    },
]


@dataclass
class DemoArticle:
    title: str
    slug: str
    dek: str
    category: str
    author: str
    tags: list[str]
    featured: bool
    status: str
    published_days_ago: int
    image_alt: str
    image_caption: str
    image_credit: str
    image_motif: str
    body: str
    faqs: list[tuple[str, str]] = field(default_factory=list)


def front_matter(text: str) -> tuple[dict[str, str], str]:
    """The `key: value` lines between the two `---` lines, and the text after them."""
    _, head, rest = text.split("---\n", 2)
    meta = {}
    for line in head.strip().splitlines():
        key, _, value = line.partition(":")
        meta[key.strip()] = value.strip()
    return meta, rest


def parse_demo_article(text: str) -> DemoArticle:
    meta, rest = front_matter(text)
    body, _, faq_text = rest.partition(FAQ_MARKER)
    faqs = []
    question = None
    for line in faq_text.strip().splitlines():
        if line.startswith("Q:"):
            question = line[2:].strip()
        elif line.startswith("A:") and question:
            faqs.append((question, line[2:].strip()))
            question = None
    return DemoArticle(
        title=meta["title"],
        slug=meta["slug"],
        dek=meta["dek"],
        category=meta["category"],
        author=meta["author"],
        tags=[tag.strip() for tag in meta["tags"].split(",") if tag.strip()],
        featured=meta["featured"].lower() == "yes",
        status=meta["status"],
        published_days_ago=int(meta["published_days_ago"]),
        image_alt=meta["image_alt"],
        image_caption=meta["image_caption"],
        image_credit=meta.get("image_credit", ""),
        image_motif=meta.get("image_motif", "network"),
        body=body.strip() + "\n",
        faqs=faqs,
    )


@dataclass(frozen=True)
class DemoSitePage:
    title: str
    slug: str
    summary: str
    body: str
    position: int


def demo_site_pages() -> list[DemoSitePage]:
    """The site's own pages (about, contact, privacy, terms), in their footer order."""
    pages = []
    for position, path in enumerate(sorted((CONTENT_DIR / "pages").glob("*.md"))):
        meta, body = front_matter(path.read_text(encoding="utf-8"))
        pages.append(
            DemoSitePage(
                title=meta["title"],
                slug=meta["slug"],
                summary=meta["summary"],
                body=body.strip() + "\n",
                position=position,
            )
        )
    return pages


def demo_articles() -> list[DemoArticle]:
    return [
        parse_demo_article(path.read_text(encoding="utf-8"))
        for path in sorted(CONTENT_DIR.glob("*.md"))
    ]


# Bumped when the drawings change: seed_demo draws again the images of an older version.
DRAWING_VERSION = 2


def demo_image_name(slug: str) -> str:
    return f"{slug}-v{DRAWING_VERSION}.jpg"


def is_current_demo_image(name: str, slug: str) -> bool:
    """The stored name may carry a suffix the storage added to keep names apart."""
    return Path(name or "").name.startswith(f"{slug}-v{DRAWING_VERSION}")


def draw_featured_image(seed: str, palette, motif: str = "network", size=(1600, 900)) -> bytes:
    """A featured image drawn for the article's subject (`motif`): a gradient with soft glows
    and, over it, a network, a bar chart, a road, three circles, a board of cards, a pipeline,
    a skyline, a conversation, steps or a terminal."""
    rng = random.Random(seed)
    dark, mid, light = palette
    image = _background(rng, size, dark, mid, light)
    draw = ImageDraw.Draw(image)
    MOTIFS[motif](draw, rng, size, dark, mid, light)
    output = io.BytesIO()
    image.save(output, "JPEG", quality=88)
    return output.getvalue()


def _background(rng, size, dark, mid, light) -> Image.Image:
    width, height = size
    image = Image.new("RGB", size, dark)
    draw = ImageDraw.Draw(image)
    slant = rng.uniform(-0.5, 0.5)  # the gradient's direction differs from image to image
    for y in range(height):
        t = min(1.0, max(0.0, y / height + slant * (0.5 - y / height)))
        colour = tuple(round(dark[i] * (1 - t) + mid[i] * t) for i in range(3))
        draw.line([(0, y), (width, y)], fill=colour)
    glow = Image.new("RGB", size, (0, 0, 0))
    glow_draw = ImageDraw.Draw(glow)
    for _ in range(rng.randint(3, 7)):
        radius = rng.randint(120, 360)
        x, y = rng.randint(0, width), rng.randint(0, height)
        glow_draw.ellipse([x - radius, y - radius, x + radius, y + radius], fill=light)
    return Image.blend(image, glow.filter(ImageFilter.GaussianBlur(90)), 0.22)


def _network(draw, rng, size, dark, mid, light) -> None:
    width, height = size
    layers = rng.randint(4, 6)
    nodes = []
    for layer in range(layers):
        x = round(width * (layer + 1) / (layers + 1))
        count = rng.randint(3, 6)
        nodes.append(
            [
                (
                    x + rng.randint(-25, 25),
                    round(height * (i + 1) / (count + 1)) + rng.randint(-30, 30),
                )
                for i in range(count)
            ]
        )
    for left, right in zip(nodes, nodes[1:], strict=False):
        for a in left:
            for b in right:
                if rng.random() < 0.7:
                    draw.line([a, b], fill=light, width=2)
    for column in nodes:
        for x, y in column:
            radius = rng.randint(10, 20)
            draw.ellipse([x - radius, y - radius, x + radius, y + radius], fill=light)
            inner = max(4, radius // 2)
            draw.ellipse([x - inner, y - inner, x + inner, y + inner], fill=dark)


def _bars(draw, rng, size, dark, mid, light) -> None:
    """Salary bands: bars with a lighter range above each."""
    width, height = size
    count = 7
    base = height - 140
    step = (width - 300) / count
    for index in range(count):
        x = 150 + index * step + step * 0.2
        top = base - (160 + index * 70 + rng.randint(-30, 30))
        draw.rectangle([x, top, x + step * 0.6, base], fill=light)
        spread = rng.randint(60, 140)
        draw.rectangle([x + step * 0.25, top - spread, x + step * 0.35, top], fill=mid)
        draw.ellipse(
            [x + step * 0.3 - 12, top - spread - 12, x + step * 0.3 + 12, top - spread + 12],
            fill=light,
        )
    draw.line([(120, base), (width - 120, base)], fill=light, width=6)


def _road(draw, rng, size, dark, mid, light) -> None:
    """A winding road with milestones: a learning path."""
    width, height = size
    points = []
    phase = rng.uniform(0, math.pi)
    for index in range(0, 41):
        t = index / 40
        x = 120 + t * (width - 240)
        y = height / 2 + math.sin(t * math.pi * 2.2 + phase) * height * 0.28
        points.append((x, y))
    draw.line(points, fill=light, width=34, joint="curve")
    draw.line(points, fill=dark, width=6, joint="curve")
    for index in range(4, 41, 9):
        x, y = points[index]
        draw.ellipse([x - 38, y - 38, x + 38, y + 38], fill=light, outline=dark, width=8)
        draw.ellipse([x - 12, y - 12, x + 12, y + 12], fill=dark)


def _circles(draw, rng, size, dark, mid, light) -> None:
    """Three overlapping circles: roles that share ground."""
    width, height = size
    radius = height * 0.3
    centres = [
        (width / 2 - radius * 0.6, height / 2 - radius * 0.3),
        (width / 2 + radius * 0.6, height / 2 - radius * 0.3),
        (width / 2, height / 2 + radius * 0.55),
    ]
    for x, y in centres:
        draw.ellipse([x - radius, y - radius, x + radius, y + radius], outline=light, width=14)
    draw.ellipse([width / 2 - 26, height / 2 - 26, width / 2 + 26, height / 2 + 26], fill=light)


def _cards(draw, rng, size, dark, mid, light) -> None:
    """A board of project cards, one of them picked out: a portfolio."""
    width, height = size
    columns, rows = 4, 2
    card_w, card_h = (width - 300) / columns, (height - 260) / rows
    chosen = (rng.randrange(columns), rng.randrange(rows))
    for column in range(columns):
        for row in range(rows):
            x, y = 150 + column * card_w + 20, 130 + row * card_h + 20
            box = [x, y, x + card_w - 40, y + card_h - 40]
            _text_box(draw, box, filled=(column, row) == chosen, lines=3, colours=(dark, light))


def _text_box(draw, box, *, filled: bool, lines: int, colours) -> None:
    """A rounded box, filled or outlined, with lines standing for its text."""
    dark, light = colours
    if filled:
        draw.rounded_rectangle(box, radius=30, fill=light)
    else:
        draw.rounded_rectangle(box, radius=30, outline=light, width=7)
    left, top, right, _ = box
    for line in range(lines):
        y = top + 50 + line * 44
        draw.line(
            [(left + 40, y), (right - 60 - line * 70, y)], fill=dark if filled else light, width=12
        )


def _pipeline(draw, rng, size, dark, mid, light) -> None:
    """Stages joined by arrows, with a loop back: data, training, serving, monitoring."""
    width, height = size
    stages = 5
    step = (width - 240) / stages
    y = height / 2
    for index in range(stages):
        x = 120 + index * step + 20
        draw.rounded_rectangle(
            [x, y - 90, x + step - 90, y + 90], radius=20, outline=light, width=8
        )
        draw.rectangle([x + 30, y - 20, x + step - 120, y + 20], fill=light)
        if index < stages - 1:
            ax = x + step - 80
            draw.line([(ax, y), (ax + 60, y)], fill=light, width=8)
            draw.polygon([(ax + 70, y), (ax + 50, y - 16), (ax + 50, y + 16)], fill=light)
    draw.arc([160, y + 40, width - 160, y + 330], start=0, end=180, fill=light, width=8)


def _skyline(draw, rng, size, dark, mid, light) -> None:
    """Buildings of every height: the industries that hire."""
    width, height = size
    x = 80
    while x < width - 120:
        building_w = rng.randint(110, 200)
        top = rng.randint(220, 620)
        draw.rectangle(
            [x, top, x + building_w, height - 80], fill=light if rng.random() < 0.5 else mid
        )
        for wy in range(top + 30, height - 120, 60):
            for wx in range(x + 20, x + building_w - 30, 45):
                if rng.random() < 0.6:
                    draw.rectangle([wx, wy, wx + 20, wy + 28], fill=dark)
        x += building_w + rng.randint(20, 50)
    draw.line([(60, height - 80), (width - 60, height - 80)], fill=light, width=8)


def _conversation(draw, rng, size, dark, mid, light) -> None:
    """Speech bubbles, question and answer: an interview, or a prompt and its reply."""
    width, height = size
    y = 120
    for index in range(4):
        left = index % 2 == 0
        bubble_w = rng.randint(520, 820)
        x = 160 if left else width - 160 - bubble_w
        _text_box(draw, [x, y, x + bubble_w, y + 140], filled=left, lines=2, colours=(dark, light))
        if left:  # the question's tail
            draw.polygon([(x + 50, y + 140), (x + 40, y + 190), (x + 110, y + 140)], fill=light)
        y += 180


def _steps(draw, rng, size, dark, mid, light) -> None:
    """Twelve steps up, one a month, a flag at the top: a plan for the year."""
    width, height = size
    step_w, step_h = (width - 300) / 12, (height - 300) / 12
    for month in range(12):
        x, y = 150 + month * step_w, height - 150 - (month + 1) * step_h
        draw.rectangle([x, y, x + step_w - 10, height - 150], fill=light if month % 3 == 2 else mid)
    top_x, top_y = 150 + 11 * step_w + step_w / 2, height - 150 - 12 * step_h
    draw.line([(top_x, top_y), (top_x, top_y - 120)], fill=light, width=8)
    draw.polygon([(top_x, top_y - 120), (top_x + 90, top_y - 95), (top_x, top_y - 70)], fill=light)


def _terminal(draw, rng, size, dark, mid, light) -> None:
    """A window of text with a cursor: a prompt being written."""
    width, height = size
    box = [200, 130, width - 200, height - 130]
    draw.rounded_rectangle(box, radius=30, fill=dark, outline=light, width=6)
    draw.line([(200, 210), (width - 200, 210)], fill=light, width=4)
    for index in range(3):
        draw.ellipse([240 + index * 50, 155, 270 + index * 50, 185], fill=light)
    y = 270
    for line in range(7):
        indent = 260 + (60 if line % 3 else 0)
        length = rng.randint(350, width - 560 - indent)
        draw.line([(indent, y), (indent + length, y)], fill=light if line % 3 else mid, width=16)
        y += 62
    draw.rectangle([260, y - 20, 290, y + 20], fill=light)


MOTIFS = {
    "network": _network,
    "bars": _bars,
    "road": _road,
    "circles": _circles,
    "cards": _cards,
    "pipeline": _pipeline,
    "skyline": _skyline,
    "conversation": _conversation,
    "steps": _steps,
    "terminal": _terminal,
}
