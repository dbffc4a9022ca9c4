"""Build step on top of pyproject.toml: the gettext catalogs (`.po`, kept in the repository)
are compiled to `.mo` into the build, so `pip install .` ships a ready English interface.
An editable install has no build: `search_app.web.i18n` compiles the `.po` when it loads it."""

from __future__ import annotations

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

LOCALE = Path("search_app") / "web" / "locale"


class BuildWithCatalogs(build_py):
    """`build_py`, then every `locale/<lang>/LC_MESSAGES/*.po` compiled next to its copy."""

    def run(self) -> None:
        super().run()
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        for po in sorted(Path(__file__).resolve().parent.joinpath(LOCALE).glob(
                "*/LC_MESSAGES/*.po")):
            target = Path(self.build_lib) / LOCALE / po.relative_to(
                po.parents[2]).with_suffix(".mo")
            target.parent.mkdir(parents=True, exist_ok=True)
            with po.open("rb") as source:
                catalog = read_po(source, locale=po.parents[1].name)
            with target.open("wb") as out:
                write_mo(out, catalog)
            self.announce(f"compiled {po} -> {target}", level=2)


setup(cmdclass={"build_py": BuildWithCatalogs})
