"""helpers — the statistics, the review and the presentation of the MDT meta-analysis book.

Three wings with one-way imports (checked by import-linter, see pyproject.toml):
``helpers.meta`` (the metafor-faithful engine) ← ``helpers.show`` (what readers see) ←
``helpers.review`` (this review). Nothing but re-exports here."""
from helpers.meta import *  # noqa: F401,F403
from helpers.meta import __all__ as _meta_all
from helpers.review import *  # noqa: F401,F403
from helpers.review import __all__ as _review_all
from helpers.show import *  # noqa: F401,F403
from helpers.show import __all__ as _show_all

__all__ = [*_meta_all, *_review_all, *_show_all]
