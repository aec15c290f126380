from django.core.management.base import BaseCommand

from languages.catalogue import seed_languages


class Command(BaseCommand):
    help = "Add the villages' languages (Shan, S'gaw Karen, Lisu, Hmong) as empty, unpublished catalogues."

    def handle(self, *args, **opts):  # noqa: ANN002, ANN003, ANN201
        self.stdout.write(f"{seed_languages()} languages added")
