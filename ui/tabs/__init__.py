"""The app's tabs, one module each: the functions its callbacks call (plain, testable) and ``build``, which lays
the tab out inside ``create_app``'s Blocks. A new tab is a new module here and one line in ``ui.app``."""
