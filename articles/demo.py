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


def draw_featured_image(seed: str, palette, size=(1600, 900)) -> bytes:
    """An abstract network illustration: a gradient, soft glows, nodes and the edges between."""
    rng = random.Random(seed)
    width, height = size
    dark, mid, light = palette
    image = Image.new("RGB", size, dark)
    draw = ImageDraw.Draw(image)
    for y in range(height):
        t = y / height
        colour = tuple(round(dark[i] * (1 - t) + mid[i] * t) for i in range(3))
        draw.line([(0, y), (width, y)], fill=colour)

    glow = Image.new("RGB", size, (0, 0, 0))
    glow_draw = ImageDraw.Draw(glow)
    for _ in range(6):
        radius = rng.randint(120, 320)
        x, y = rng.randint(0, width), rng.randint(0, height)
        glow_draw.ellipse([x - radius, y - radius, x + radius, y + radius], fill=light)
    glow = glow.filter(ImageFilter.GaussianBlur(90))
    image = Image.blend(image, glow, 0.25)
    draw = ImageDraw.Draw(image)

    layers = rng.randint(4, 6)
    nodes = []
    for layer in range(layers):
        x = round(width * (layer + 1) / (layers + 1))
        count = rng.randint(3, 6)
        column = []
        for index in range(count):
            y = round(height * (index + 1) / (count + 1) + rng.randint(-30, 30))
            column.append((x + rng.randint(-25, 25), y))
        nodes.append(column)
    for left, right in zip(nodes, nodes[1:], strict=False):
        for a in left:
            for b in right:
                if rng.random() < 0.7:
                    draw.line([a, b], fill=(*light, 255), width=2)
    for column in nodes:
        for x, y in column:
            radius = rng.randint(10, 20)
            draw.ellipse([x - radius, y - radius, x + radius, y + radius], fill=light)
            inner = max(4, radius // 2)
            draw.ellipse([x - inner, y - inner, x + inner, y + inner], fill=dark)
    for step in range(0, width, 8):
        wave = height - 60 + round(25 * math.sin(step / 90 + rng.random()))
        draw.ellipse([step, wave, step + 3, wave + 3], fill=light)

    output = io.BytesIO()
    image.save(output, "JPEG", quality=88)
    return output.getvalue()
