"""Labels shared by the privacy pages and by the places that show an erased account."""
from flask_babel import lazy_gettext as _l

# Shown wherever a deleted account's name would be (ideas, comments, notifications to others).
DELETED_ACCOUNT = _l("Deleted account")
