"""`manage.py import_wordpress EXPORT.xml [--media-dir DIR] [--dry-run]`.

In the comments app because it brings the comments too: comments may know articles, whose
importer reads the file and calls back for each post's comments.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from articles.related import lists_changed_together
from articles.wordpress.importer import WordPressImporter
from articles.wordpress.report import ImportReport
from articles.wordpress.wxr import NotAnExport
from comments.wordpress import wordpress_comments_import


class DryRunDone(Exception):
    """Raised at the end of a dry run so that everything it wrote is rolled back."""


class Command(BaseCommand):
    help = (
        "Import a WordPress export (Tools > Export, WXR 1.1 or 1.2): authors, categories, tags, "
        "posts, pages, comments and old addresses. Safe to run again: it updates, never doubles."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("export", type=Path, help="The WordPress export file (.xml).")
        parser.add_argument(
            "--media-dir",
            type=Path,
            help="A copy of wp-content/uploads: featured images are read from it.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would happen; write nothing."
        )

    def handle(self, *args, export: Path, media_dir: Path | None, dry_run: bool, **options):
        if not export.is_file():
            raise CommandError(f"{export} is not a file.")
        if media_dir is not None and not media_dir.is_dir():
            raise CommandError(f"--media-dir {media_dir} is not a directory.")
        report = ImportReport(dry_run=dry_run)
        importer = WordPressImporter(
            report=report,
            media_dir=media_dir,
            dry_run=dry_run,
            on_post=lambda article, item: wordpress_comments_import(
                article=article, comments=item.comments, report=report
            ),
            progress=lambda number: self.stdout.write(f"… {number} records read"),
        )
        try:
            with transaction.atomic():  # a file cut short writes nothing at all
                with export.open("rb") as source, lists_changed_together():
                    importer.run(source)
                if dry_run:
                    raise DryRunDone
        except NotAnExport as error:
            raise CommandError(
                f"{export} is not a WordPress export that can be read: {error}. "
                "Nothing was imported."
            ) from None
        except DryRunDone:
            pass
        title = "Dry run: nothing was written." if dry_run else "Imported."
        self.stdout.write(self.style.SUCCESS(title))
        for line in report.lines():
            self.stdout.write(line)
