"""Date formats where the site's language differs from Django's: its English is British (it
writes "organisation"), so it writes "1 December 2026, 08:34" rather than "Dec. 1, 2026,
8:34 a.m." (FORMAT_MODULE_PATH)."""
