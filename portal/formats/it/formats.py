"""Italian dates as Italian writes them: "1 novembre 2026" (no leading zero; the lowercase names come from
portal/formats/locale/). Everything not set here keeps Django's Italian formats."""

DATE_FORMAT = "j F Y"  # 1 novembre 2026
DATETIME_FORMAT = "l j F Y H:i"  # domenica 1 novembre 2026 14:30
YEAR_MONTH_FORMAT = "F Y"  # novembre 2026
MONTH_DAY_FORMAT = "j F"  # 1 novembre
