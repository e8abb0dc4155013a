"""The countries Protect knows (from django-countries, named in the page's language) and each one's regional desk.

A defender's region is never picked by hand: it follows the country through `region_for_country`,
so routing (a team per region) and the donors' figures by region always agree with the country.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django_countries import Countries

from protect.accounts.models import Region


class _ProtectCountries(Countries):
    # Kosovo has no ISO 3166-1 code; XK is the user-assigned code the EU, the IMF and SWIFT use.
    override = {"XK": _("Kosovo")}


COUNTRIES = _ProtectCountries()

# The regional desk of every country above. Territories go with the desk nearest to them, the way
# the UN's M49 regions group them; Antarctica, which has none, goes to the Americas desk (most of its
# stations are reached through Chile and Argentina).
_REGION_COUNTRIES = {
    Region.AFRICA: "AO BF BI BJ BW CD CF CG CI CM CV DJ ER ET GA GH GM GN GQ GW IO KE KM LR LS MG ML MU MW MZ NA NE "
                   "NG RE RW SC SD SH SL SN SO SS ST SZ TD TF TG TZ UG YT ZA ZM ZW",
    Region.AMERICAS: "AG AI AQ AR AW BB BL BM BO BQ BR BS BV BZ CA CL CO CR CU CW DM DO EC FK GD GF GL GP GS GT GY HN "
                     "HT JM KN KY LC MF MQ MS MX NI PA PE PM PR PY SR SV SX TC TT US UY VC VE VG VI",
    Region.ASIA_PACIFIC: "AF AS AU BD BN BT CC CK CN CX FJ FM GU HK HM ID IN JP KH KI KP KR LA LK MH MM MN MO MP MV MY "
                         "NC NF NP NR NU NZ PF PG PH PK PN PW SB SG TH TK TL TO TV TW UM VN VU WF WS",
    Region.EUROPE_CENTRAL_ASIA: "AD AL AM AT AX AZ BA BE BG BY CH CY CZ DE DK EE ES FI FO FR GB GE GG GI GR HR HU "
                                "IE IM IS IT JE KG KZ LI LT LU LV MC MD ME MK MT NL NO PL PT RO RS RU SE SI SJ SK SM "
                                "TJ TM TR UA UZ VA XK",
    Region.MENA: "AE BH DZ EG EH IL IQ IR JO KW LB LY MA MR OM PS QA SA SY TN YE",
}
REGION_OF_COUNTRY: dict[str, Region] = {
    code: region for region, codes in _REGION_COUNTRIES.items() for code in codes.split()
}


def region_for_country(code: str) -> Region:
    """The desk of a country, by its ISO 3166-1 alpha-2 code in capitals. KeyError for a code Protect does not know."""
    return REGION_OF_COUNTRY[code]
