"""Translatable labels for area enums."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.areas.models import LGType

LG_TYPE_LABELS = {
    LGType.PROVINCIAL_ADMIN_ORG: _l("Provincial administrative organisations"),
    LGType.CITY_MUNICIPALITY: _l("City municipalities"),
    LGType.TOWN_MUNICIPALITY: _l("Town municipalities"),
    LGType.SUBDISTRICT_MUNICIPALITY: _l("Subdistrict municipalities"),
    LGType.SUBDISTRICT_ADMIN_ORG: _l("Subdistrict administrative organisations"),
    LGType.SPECIAL_ADMIN_AREA: _l("Special local governments"),
}

LG_TYPE_LABEL_ONE = {
    LGType.PROVINCIAL_ADMIN_ORG: _l("Provincial administrative organisation"),
    LGType.CITY_MUNICIPALITY: _l("City municipality"),
    LGType.TOWN_MUNICIPALITY: _l("Town municipality"),
    LGType.SUBDISTRICT_MUNICIPALITY: _l("Subdistrict municipality"),
    LGType.SUBDISTRICT_ADMIN_ORG: _l("Subdistrict administrative organisation"),
    LGType.SPECIAL_ADMIN_AREA: _l("Special local government"),
}
